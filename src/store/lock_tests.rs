//! Tests of `lock.rs`, kept beside it so the module itself stays short.

use super::*;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

fn holder(command: &str) -> HolderInfo {
    HolderInfo::current(command)
}

fn acquire_now(dir: &Path, command: &str) -> Result<OutputLock, LockError> {
    OutputLock::acquire(dir, &holder(command), LockWait::NoWait, |_| {
        panic!("NoWait must not wait")
    })
}

fn busy_holder(result: Result<OutputLock, LockError>) -> (Option<HolderInfo>, Duration) {
    match result {
        Err(LockError::Busy { holder, waited, .. }) => (holder.map(|h| *h), waited),
        Err(other) => panic!("expected Busy, got {other}"),
        Ok(_) => panic!("expected Busy, but the lock was granted"),
    }
}

fn known_stale_record() -> HolderInfo {
    HolderInfo {
        pid: Some(4242),
        command: Some("build".into()),
        since: Some("2026-11-23T07:00:01Z".parse().unwrap()),
        host: Some("x".into()),
        version: Some("0.0.9".into()),
    }
}

#[test]
fn acquire_records_holder_and_release_clears_but_keeps_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("output"); // does not exist yet
    let lock = acquire_now(&out, "build").unwrap();
    assert_eq!(lock.path(), out.join(".evbrief.lock"));
    assert!(lock.recovered().is_none());
    assert!(lock.swept().is_empty());

    let record = HolderInfo::parse(&fs::read_to_string(lock.path()).unwrap()).unwrap();
    assert_eq!(record.pid, Some(std::process::id()));
    assert_eq!(record.command.as_deref(), Some("build"));
    assert_eq!(record.version.as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert!(record.since.is_some());

    let path = lock.path().to_owned();
    drop(lock);
    assert_eq!(
        fs::metadata(&path).unwrap().len(),
        0,
        "release clears the record"
    );

    let again = acquire_now(&out, "schedule").unwrap();
    assert!(again.recovered().is_none(), "a clean release is not stale");
    again.release().unwrap();
    assert!(path.exists(), "the lock file is never deleted");
    assert_eq!(fs::metadata(&path).unwrap().len(), 0);
    acquire_now(&out, "watch").unwrap();
}

/// flock locks belong to the open file description, so two opens of one file in the
/// same process exclude each other (POSIX fcntl locks would not).
#[test]
fn two_opens_in_one_process_conflict() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(LOCK_FILE_NAME);
    let first = open_lock_file(&path).unwrap();
    let second = open_lock_file(&path).unwrap();
    first.try_lock().unwrap();
    assert!(matches!(second.try_lock(), Err(TryLockError::WouldBlock)));
    first.unlock().unwrap();
    second.try_lock().unwrap();
    assert!(matches!(first.try_lock(), Err(TryLockError::WouldBlock)));
    drop(second); // closing releases
    first.try_lock().unwrap();
}

#[cfg(unix)]
#[test]
fn second_acquire_while_held_is_busy_and_names_the_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let first = acquire_now(tmp.path(), "watch").unwrap();

    let (info, waited) = busy_holder(acquire_now(tmp.path(), "build"));
    let info = info.expect("the holder's record is readable");
    assert_eq!(info.pid, Some(std::process::id()));
    assert_eq!(info.command.as_deref(), Some("watch"));
    assert!(waited.is_zero());

    drop(first);
    let second = acquire_now(tmp.path(), "build").unwrap();
    assert!(second.recovered().is_none());
}

