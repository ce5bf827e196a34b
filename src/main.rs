//! The `evbrief` binary: parses arguments and hands over to the library.

use clap::Parser;

fn main() {
    let cli = evbrief::cli::Cli::parse();
    std::process::exit(evbrief::cli::run(cli));
}
