mod cli;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(code) = cli::dispatch(&args) {
        std::process::exit(code);
    }
    eprintln!("usage: streamlab [run FILE.ron ... | scenarios]");
    std::process::exit(2);
}