#[test]
fn busy_message_says_who_and_what_to_do() {
    let error = LockError::Busy {
        path: PathBuf::from("output/.evbrief.lock"),
        holder: Some(Box::new(HolderInfo {
            version: Some(env!("CARGO_PKG_VERSION").into()),
            ..known_stale_record()
        })),
        waited: Duration::ZERO,
    };
    assert_eq!(
        error.to_string(),
        "output/.evbrief.lock is held by `evbrief build` (pid 4242 on host x, since \
         2026-11-23T07:00:01Z); wait for it to finish or pass --lock-wait SECONDS"
    );

    let error = LockError::Busy {
        path: PathBuf::from("output/.evbrief.lock"),
        holder: None,
        waited: Duration::from_millis(2500),
    };
    assert_eq!(
        error.to_string(),
        "output/.evbrief.lock is held by another evbrief process; gave up after waiting \
         2.5 s; wait for it to finish or pass a longer --lock-wait"
    );
}

#[test]
fn holder_display_shows_what_is_known() {
    assert_eq!(
        known_stale_record().to_string(),
        "`evbrief build` (pid 4242 on host x, since 2026-11-23T07:00:01Z, evbrief 0.0.9)"
    );
    let pid_only = HolderInfo {
        pid: Some(7),
        ..HolderInfo::default()
    };
    assert_eq!(
        pid_only.to_string(),
        "an unidentified evbrief process (pid 7)"
    );
    assert_eq!(
        HolderInfo::default().to_string(),
        "an unidentified evbrief process"
    );
}

#[cfg(unix)]
#[test]
fn waiting_gives_up_after_roughly_the_given_time() {
    let tmp = tempfile::tempdir().unwrap();
    let _held = acquire_now(tmp.path(), "schedule").unwrap();

    let calls = Cell::new(0);
    let seen_pid = Cell::new(None);
    let limit = Duration::from_millis(150);
    let start = Instant::now();
    let result = OutputLock::acquire(tmp.path(), &holder("build"), LockWait::For(limit), |info| {
        calls.set(calls.get() + 1);
        seen_pid.set(info.and_then(|i| i.pid));
    });
    let elapsed = start.elapsed();
    let (info, waited) = busy_holder(result);

    assert_eq!(calls.get(), 1, "on_wait is called once");
    assert_eq!(seen_pid.get(), Some(std::process::id()));
    assert_eq!(info.unwrap().command.as_deref(), Some("schedule"));
    assert!(elapsed >= limit, "gave up early: {elapsed:?}");
    assert!(
        elapsed < limit + Duration::from_millis(500),
        "overslept: {elapsed:?}"
    );
    assert!(waited >= limit && waited <= elapsed);
}

#[test]
fn waiting_succeeds_once_the_holder_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let held = acquire_now(tmp.path(), "schedule").unwrap();
    let (release, released) = mpsc::channel::<()>();
    // The holder lets go only after the waiter has announced that it waits, so the
    // test really exercises waiting, without any sleep.
    let holder_thread = thread::spawn(move || {
        released.recv().unwrap();
        drop(held);
    });

    let calls = Cell::new(0);
    let lock = OutputLock::acquire(
        tmp.path(),
        &holder("build"),
        LockWait::For(Duration::from_secs(10)),
        |_| {
            calls.set(calls.get() + 1);
            release.send(()).unwrap();
        },
    )
    .unwrap();
    holder_thread.join().unwrap();
    assert_eq!(calls.get(), 1);
    assert!(lock.recovered().is_none(), "the holder released cleanly");
}

#[test]
fn waiting_for_a_free_lock_does_not_call_on_wait() {
    let tmp = tempfile::tempdir().unwrap();
    OutputLock::acquire(
        tmp.path(),
        &holder("build"),
        LockWait::For(Duration::from_secs(10)),
        |_| panic!("the lock was free"),
    )
    .unwrap();
}

#[test]
fn a_record_left_in_an_unlocked_file_is_recovered_as_stale() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(LOCK_FILE_NAME);
    fs::write(&path, known_stale_record().to_file_text()).unwrap();

    let lock = acquire_now(tmp.path(), "build").unwrap();
    assert_eq!(lock.recovered(), Some(&known_stale_record()));
    let now_held_by = HolderInfo::parse(&fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(
        now_held_by.pid,
        Some(std::process::id()),
        "our record replaced it"
    );
    drop(lock);

    let again = acquire_now(tmp.path(), "build").unwrap();
    assert!(again.recovered().is_none());
}

