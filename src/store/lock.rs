//! One writer per output folder: `output/.evbrief.lock`.
//!
//! A cron `build`, a `schedule` daemon and a `watch` session may all point at the same
//! project. Two of them writing `output/` at once would interleave editions and race on
//! renames, so every writer first takes [`OutputLock`].
//!
//! The exclusion itself is an OS advisory lock on the lock file ([`File::try_lock`],
//! `flock(2)` on Linux). The kernel drops it when the holding process exits for any
//! reason, SIGKILL included, so correctness never depends on guessing whether a PID is
//! still alive. The file's *content* only says who holds it (see [`HolderInfo`]), so a
//! second process can print a useful message instead of "resource busy".
//!
//! Release truncates the content and unlocks; the file itself is never deleted, because
//! deleting a locked file lets a waiter lock the old, unlinked inode while a newcomer
//! locks a fresh one, and both would believe they hold the lock. Non-empty content found
//! by a process that has just acquired the lock therefore means the previous holder died
//! without releasing: [`OutputLock::recovered`] reports it, and [`OutputLock::acquire`]
//! sweeps the temporary files such a writer may have left behind ([`OutputLock::swept`]).
//!
//! Advisory means advisory: only processes that take this lock are kept out. On network
//! file systems `flock` may be local to one machine, which is why the holder records its
//! host name. On Windows, where `try_lock` is a mandatory `LockFileEx` lock, the record
//! of a busy lock may be unreadable, and [`LockError::Busy`] then names no holder.

use std::fmt;
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

/// Name of the lock file inside the output folder.
pub const LOCK_FILE_NAME: &str = ".evbrief.lock";

use super::editions::{EDITIONS_DIR, PARTIAL_PREFIX as PARTIAL_EDITION_PREFIX};

/// How often a waiting process retries the lock. Short enough that a waiter starts
/// soon after the holder finishes, long enough not to spin.
const POLL_INTERVAL: Duration = Duration::from_millis(25);

/// How often acquiring starts over because the lock file was swapped under it before
/// giving up.
const MAX_REPLACED: u32 = 8;

/// At most this much of the lock file is read; the holder writes a few hundred bytes, so
/// anything longer is garbage that must not be slurped into memory.
const MAX_HOLDER_BYTES: u64 = 16 * 1024;

/// Who holds (or held) an output lock, as written into the lock file.
///
/// Every field is optional because the file is read leniently: a half-written, garbled
/// or hand-edited file yields whatever could be understood, never an error. The
/// [`Display`](fmt::Display) form reads like "`evbrief build` (pid 4242 on host x, since
/// 2026-11-23T07:00:01Z)".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolderInfo {
    /// Process id of the holder.
    pub pid: Option<u32>,
    /// The evbrief subcommand that took the lock (`build`, `schedule`, `watch`, ...).
    pub command: Option<String>,
    /// When the lock was taken, in UTC.
    pub since: Option<DateTime<Utc>>,
    /// Host name of the holder's machine, when it could be found cheaply.
    pub host: Option<String>,
    /// evbrief version of the holder.
    pub version: Option<String>,
}

