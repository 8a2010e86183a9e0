//! Wall time and peak RSS of one child process, as the benches that spawn the real binary
//! measure it (RSS from `wait4`'s rusage, which covers the child alone).
#![allow(dead_code)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `cmd` (output discarded) and return its wall time and peak RSS in MB; panics unless it
/// exits 0.
#[allow(clippy::zombie_processes)] // reaped by wait4 below, which also reports its rusage
pub fn measure(mut cmd: Command) -> (Duration, f64) {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    let started = Instant::now();
    let child = cmd.spawn().expect("spawning");
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: the child is ours and not yet reaped; wait4 fills `usage`.
    let usage = unsafe {
        let pid = libc::wait4(child.id() as i32, &mut status, 0, usage.as_mut_ptr());
        assert!(pid > 0, "wait4 failed");
        usage.assume_init()
    };
    let wall = started.elapsed();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "failed: {cmd:?}"
    );
    (wall, usage.ru_maxrss as f64 / 1024.0)
}