#[test]
fn garbled_lock_file_is_not_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(LOCK_FILE_NAME);
    fs::write(
        &path,
        b"\xff\xfe\x00garbage\npid = twelve\n===\nsince = yesterday\n",
    )
    .unwrap();
    let lock = acquire_now(tmp.path(), "build").unwrap();
    assert_eq!(lock.recovered(), Some(&HolderInfo::default()));
    drop(lock);

    // A record cut short by a crash while it was being written.
    fs::write(&path, "# evbrief output lock\npid = 17\ncomm").unwrap();
    let lock = acquire_now(tmp.path(), "build").unwrap();
    let recovered = lock.recovered().unwrap();
    assert_eq!(recovered.pid, Some(17));
    assert_eq!(recovered.command, None);
    drop(lock);

    // Blank means nobody was recorded: nothing to recover.
    fs::write(&path, " \n\n").unwrap();
    assert!(
        acquire_now(tmp.path(), "build")
            .unwrap()
            .recovered()
            .is_none()
    );
}

#[test]
fn record_round_trips_and_parsing_is_lenient() {
    let me = HolderInfo::current("schedule");
    assert_eq!(HolderInfo::parse(&me.to_file_text()), Some(me));
    assert_eq!(
        HolderInfo::parse(&known_stale_record().to_file_text()),
        Some(known_stale_record())
    );

    assert_eq!(HolderInfo::parse(""), None);
    assert_eq!(HolderInfo::parse("  \n\t\n"), None);
    let parsed = HolderInfo::parse("  command=watch  \nunknown = 1\npid = -3\nhost =\n");
    assert_eq!(
        parsed,
        Some(HolderInfo {
            command: Some("watch".into()),
            ..HolderInfo::default()
        })
    );

    let awkward = HolderInfo {
        command: Some("build\npid = 1".into()),
        ..HolderInfo::default()
    };
    let parsed = HolderInfo::parse(&awkward.to_file_text()).unwrap();
    assert_eq!(parsed.command.as_deref(), Some("build pid = 1"));
    assert_eq!(parsed.pid, None, "a value cannot inject another line");
}

#[test]
fn sweep_removes_only_a_killed_writers_leftovers() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let editions = out.join(EDITIONS_DIR);
    let write = |rel: &str| {
        let path = out.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, b"x").unwrap();
    };
    for rel in [
        "brief.pdf",
        ".x.tmp",
        ".brief.pdf.4242.tmp",
        ".tmp",
        "notes.tmp",
        "nested/.y.tmp",
        "editions/.partial-9-1/brief.pdf",
        "editions/.partial-9-1/figures/forest.svg",
        "editions/2026-11-23/brief.pdf",
        "editions/2026-11-23/.partial-3-1/brief.pdf",
        "editions/.partial-file",
        "editions/.z.tmp",
    ] {
        write(rel);
    }
    fs::create_dir_all(out.join(".dir.tmp")).unwrap();

    let lock = acquire_now(out, "build").unwrap();
    let removed: BTreeSet<PathBuf> = lock.swept().removed.iter().cloned().collect();
    let expected: BTreeSet<PathBuf> = [
        out.join(".x.tmp"),
        out.join(".brief.pdf.4242.tmp"),
        editions.join(".partial-9-1"),
    ]
    .into_iter()
    .collect();
    assert_eq!(removed, expected);
    assert!(lock.swept().failed.is_empty());
    for path in &expected {
        assert!(!path.exists(), "{} should be gone", path.display());
    }
    for kept in [
        "brief.pdf",
        ".tmp",
        "notes.tmp",
        "nested/.y.tmp",
        ".dir.tmp",
        "editions/2026-11-23/brief.pdf",
        "editions/2026-11-23/.partial-3-1/brief.pdf",
        "editions/.partial-file",
        "editions/.z.tmp",
        LOCK_FILE_NAME,
    ] {
        assert!(out.join(kept).exists(), "{kept} should be kept");
    }
}

