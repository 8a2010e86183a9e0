//! The `temper` binary: parse the command line and hand over to the library.
#![deny(clippy::unwrap_used)]

fn main() -> std::process::ExitCode {
    temper::cli::main()
}