impl HolderInfo {
    /// Describes this process, running evbrief subcommand `command`, as of now (to the
    /// second, which is what the file records).
    pub fn current(command: &str) -> HolderInfo {
        HolderInfo {
            pid: Some(std::process::id()),
            command: Some(command.to_owned()),
            since: Some(Utc::now().trunc_subsecs(0)),
            host: hostname(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }

    /// Parses lock-file content. `None` when the content is blank (nobody recorded
    /// anything); otherwise whatever `key = value` lines could be understood, ignoring
    /// unknown keys and malformed lines, so an unreadable file gives a `HolderInfo` with
    /// every field `None`.
    pub fn parse(text: &str) -> Option<HolderInfo> {
        if text.trim().is_empty() {
            return None;
        }
        let mut info = HolderInfo::default();
        for line in text.lines() {
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match key.trim() {
                "pid" => info.pid = value.parse().ok(),
                "command" => info.command = Some(value.to_owned()),
                "since" => {
                    info.since = DateTime::parse_from_rfc3339(value)
                        .ok()
                        .map(|t| t.with_timezone(&Utc))
                }
                "host" => info.host = Some(value.to_owned()),
                "version" => info.version = Some(value.to_owned()),
                _ => {}
            }
        }
        Some(info)
    }

    /// The lock-file content for this holder: a comment line, then one `key = value`
    /// line per known field. Values are kept on one line so [`HolderInfo::parse`] reads
    /// back exactly what was written.
    pub fn to_file_text(&self) -> String {
        let mut text = String::from(
            "# evbrief output lock: held by the process below while it writes this folder\n",
        );
        let mut line = |key: &str, value: &str| {
            text.push_str(key);
            text.push_str(" = ");
            text.push_str(&one_line(value));
            text.push('\n');
        };
        if let Some(pid) = self.pid {
            line("pid", &pid.to_string());
        }
        if let Some(command) = &self.command {
            line("command", command);
        }
        if let Some(since) = &self.since {
            line("since", &since.to_rfc3339_opts(SecondsFormat::Secs, true));
        }
        if let Some(host) = &self.host {
            line("host", host);
        }
        if let Some(version) = &self.version {
            line("version", version);
        }
        text
    }
}

impl fmt::Display for HolderInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.command {
            Some(command) => write!(f, "`evbrief {command}`")?,
            None => f.write_str("an unidentified evbrief process")?,
        }
        let mut details = Vec::new();
        if let Some(pid) = self.pid {
            match &self.host {
                Some(host) => details.push(format!("pid {pid} on host {host}")),
                None => details.push(format!("pid {pid}")),
            }
        } else if let Some(host) = &self.host {
            details.push(format!("on host {host}"));
        }
        if let Some(since) = &self.since {
            details.push(format!(
                "since {}",
                since.to_rfc3339_opts(SecondsFormat::Secs, true)
            ));
        }
        if let Some(version) = &self.version
            && version != env!("CARGO_PKG_VERSION")
        {
            details.push(format!("evbrief {version}"));
        }
        if !details.is_empty() {
            write!(f, " ({})", details.join(", "))?;
        }
        Ok(())
    }
}

/// How long [`OutputLock::acquire`] waits for a busy lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWait {
    /// Fail at once with [`LockError::Busy`].
    NoWait,
    /// Retry until the lock is free or this much time has passed (`--lock-wait`).
    /// `Duration::MAX` waits indefinitely.
    For(Duration),
}

/// Why the output lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock (and still did when waiting ran out).
    #[error("{path} is held by {}; {}", describe_holder(.holder.as_deref()), busy_advice(*.waited))]
    Busy {
        /// The lock file.
        path: PathBuf,
        /// Who holds it, if the lock file said so (boxed to keep the error small).
        holder: Option<Box<HolderInfo>>,
        /// How long this process waited before giving up (zero if it did not wait).
        waited: Duration,
    },
    /// The lock file or its folder could not be created, opened, locked or written.
    #[error("cannot use lock file {path} ({source})")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

fn describe_holder(holder: Option<&HolderInfo>) -> String {
    match holder {
        Some(info) => info.to_string(),
        None => "another evbrief process".to_owned(),
    }
}

fn busy_advice(waited: Duration) -> String {
    if waited.is_zero() {
        "wait for it to finish or pass --lock-wait SECONDS".to_owned()
    } else {
        format!(
            "gave up after waiting {:.1} s; wait for it to finish or pass a longer --lock-wait",
            waited.as_secs_f64()
        )
    }
}

/// What [`OutputLock::acquire`] cleaned out of the output folder: leftovers of a writer
/// that was killed mid-write. Removing them is safe only because the lock is held.
#[derive(Debug, Default)]
pub struct Sweep {
    /// Files and folders that were removed.
    pub removed: Vec<PathBuf>,
    /// Leftovers that could not be removed, with the reason; never fatal.
    pub failed: Vec<(PathBuf, io::Error)>,
}

