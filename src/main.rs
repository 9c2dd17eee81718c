fn main() {
    println!("streamlab");
}
