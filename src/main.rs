//! The `evbrief` binary: parses arguments and hands over to the library.

use clap::Parser;

fn main() {
    restore_default_sigpipe();
    let cli = evbrief::cli::Cli::parse();
    std::process::exit(evbrief::cli::run(cli));
}

/// Rust ignores SIGPIPE, so printing into a pipe whose reader has gone (`evbrief check
/// --lang zh | head`) fails, and `println!` panics. A command-line tool ends quietly
/// instead, as `cat` or `grep` do: the default action of SIGPIPE. Sockets are not
/// affected: the standard library sends with `MSG_NOSIGNAL`.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; `signal` with
    // `SIG_DFL` installs no handler, it only restores the default disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
