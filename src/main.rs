//! The `temper` binary: parse the command line and hand over to the library.
#![deny(clippy::unwrap_used)]

fn main() -> std::process::ExitCode {
    restore_default_sigpipe();
    temper::cli::main()
}

/// Rust ignores SIGPIPE, so `temper prompt list | head` would panic on the closed pipe.
/// Like every Unix filter, temper should just stop quietly when its reader goes away.
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists; SIG_DFL is always valid.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