#[cfg(unix)]
#[test]
fn sweep_does_not_follow_symlinks() {
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    fs::create_dir_all(elsewhere.join("keep")).unwrap();
    fs::write(elsewhere.join("keep/file"), b"x").unwrap();
    let out = tmp.path().join("output");
    fs::create_dir_all(out.join(EDITIONS_DIR)).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("editions/.partial-1-1")).unwrap();

    let lock = acquire_now(&out, "build").unwrap();
    assert!(lock.swept().is_empty());
    assert!(elsewhere.join("keep/file").exists());
}

#[cfg(unix)]
#[test]
fn a_deleted_or_replaced_lock_file_is_noticed() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join(LOCK_FILE_NAME);
    let file = open_lock_file(&path).unwrap();
    assert!(is_current_file(&file, &path));
    fs::remove_file(&path).unwrap();
    assert!(!is_current_file(&file, &path));
    fs::write(&path, b"").unwrap();
    assert!(!is_current_file(&file, &path));
}

/// Environment variable that turns [`child_holds_lock_until_killed`] into the helper
/// process of [`a_killed_holder_process_leaves_a_recoverable_lock`].
const CHILD_DIR_ENV: &str = "EVBRIEF_LOCK_TEST_CHILD_DIR";
const CHILD_READY: &str = "evbrief-lock-test-child-ready";

/// Not a test on its own: in a child process started by the test below, takes the
/// lock, leaves a temporary file like an interrupted `write_atomically`, says so,
/// and waits to be killed. Without the environment variable it does nothing.
#[test]
fn child_holds_lock_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_DIR_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let _lock = acquire_now(&dir, "build").unwrap();
    fs::write(
        dir.join(format!(".brief.pdf.{}.tmp", std::process::id())),
        b"half a pdf",
    )
    .unwrap();
    let mut stdout = io::stdout();
    writeln!(stdout, "{CHILD_READY}").unwrap();
    stdout.flush().unwrap();
    // Bounded, so an orphan cannot linger if the parent dies first.
    thread::sleep(Duration::from_secs(60));
    panic!("the parent test should have killed this process");
}

/// Kills the child when the test ends, whether it passed or not.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(unix)]
#[test]
fn a_killed_holder_process_leaves_a_recoverable_lock() {
    use std::os::unix::process::ExitStatusExt;

    if std::env::var_os(CHILD_DIR_ENV).is_some() {
        return; // we are the helper process; only the helper test runs there
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("output");
    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "store::lock::tests::child_holds_lock_until_killed",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR_ENV, &out)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let child_pid = child.0.id();
    let stdout = io::BufReader::new(child.0.stdout.take().unwrap());
    let mut ready = false;
    for line in stdout.lines() {
        if line.unwrap().contains(CHILD_READY) {
            ready = true;
            break;
        }
    }
    assert!(ready, "the helper process ended without taking the lock");

    // Another process holds it: busy, and its record names it.
    let (info, _) = busy_holder(acquire_now(&out, "watch"));
    let info = info.expect("the child's record is readable");
    assert_eq!(info.pid, Some(child_pid));
    assert_eq!(info.command.as_deref(), Some("build"));

    // SIGKILL: no destructor runs, only the kernel can release the lock.
    child.0.kill().unwrap();
    let status = child.0.wait().unwrap();
    assert_eq!(status.signal(), Some(libc::SIGKILL));

    let lock = acquire_now(&out, "watch").unwrap();
    let recovered = lock
        .recovered()
        .expect("the dead child's record is reported");
    assert_eq!(recovered.pid, Some(child_pid));
    assert_eq!(recovered.command.as_deref(), Some("build"));
    assert_eq!(
        lock.swept().removed,
        vec![out.join(format!(".brief.pdf.{child_pid}.tmp"))]
    );
}
