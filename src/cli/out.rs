//! Standard output for long narrations that may be cut short.
//!
//! ```text
//!   Out::text(s) ─▶ BufWriter<stdout> ─ok─▶ …
//!                                     └─ BrokenPipe ─▶ closed: later writes are dropped,
//!                                                      the caller stops early, exit stays 0
//! ```
//!
//! `streamlab run S08 | head` closes the pipe after ten lines; `println!`
//! would panic on the next write. A reader that left is not an error, so
//! the run ends quietly. Any other write error is reported once on stderr.

use std::io::{BufWriter, ErrorKind, Stdout, Write};

/// Buffered stdout that remembers whether the reader is gone.
pub struct Out {
    w: BufWriter<Stdout>,
    closed: bool,
    failed: bool,
}

impl Default for Out {
    fn default() -> Out {
        Out::new()
    }
}

impl Out {
    pub fn new() -> Out {
        Out {
            w: BufWriter::new(std::io::stdout()),
            closed: false,
            failed: false,
        }
    }

    /// Writes `s` as is, unless the output is already closed.
    pub fn text(&mut self, s: &str) {
        if self.closed {
            return;
        }
        if let Err(e) = self.w.write_all(s.as_bytes()) {
            self.close_on(e);
        }
    }

    /// Writes `s` and a newline.
    pub fn line(&mut self, s: &str) {
        self.text(s);
        self.text("\n");
    }

    /// Pushes buffered text out (end of run).
    pub fn flush(&mut self) {
        if self.closed {
            return;
        }
        if let Err(e) = self.w.flush() {
            self.close_on(e);
        }
    }

    /// True once nobody reads any more: the caller may stop working.
    pub fn closed(&self) -> bool {
        self.closed
    }

    /// True when a write failed for a reason other than a closed pipe.
    pub fn failed(&self) -> bool {
        self.failed
    }

    fn close_on(&mut self, e: std::io::Error) {
        self.closed = true;
        if e.kind() != ErrorKind::BrokenPipe {
            self.failed = true;
            eprintln!("streamlab: cannot write to standard output: {e}");
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        // BufWriter's own drop would flush and ignore any error; flushing
        // here reports a real failure once and keeps a closed pipe quiet.
        self.flush();
    }
}
