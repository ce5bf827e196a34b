//! What both benchmarks share: running a child process with its own peak memory, and
//! timing watch-mode rebuilds in process.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use evbrief::living::session::WatchSession;
use evbrief::pipeline::BuildConfig;
use evbrief::store::lock::{HolderInfo, LockWait, OutputLock};

/// A watch session over `project` holding its output lock, after its first build: the
/// state `evbrief watch` is in when the first edit arrives.
pub fn built_watch_session(project: &Path) -> (WatchSession, OutputLock) {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).expect("date");
    let mut session = WatchSession::new(BuildConfig::new(project, today));
    let lock = OutputLock::acquire(
        &project.join("output"),
        &HolderInfo::current("bench"),
        LockWait::NoWait,
        |_| {},
    )
    .expect("lock");
    session.rebuild(&lock, None).expect("first build");
    (session, lock)
}

/// The evbrief binary the benches spawn: `EVBRIEF_BENCH_EXE` when set (to compare a
/// saved binary of an earlier commit in the same run), else this build's release binary.
pub fn evbrief_exe() -> std::path::PathBuf {
    std::env::var_os("EVBRIEF_BENCH_EXE")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_evbrief").into())
}

/// Median and spread of some timed runs, and the largest peak memory among them.
pub struct Measured {
    /// Median wall time, ms.
    pub median_ms: f64,
    /// Fastest run, ms.
    pub min_ms: f64,
    /// Slowest run, ms.
    pub max_ms: f64,
    /// The largest of the runs' own peak resident sets, MiB.
    pub peak_mib: f64,
    /// The `timings:` line of the median run (cold builds only).
    pub phases: Option<String>,
}

/// What one child process did: wall time, peak RSS, what it printed.
pub struct ChildRun {
    /// Wall time from spawn to exit, ms.
    pub ms: f64,
    /// The child's own peak resident set (`ru_maxrss`), KiB.
    pub peak_kib: u64,
    /// What it printed on standard output.
    pub stdout: String,
}

/// Runs `command` to completion and reads its own peak RSS with `wait4`.
// The child is reaped by `wait4` below, which std's `Child::wait` cannot replace: only
// wait4 returns the child's own resource usage.
#[allow(clippy::zombie_processes)]
pub fn run_child(mut command: Command) -> ChildRun {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn a child process");
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .expect("piped stdout")
        .read_to_string(&mut stdout)
        .expect("read the child's output");
    let pid = child.id() as libc::pid_t;
    // SAFETY: `status` and `usage` are zero-initialised locals that wait4 writes into; the
    // pid is our own child, not yet waited for (std's `Child` is never waited on).
    let (status, usage) = unsafe {
        let mut status = 0;
        let mut usage: libc::rusage = std::mem::zeroed();
        let r = libc::wait4(pid, &mut status, 0, &mut usage);
        assert_eq!(r, pid, "wait4 failed");
        (status, usage)
    };
    let ms = start.elapsed().as_secs_f64() * 1e3;
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child failed: {command:?}\n{stdout}"
    );
    ChildRun {
        ms,
        peak_kib: usage.ru_maxrss.max(0) as u64,
        stdout,
    }
}

/// Median, spread and peak memory of `runs` (at least one).
pub fn summarise(mut runs: Vec<ChildRun>) -> Measured {
    runs.sort_by(|a, b| a.ms.total_cmp(&b.ms));
    let median = &runs[runs.len() / 2];
    Measured {
        median_ms: median.ms,
        min_ms: runs[0].ms,
        max_ms: runs[runs.len() - 1].ms,
        peak_mib: runs.iter().map(|r| r.peak_kib).max().unwrap_or(0) as f64 / 1024.0,
        phases: median
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("timings: "))
            .map(str::to_string),
    }
}
