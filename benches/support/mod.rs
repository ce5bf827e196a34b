//! What both benchmarks need to time watch-mode rebuilds in process.

use std::path::Path;

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
