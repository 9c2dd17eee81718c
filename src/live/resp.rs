//! A minimal RESP2 client: one connection, one command at a time, replies
//! read into the engine's `Reply` (so they print as redis-cli prints them).
//!
//! ```text
//!   connect(host, port) ── TCP, 2 s to connect, 5 s per reply
//!   call(["XINFO", "GROUPS", "s"]) ── *3\r\n$5\r\nXINFO… ──▶ +OK | -ERR | :n | $len | *n (nested)
//! ```

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use crate::engine::Reply;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
/// The largest bulk string read (Redis's own proto-max-bulk-len is 512 MB).
const MAX_BULK_BYTES: usize = 512 * 1024 * 1024;

/// A connection to a Redis server.
pub struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    /// `host:port`, for messages.
    pub address: String,
}

impl Client {
    /// Connects; the error says what failed and where.
    pub fn connect(host: &str, port: u16) -> Result<Client, String> {
        let address = format!("{host}:{port}");
        let addrs = (host, port)
            .to_socket_addrs()
            .map_err(|e| format!("cannot resolve {address}: {e}"))?;
        let mut last = format!("cannot reach {address}: no address");
        for a in addrs {
            match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream
                        .set_read_timeout(Some(REPLY_TIMEOUT))
                        .map_err(|e| format!("{address}: {e}"))?;
                    let writer = stream.try_clone().map_err(|e| format!("{address}: {e}"))?;
                    return Ok(Client {
                        reader: BufReader::new(stream),
                        writer,
                        address,
                    });
                }
                Err(e) => last = format!("cannot reach {address}: {e}"),
            }
        }
        Err(last)
    }

    /// Sends one command and reads its reply (an error reply is a `Reply`,
    /// not an `Err`; `Err` is a broken connection or a malformed reply).
    pub fn call(&mut self, args: &[&[u8]]) -> Result<Reply, String> {
        let mut out = format!("*{}\r\n", args.len()).into_bytes();
        for a in args {
            out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            out.extend_from_slice(a);
            out.extend_from_slice(b"\r\n");
        }
        self.writer
            .write_all(&out)
            .map_err(|e| format!("{}: {e}", self.address))?;
        read_reply(&mut self.reader).map_err(|e| format!("{}: {e}", self.address))
    }

    /// `call` with text arguments.
    pub fn cmd(&mut self, args: &[&str]) -> Result<Reply, String> {
        let bytes: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        self.call(&bytes)
    }
}

fn read_line(r: &mut impl BufRead) -> Result<String, String> {
    let mut line = Vec::new();
    let n = r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("the server closed the connection".into());
    }
    if !line.ends_with(b"\r\n") {
        return Err("malformed reply line".into());
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|_| "reply line is not text".into())
}

/// Reads one reply.
pub fn read_reply(r: &mut impl BufRead) -> Result<Reply, String> {
    let line = read_line(r)?;
    let (kind, rest) = line.split_at(line.len().min(1));
    let number = || {
        rest.parse::<i64>()
            .map_err(|_| format!("bad length in {line:?}"))
    };
    Ok(match kind {
        "+" => Reply::Status(rest.to_string()),
        "-" => Reply::Error(rest.to_string()),
        ":" => Reply::Integer(number()?),
        "$" => {
            let n = number()?;
            if n < 0 {
                return Ok(Reply::Nil);
            }
            let n = n as usize;
            if n > MAX_BULK_BYTES {
                return Err(format!("bulk string of {n} bytes"));
            }
            let mut buf = vec![0; n + 2];
            r.read_exact(&mut buf).map_err(|e| e.to_string())?;
            buf.truncate(n);
            Reply::Bulk(buf)
        }
        "*" => {
            let n = number()?;
            if n < 0 {
                return Ok(Reply::NilArray);
            }
            let mut items = Vec::with_capacity(n.min(4096) as usize);
            for _ in 0..n {
                items.push(read_reply(r)?);
            }
            Reply::Array(items)
        }
        _ => return Err(format!("unknown reply type in {line:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_read_back_as_written() {
        let wire = b"*3\r\n+OK\r\n$4\r\na\r\nb\r\n*2\r\n:-5\r\n$-1\r\n-ERR no\r\n";
        let mut r = std::io::Cursor::new(&wire[..]);
        let got = read_reply(&mut r).unwrap();
        assert_eq!(
            got,
            Reply::Array(vec![
                Reply::Status("OK".into()),
                Reply::Bulk(b"a\r\nb".to_vec()),
                Reply::Array(vec![Reply::Integer(-5), Reply::Nil]),
            ])
        );
        assert_eq!(read_reply(&mut r).unwrap(), Reply::Error("ERR no".into()));
        assert!(read_reply(&mut r).unwrap_err().contains("closed"));
        let mut bad = std::io::Cursor::new(&b"?x\r\n"[..]);
        assert!(
            read_reply(&mut bad)
                .unwrap_err()
                .contains("unknown reply type")
        );
    }
}
