//! The file-system side of `evbrief watch`: which changed paths matter, how a burst of
//! editor events becomes one rebuild, and the watcher that reports them.
//!
//! Three layers, each testable on its own:
//!
//! - [`classify`] maps a changed path to the [`ChangeKind`] of rebuild it calls for, or
//!   to nothing (build output, source code, editor temp files);
//! - [`next_batch`] debounces a channel of [`WatchEvent`]s into one [`ChangeSet`], so a
//!   save that touches five files starts one build, not five;
//! - [`FsWatcher`] feeds that channel from the operating system (via `notify`).
//!
//! What is watched: the project root *non-recursively* (for `brief.toml`), and `data/`,
//! `templates/` and `fonts/` recursively. Never the whole root recursively: the bundled
//! project is also a Cargo repository, and `target/` or `.git/` would cost a watch per
//! folder and a stream of irrelevant events during every `cargo build`. Folders rather
//! than single files are watched because editors save by writing a temporary file and
//! renaming it over the original, which would leave a watch on the old file behind.
//!
//! The rebuilding itself is not done here; a caller loops over [`next_batch`] (or uses
//! [`watch_loop`]) and rebuilds as much as [`ChangeSet::touches`] asks for.

use std::collections::BTreeSet;
use std::io;
use std::ops::ControlFlow;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

/// What a changed file means for the next build, weakest first.
///
/// The order (derived [`Ord`]) is by how much a rebuild must redo, so the strongest kind
/// of a burst is its maximum:
///
/// - [`Template`](Self::Template): recompile Typst with the same view model;
/// - [`Fonts`](Self::Fonts): load a new font store, then recompile;
/// - [`Data`](Self::Data): reload and re-analyse the project, then recompile;
/// - [`Config`](Self::Config): `brief.toml` may change anything, so start over.
///
/// Fonts and Data are not strictly nested (new fonts need no re-analysis, new data no
/// new font store); a rebuild that wants to skip work asks [`ChangeSet::touches`] for
/// each kind rather than relying on [`ChangeSet::kind`] alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    /// Something under `templates/` (the Typst templates and anything they include).
    Template,
    /// Something under `fonts/`.
    Fonts,
    /// Something under `data/` other than `data/drafts/`.
    Data,
    /// The project's `brief.toml`.
    Config,
}

/// The folders watched recursively, relative to the project root: the folders whose
/// every file is an input of the brief.
pub use crate::store::inputs::TRACKED_DIRS as WATCHED_FOLDERS;
pub use crate::store::inputs::{TEMP_SUFFIXES, is_ignored_name};

/// What a change of `path` means for the project at `root`, or `None` when it does not
/// concern the build.
///
/// - `brief.toml` (at the root only) → [`ChangeKind::Config`];
/// - `data/` and anything under it, except `data/drafts/` (drafts are not built) →
///   [`ChangeKind::Data`];
/// - `templates/…` → [`ChangeKind::Template`]; `fonts/…` → [`ChangeKind::Fonts`];
/// - everything else (`output/`, `src/`, `target/`, `.git/`, `README.md`, …) → `None`,
///   as is any path with an ignored component (see [`is_ignored_name`]).
///
/// An absolute `path` must lie under `root` as given, made absolute, or canonicalized
/// (watchers may report paths through a resolved symlink, e.g. `/private/var` for
/// `/var` on macOS). A relative `path` is taken as relative to `root`. Paths with `..`
/// are not guessed at and give `None`.
pub fn classify(root: &Path, path: &Path) -> Option<ChangeKind> {
    let relative = Roots::new(root).relative(path)?;
    classify_relative(&relative)
}

/// [`classify`] for a path already relative to the root and free of `.`/`..`.
fn classify_relative(relative: &Path) -> Option<ChangeKind> {
    let names: Vec<_> = relative.iter().map(|n| n.to_string_lossy()).collect();
    if names.iter().any(|n| is_ignored_name(n)) {
        return None;
    }
    match names.first()?.as_ref() {
        "brief.toml" if names.len() == 1 => Some(ChangeKind::Config),
        "data" if names.get(1).is_some_and(|n| n == "drafts") => None,
        "data" => Some(ChangeKind::Data),
        "templates" => Some(ChangeKind::Template),
        "fonts" => Some(ChangeKind::Fonts),
        _ => None,
    }
}

/// The forms a project root may take at the start of an absolute event path.
struct Roots(Vec<PathBuf>);