impl Sweep {
    /// True when nothing was found to clean up.
    pub fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.failed.is_empty()
    }
}

/// Exclusive right to write one output folder, held until dropped or
/// [`released`](OutputLock::release).
///
/// The lock belongs to the open file, not to the thread: it may be moved between
/// threads, and std opens files close-on-exec, so spawned child programs do not inherit
/// it.
#[derive(Debug)]
pub struct OutputLock {
    /// `None` once released.
    file: Option<File>,
    path: PathBuf,
    recovered: Option<HolderInfo>,
    swept: Sweep,
}

impl OutputLock {
    /// Takes the lock on `output_dir` (created if missing), records `holder` in
    /// `output_dir/.evbrief.lock`, and sweeps leftovers of killed writers.
    ///
    /// When the lock is busy, [`LockWait::NoWait`] fails at once with
    /// [`LockError::Busy`]; [`LockWait::For`] calls `on_wait` once, with whoever holds
    /// the lock, and retries every few milliseconds until the lock is free or the time
    /// is up.
    pub fn acquire(
        output_dir: &Path,
        holder: &HolderInfo,
        wait: LockWait,
        on_wait: impl FnOnce(Option<&HolderInfo>),
    ) -> Result<OutputLock, LockError> {
        let path = output_dir.join(LOCK_FILE_NAME);
        let io_error = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        fs::create_dir_all(output_dir).map_err(io_error)?;

        let start = Instant::now();
        let deadline = match wait {
            LockWait::NoWait => Some(start),
            LockWait::For(limit) => start.checked_add(limit),
        };
        let mut on_wait = Some(on_wait);
        let mut replaced = 0;
        let mut file = open_lock_file(&path).map_err(io_error)?;
        loop {
            match file.try_lock() {
                Ok(()) => {
                    if is_current_file(&file, &path) {
                        break;
                    }
                    // Someone deleted or replaced the lock file while we had it open:
                    // holding the old inode excludes nobody. Start over on the new file,
                    // but not forever, in case a file system reports unstable inodes.
                    replaced += 1;
                    if replaced > MAX_REPLACED {
                        return Err(io_error(io::Error::other(
                            "the lock file keeps being deleted or replaced",
                        )));
                    }
                    drop(file);
                    file = open_lock_file(&path).map_err(io_error)?;
                    continue;
                }
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(source)) => return Err(io_error(source)),
            }
            let now = Instant::now();
            if deadline.is_some_and(|deadline| now >= deadline) {
                // `on_wait` is still there if this process never waited.
                let waited = match on_wait {
                    Some(_) => Duration::ZERO,
                    None => now - start,
                };
                return Err(LockError::Busy {
                    path,
                    holder: read_holder(&mut file).map(Box::new),
                    waited,
                });
            }
            if let Some(on_wait) = on_wait.take() {
                on_wait(read_holder(&mut file).as_ref());
            }
            let pause = match deadline {
                Some(deadline) => POLL_INTERVAL.min(deadline - now),
                None => POLL_INTERVAL,
            };
            thread::sleep(pause);
        }

        // Locked. Anything still in the file was written by a holder that never
        // released: it died, since the kernel dropped its lock.
        let recovered = read_holder(&mut file);
        write_holder(&mut file, holder).map_err(io_error)?;
        let swept = sweep_leftovers(output_dir);
        Ok(OutputLock {
            file: Some(file),
            path,
            recovered,
            swept,
        })
    }

    /// The lock file (`<output>/.evbrief.lock`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The previous holder, if it died without releasing the lock (its record was still
    /// in the file). Worth telling the user, since its last write may be incomplete.
    pub fn recovered(&self) -> Option<&HolderInfo> {
        self.recovered.as_ref()
    }

    /// What was cleaned out of the output folder after taking the lock.
    pub fn swept(&self) -> &Sweep {
        &self.swept
    }

    /// Releases the lock now, reporting a failure to clear the lock file (which
    /// [`Drop`] has to ignore). The lock is released even when this returns an error.
    pub fn release(mut self) -> Result<(), LockError> {
        self.release_inner().map_err(|source| LockError::Io {
            path: self.path.clone(),
            source,
        })
    }

    /// Clears the holder record, then unlocks, so the next holder never reads this
    /// process's record as a stale one. The file stays in place (see the module docs).
    fn release_inner(&mut self) -> io::Result<()> {
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let cleared = file.set_len(0);
        let unlocked = file.unlock();
        // Closing the file would unlock it too; `unlock` just makes the order explicit.
        drop(file);
        cleared.and(unlocked)
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        let _ = self.release_inner();
    }
}

