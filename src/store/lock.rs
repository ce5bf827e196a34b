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
#[path = "lock_tests.rs"]
mod tests;