impl Roots {
    fn new(root: &Path) -> Self {
        let mut forms: Vec<PathBuf> = Vec::new();
        let candidates = [
            root.is_absolute().then(|| root.to_path_buf()),
            std::path::absolute(root).ok(),
            root.canonicalize().ok(),
        ];
        for form in candidates.into_iter().flatten() {
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
        Roots(forms)
    }

    /// `path` relative to the root with only normal components, if it is inside.
    fn relative(&self, path: &Path) -> Option<PathBuf> {
        let relative = if path.is_absolute() {
            self.0
                .iter()
                .find_map(|root| path.strip_prefix(root).ok())?
        } else {
            path
        };
        let mut clean = PathBuf::new();
        for component in relative.components() {
            match component {
                Component::Normal(name) => clean.push(name),
                Component::CurDir => {}
                Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        Some(clean)
    }
}

/// One report from a watcher, as sent through the channel [`next_batch`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A file or folder was created, written, removed or renamed (either name of a
    /// rename arrives as its own event). Usually absolute; see [`classify`].
    Changed(PathBuf),
    /// Events may have been missed (the kernel's queue overflowed, or the watcher
    /// failed), so anything may have changed; the text says why, for the status line.
    Lost(String),
}

impl From<PathBuf> for WatchEvent {
    fn from(path: PathBuf) -> Self {
        WatchEvent::Changed(path)
    }
}

/// The changes of one debounced burst: what the next build has to take into account.
///
/// Paths are relative to the project root, deduplicated and sorted; only paths that
/// [`classify`] accepts are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangeSet {
    paths: BTreeSet<PathBuf>,
    kinds: BTreeSet<ChangeKind>,
    lost: Option<String>,
}

impl ChangeSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `path` if it concerns the project at `root` (see [`classify`]); returns
    /// whether it did. For building sets by hand, e.g. in a rebuild's tests.
    pub fn insert(&mut self, root: &Path, path: &Path) -> bool {
        self.record(&Roots::new(root), WatchEvent::Changed(path.to_path_buf()))
    }

    /// Adds one event; true when it was relevant (so it starts or extends a burst).
    fn record(&mut self, roots: &Roots, event: WatchEvent) -> bool {
        match event {
            WatchEvent::Changed(path) => {
                let Some(relative) = roots.relative(&path) else {
                    return false;
                };
                let Some(kind) = classify_relative(&relative) else {
                    return false;
                };
                self.kinds.insert(kind);
                self.paths.insert(relative);
                true
            }
            WatchEvent::Lost(reason) => {
                self.kinds.extend([
                    ChangeKind::Template,
                    ChangeKind::Fonts,
                    ChangeKind::Data,
                    ChangeKind::Config,
                ]);
                self.lost.get_or_insert(reason);
                true
            }
        }
    }

    /// True when nothing relevant changed.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && self.lost.is_none()
    }

    /// The changed paths, relative to the project root, sorted.
    pub fn paths(&self) -> impl ExactSizeIterator<Item = &Path> + '_ {
        self.paths.iter().map(PathBuf::as_path)
    }

    /// The strongest kind of change in the set (`None` when empty); what a rebuild that
    /// does not distinguish further must redo. [`ChangeKind::Config`] when events were
    /// lost.
    pub fn kind(&self) -> Option<ChangeKind> {
        self.kinds.last().copied()
    }

    /// True when some change is of `kind` (always, when events were lost). Lets a rebuild
    /// redo exactly what is needed, e.g. both re-analyse and reload fonts.
    pub fn touches(&self, kind: ChangeKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Why events were lost, when they were: then everything must be rebuilt.
    pub fn events_lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    /// A short summary for the status line: `data/studies/hu2016.toml`,
    /// `templates/brief.typ and 2 more`, or `everything (file events were lost: …)`.
    pub fn describe(&self) -> String {
        if let Some(reason) = &self.lost {
            return format!("everything (file events were lost: {reason})");
        }
        let mut paths = self.paths.iter();
        match paths.next() {
            None => "no changes".to_string(),
            Some(first) if paths.len() == 0 => slashed(first),
            Some(first) => format!("{} and {} more", slashed(first), paths.len()),
        }
    }
}