/// Opens (creating if needed) the lock file without truncating it: its content belongs
/// to whoever holds the lock.
fn open_lock_file(path: &Path) -> io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
}

/// True when `file` is still the file at `path`, i.e. nobody deleted or replaced it
/// after it was opened.
#[cfg(unix)]
fn is_current_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Without inode numbers the check cannot be made; assume nobody swapped the file.
#[cfg(not(unix))]
fn is_current_file(_file: &File, _path: &Path) -> bool {
    true
}

/// Reads the holder record leniently: unreadable or blank content gives `None`.
fn read_holder(file: &mut File) -> Option<HolderInfo> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.take(MAX_HOLDER_BYTES).read_to_end(&mut bytes).ok()?;
    HolderInfo::parse(&String::from_utf8_lossy(&bytes))
}

/// Replaces the file's content with `holder`'s record.
fn write_holder(file: &mut File, holder: &HolderInfo) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(holder.to_file_text().as_bytes())?;
    file.flush()
}

/// Removes what a killed writer may have left directly in `output_dir` (temporary files
/// of [`super::atomic::write_atomically`], `.<name>.<pid>.tmp`) and in
/// `output_dir/editions` (`.partial-*` folders). Nothing else, and no deeper folders.
fn sweep_leftovers(output_dir: &Path) -> Sweep {
    let mut sweep = Sweep::default();
    remove_matching(output_dir, &mut sweep, |name, kind| {
        kind.is_file() && super::atomic::is_temporary_name(name)
    });
    remove_matching(&output_dir.join(EDITIONS_DIR), &mut sweep, |name, kind| {
        kind.is_dir() && name.starts_with(PARTIAL_EDITION_PREFIX)
    });
    sweep
}

/// Removes the entries of `dir` for which `matches(name, file type)` holds; symbolic
/// links are never followed. A missing `dir` is not an error.
fn remove_matching(dir: &Path, sweep: &mut Sweep, matches: impl Fn(&str, fs::FileType) -> bool) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return,
        Err(error) => {
            sweep.failed.push((dir.to_owned(), error));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                sweep.failed.push((dir.to_owned(), error));
                continue;
            }
        };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !matches(name, kind) {
            continue;
        }
        let path = entry.path();
        let removed = if kind.is_dir() {
            fs::remove_dir_all(&path)
        } else {
            fs::remove_file(&path)
        };
        match removed {
            Ok(()) => sweep.removed.push(path),
            Err(error) => sweep.failed.push((path, error)),
        }
    }
}

/// The machine's name, if it can be read cheaply; only informative.
fn hostname() -> Option<String> {
    let usable = |name: String| Some(one_line(name.trim())).filter(|name| !name.is_empty());
    let from_file = |path: &str| fs::read_to_string(path).ok().and_then(usable);
    from_file("/etc/hostname")
        .or_else(|| std::env::var("HOSTNAME").ok().and_then(usable))
        .or_else(|| from_file("/proc/sys/kernel/hostname"))
}

/// `value` with line breaks and other control characters replaced by spaces, so it fits
/// on one `key = value` line.
fn one_line(value: &str) -> String {
    value
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
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
        let result =
            OutputLock::acquire(tmp.path(), &holder("build"), LockWait::For(limit), |info| {
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
}