/// A relative path with `/` between components on every platform.
fn slashed(path: &Path) -> String {
    path.iter()
        .map(|name| name.to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// How long [`next_batch`] waits after the last relevant event before it ends a burst.
pub const DEFAULT_QUIET: Duration = Duration::from_millis(100);

/// The longest [`next_batch`] collects after a burst began, so that files that never
/// stop changing (a log, a sync client) still get a build.
pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(2);

/// How bursts of events are cut into batches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Debounce {
    /// A burst ends when no relevant event arrived for this long.
    pub quiet: Duration,
    /// A burst ends at the latest this long after its first relevant event.
    pub max_wait: Duration,
}

impl Default for Debounce {
    fn default() -> Self {
        Debounce {
            quiet: DEFAULT_QUIET,
            max_wait: DEFAULT_MAX_WAIT,
        }
    }
}

/// Blocks until a relevant change arrives, then collects until no relevant event came
/// for `quiet` (at most [`DEFAULT_MAX_WAIT`] in all), and returns the burst.
///
/// Irrelevant events (see [`classify`]) neither start nor extend a burst, so builds that
/// write `output/` do not trigger themselves. Returns `None` once the channel is
/// disconnected (the watcher was dropped); a burst cut short by the disconnect is still
/// returned first.
pub fn next_batch(rx: &Receiver<WatchEvent>, root: &Path, quiet: Duration) -> Option<ChangeSet> {
    next_batch_with(
        rx,
        root,
        Debounce {
            quiet,
            max_wait: DEFAULT_MAX_WAIT,
        },
    )
}

/// [`next_batch`] with an explicit maximum wait.
pub fn next_batch_with(
    rx: &Receiver<WatchEvent>,
    root: &Path,
    debounce: Debounce,
) -> Option<ChangeSet> {
    collect_batch(rx, &Roots::new(root), debounce)
}

fn collect_batch(
    rx: &Receiver<WatchEvent>,
    roots: &Roots,
    debounce: Debounce,
) -> Option<ChangeSet> {
    let mut changes = ChangeSet::new();
    while !changes.record(roots, rx.recv().ok()?) {}
    let deadline = after(debounce.max_wait);
    let mut quiet_until = after(debounce.quiet);
    loop {
        let until = quiet_until.min(deadline);
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match rx.recv_timeout(left) {
            Ok(event) => {
                if changes.record(roots, event) {
                    quiet_until = after(debounce.quiet);
                }
            }
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => break,
        }
    }
    Some(changes)
}

/// Now plus `wait`, saturating at a year for absurd waits.
fn after(wait: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(wait)
        .unwrap_or_else(|| now + Duration::from_secs(365 * 24 * 60 * 60))
}

/// Calls `on_change` for each burst from [`next_batch`] until it returns
/// [`ControlFlow::Break`] (then returns `Break`) or the channel is disconnected (then
/// returns `Continue`).
///
/// A caller owning an [`FsWatcher`] calls [`FsWatcher::refresh`] at the start of
/// `on_change`, before rebuilding.
pub fn watch_loop(
    rx: &Receiver<WatchEvent>,
    root: &Path,
    quiet: Duration,
    mut on_change: impl FnMut(&ChangeSet) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let roots = Roots::new(root);
    let debounce = Debounce {
        quiet,
        max_wait: DEFAULT_MAX_WAIT,
    };
    while let Some(changes) = collect_batch(rx, &roots, debounce) {
        on_change(&changes)?;
    }
    ControlFlow::Continue(())
}

/// Why watching could not start (or resume).
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// The project folder's absolute path could not be determined.
    #[error("cannot resolve the project folder {}: {source}", .path.display())]
    Root {
        /// The folder as given.
        path: PathBuf,
        /// Why (the current directory is unreadable).
        source: io::Error,
    },
    /// The operating system's watcher could not be created.
    #[error("cannot start watching for file changes: {}", notify_reason(.source))]
    Start {
        /// The watcher's error.
        source: notify::Error,
    },
    /// A folder could not be watched.
    #[error("cannot watch {} for changes: {}", .path.display(), notify_reason(.source))]
    Watch {
        /// The folder.
        path: PathBuf,
        /// The watcher's error.
        source: notify::Error,
    },
}

/// A notify error in words, without the paths (which the caller names itself).
fn notify_reason(error: &notify::Error) -> String {
    match &error.kind {
        notify::ErrorKind::Generic(message) => message.clone(),
        notify::ErrorKind::Io(error) => error.to_string(),
        notify::ErrorKind::PathNotFound => "no such file or folder".into(),
        notify::ErrorKind::WatchNotFound => "it is not being watched".into(),
        notify::ErrorKind::InvalidConfig(_) => "invalid watcher configuration".into(),
        notify::ErrorKind::MaxFilesWatch => "the system's limit on watched folders was reached \
             (on Linux, raise fs.inotify.max_user_watches)"
            .into(),
    }
}

/// The events a notify report turns into: paths of creations, modifications, removals
/// and renames; nothing for accesses (Linux reports every open and close, so reading
/// `data/` during a build would otherwise trigger the next build); [`WatchEvent::Lost`]
/// for queue overflows and errors.
fn translate(report: notify::Result<notify::Event>) -> Vec<WatchEvent> {
    match report {
        Err(error) => {
            let mut reason = notify_reason(&error);
            if !error.paths.is_empty() {
                let paths: Vec<_> = error
                    .paths
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect();
                reason = format!("{reason} ({})", paths.join(", "));
            }
            vec![WatchEvent::Lost(reason)]
        }
        Ok(event) if event.need_rescan() => vec![WatchEvent::Lost(
            "the system's queue of file events overflowed".into(),
        )],
        Ok(event) if event.kind.is_access() => Vec::new(),
        Ok(event) => event.paths.into_iter().map(WatchEvent::Changed).collect(),
    }
}

/// Watches a project's inputs and sends each changed path into a channel as a
/// [`WatchEvent`]; watching stops when this is dropped.
///
/// The root is watched non-recursively (for `brief.toml`, and to see [`WATCHED_FOLDERS`]
/// appear or disappear), each of [`WATCHED_FOLDERS`] recursively if it exists.
#[derive(Debug)]
pub struct FsWatcher {
    watcher: RecommendedWatcher,
    root: PathBuf,
    /// Which of [`WATCHED_FOLDERS`] are watched now.
    folders: Vec<&'static str>,
}

impl FsWatcher {
    /// Starts watching the project at `root`, sending events into `tx`.
    ///
    /// Fails, naming the folder, when the root or one of its watched folders cannot be
    /// watched (the root does not exist, the system's watch limit is reached, …).
    pub fn new(root: &Path, tx: Sender<WatchEvent>) -> Result<Self, WatchError> {
        let root = std::path::absolute(root).map_err(|source| WatchError::Root {
            path: root.to_path_buf(),
            source,
        })?;
        let handler = move |report: notify::Result<notify::Event>| {
            for event in translate(report) {
                if tx.send(event).is_err() {
                    return;
                }
            }
        };
        let watcher =
            notify::recommended_watcher(handler).map_err(|source| WatchError::Start { source })?;
        let mut this = FsWatcher {
            watcher,
            root,
            folders: Vec::new(),
        };
        this.watcher
            .watch(&this.root, RecursiveMode::NonRecursive)
            .map_err(|source| WatchError::Watch {
                path: this.root.clone(),
                source,
            })?;
        for folder in WATCHED_FOLDERS {
            this.watch_folder(folder)?;
        }
        Ok(this)
    }

    /// The absolute project root that event paths start with.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folders watched recursively now, relative to the root.
    pub fn folders(&self) -> &[&'static str] {
        &self.folders
    }

    /// Re-establishes the watch on each of [`WATCHED_FOLDERS`] that `changes` names
    /// itself (created, removed or renamed: `mkdir templates` after starting, or a
    /// `git checkout` that replaced `data/`), or on all of them when events were lost.
    ///
    /// Call before rebuilding: a file written between the folder's appearance and this
    /// call raised no event, but the rebuild reads it anyway.
    pub fn refresh(&mut self, changes: &ChangeSet) -> Result<(), WatchError> {
        for folder in WATCHED_FOLDERS {
            if changes.lost.is_none() && !changes.paths.contains(Path::new(folder)) {
                continue;
            }
            if let Some(index) = self.folders.iter().position(|f| *f == folder) {
                self.folders.remove(index);
                // The watch may already be gone with the folder; nothing to undo then.
                let _ = self.watcher.unwatch(&self.root.join(folder));
            }
            self.watch_folder(folder)?;
        }
        Ok(())
    }

    /// Watches `root/folder` recursively if it is there.
    fn watch_folder(&mut self, folder: &'static str) -> Result<(), WatchError> {
        let path = self.root.join(folder);
        if !path.is_dir() {
            return Ok(());
        }
        match self.watcher.watch(&path, RecursiveMode::Recursive) {
            Ok(()) => {
                self.folders.push(folder);
                Ok(())
            }
            // Removed since the check: its removal was reported, a later creation will be.
            Err(error) if matches!(error.kind, notify::ErrorKind::PathNotFound) => Ok(()),
            Err(source) => Err(WatchError::Watch { path, source }),
        }
    }
}

#[cfg(test)]
#[path = "watch_tests.rs"]
mod tests;
