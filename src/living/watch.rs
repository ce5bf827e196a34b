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
mod tests {
    use super::*;
    use std::fs;
    use std::sync::mpsc;
    use std::thread;

    fn changed(path: &str) -> WatchEvent {
        WatchEvent::Changed(PathBuf::from(path))
    }

    fn paths(changes: &ChangeSet) -> Vec<String> {
        changes.paths().map(slashed).collect()
    }

    /// Sends `(delay before, path)` pairs from a thread, then hangs up.
    fn feed(events: Vec<(u64, &'static str)>) -> Receiver<WatchEvent> {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for (delay, path) in events {
                thread::sleep(Duration::from_millis(delay));
                if tx.send(changed(path)).is_err() {
                    return;
                }
            }
        });
        rx
    }

    /// Sends `first`, then `path` every 2 ms until the receiver hangs up (or for 10 s).
    fn stream(first: Option<&'static str>, path: &'static str) -> Receiver<WatchEvent> {
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            if let Some(first) = first {
                let _ = tx.send(changed(first));
            }
            let limit = Instant::now() + Duration::from_secs(10);
            while Instant::now() < limit && tx.send(changed(path)).is_ok() {
                thread::sleep(Duration::from_millis(2));
            }
        });
        rx
    }

    #[test]
    fn classifies_relative_paths() {
        use ChangeKind::*;
        let table: &[(&str, Option<ChangeKind>)] = &[
            ("brief.toml", Some(Config)),
            ("./brief.toml", Some(Config)),
            ("data", Some(Data)),
            ("data/studies/hu2016.toml", Some(Data)),
            ("data/references.bib", Some(Data)),
            ("data/references.yaml", Some(Data)),
            ("data/inbox/pubmed.bib", Some(Data)),
            ("data/outcomes.csv", Some(Data)),
            ("data/brief.toml", Some(Data)),
            ("data/studies/drafts/x.toml", Some(Data)),
            ("data/drafts", None),
            ("data/drafts/x.toml", None),
            ("data/drafts/deep/x.toml", None),
            ("templates", Some(Template)),
            ("templates/brief.typ", Some(Template)),
            ("templates/parts/tables/sof.typ", Some(Template)),
            ("templates/brief.toml", Some(Template)),
            ("fonts", Some(Fonts)),
            ("fonts/Inter-Regular.otf", Some(Fonts)),
            ("", None),
            (".", None),
            ("output", None),
            ("output/brief.pdf", None),
            ("output/editions/2026-01-05/brief.pdf", None),
            ("output/.evbrief.lock", None),
            ("src/living/watch.rs", None),
            ("target/debug/evbrief", None),
            (".git/index", None),
            (".git", None),
            ("README.md", None),
            ("Cargo.toml", None),
            ("studies/brief.toml", None),
            ("Data/x.toml", None),
            ("../data/x.toml", None),
            ("data/../output/brief.pdf", None),
            // Editor and tool temp files, anywhere.
            ("brief.toml~", None),
            (".brief.toml.swp", None),
            ("templates/.brief.typ.swp", None),
            ("templates/brief.typ.swp", None),
            ("templates/brief.typ.swo", None),
            ("templates/brief.typ.swx", None),
            ("templates/brief.typ.SWP", None),
            ("templates/4913", None),
            ("templates/brief.typ.kate-swp", None),
            ("templates/brief.typ___jb_tmp___", None),
            ("templates/brief.typ___jb_old___", None),
            ("data/studies/.#hu2016.toml", None),
            ("data/studies/#hu2016.toml#", None),
            ("data/studies/hu2016.toml~", None),
            ("data/studies/hu2016.toml.tmp", None),
            ("data/studies/hu2016.toml.bak", None),
            ("data/outcomes.csv.crdownload", None),
            ("data/.DS_Store", None),
            ("data/.goutputstream-X1Y2", None),
            ("data/.cache/x.toml", None),
            ("fonts/.hidden.otf", None),
            // Near misses that are content.
            ("data/studies/4913.toml", Some(Data)),
            ("templates/swp.typ", Some(Template)),
        ];
        for &(path, expected) in table {
            assert_eq!(
                classify(Path::new("/project"), Path::new(path)),
                expected,
                "{path}"
            );
        }
    }

    #[test]
    fn classifies_absolute_paths_under_the_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            classify(root, &root.join("data/studies/x.toml")),
            Some(ChangeKind::Data)
        );
        assert_eq!(
            classify(root, &root.join("templates/parts/a.typ")),
            Some(ChangeKind::Template)
        );
        assert_eq!(
            classify(root, &root.join("brief.toml")),
            Some(ChangeKind::Config)
        );
        assert_eq!(classify(root, &root.join("output/brief.pdf")), None);
        assert_eq!(classify(root, &root.join("target/x/data/y.toml")), None);
        assert_eq!(classify(root, root), None);
        assert_eq!(classify(root, Path::new("/elsewhere/data/x.toml")), None);
        // A root given relative to the current directory still matches absolute paths.
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            classify(Path::new("."), &cwd.join("data/x.toml")),
            Some(ChangeKind::Data)
        );
        assert_eq!(classify(Path::new("."), &cwd.join("target/x")), None);
    }

    #[cfg(unix)]
    #[test]
    fn classifies_paths_through_the_canonical_root() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        fs::create_dir(&real).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let canonical = real.canonicalize().unwrap();
        assert_eq!(
            classify(&link, &canonical.join("templates/brief.typ")),
            Some(ChangeKind::Template)
        );
        assert_eq!(
            classify(&link, &link.join("templates/brief.typ")),
            Some(ChangeKind::Template)
        );
        assert_eq!(classify(&link, &canonical.join("output/brief.pdf")), None);
    }

    #[test]
    fn kinds_are_ordered_by_the_work_they_need() {
        use ChangeKind::*;
        assert!(Template < Fonts && Fonts < Data && Data < Config);
        assert_eq!([Data, Template].into_iter().max(), Some(Data));
    }

    #[test]
    fn change_sets_deduplicate_sort_and_describe() {
        let root = Path::new("/project");
        let mut changes = ChangeSet::new();
        assert!(changes.is_empty());
        assert_eq!(changes.kind(), None);
        assert_eq!(changes.describe(), "no changes");

        assert!(changes.insert(root, Path::new("/project/templates/brief.typ")));
        assert_eq!(changes.describe(), "templates/brief.typ");
        assert_eq!(changes.kind(), Some(ChangeKind::Template));

        assert!(changes.insert(root, Path::new("templates/brief.typ")));
        assert!(!changes.insert(root, Path::new("output/brief.pdf")));
        assert!(!changes.insert(root, Path::new("templates/.brief.typ.swp")));
        assert!(changes.insert(root, Path::new("data/studies/hu2016.toml")));
        assert!(changes.insert(root, Path::new("fonts/a.otf")));
        assert!(!changes.is_empty());
        assert_eq!(
            paths(&changes),
            [
                "data/studies/hu2016.toml",
                "fonts/a.otf",
                "templates/brief.typ"
            ]
        );
        assert_eq!(changes.kind(), Some(ChangeKind::Data));
        assert!(changes.touches(ChangeKind::Fonts));
        assert!(changes.touches(ChangeKind::Template));
        assert!(!changes.touches(ChangeKind::Config));
        assert_eq!(changes.events_lost(), None);
        assert_eq!(changes.describe(), "data/studies/hu2016.toml and 2 more");
    }

    #[test]
    fn lost_events_mean_everything_changed() {
        let (tx, rx) = mpsc::channel();
        tx.send(changed("output/brief.pdf")).unwrap();
        tx.send(WatchEvent::Lost("queue overflowed".into()))
            .unwrap();
        drop(tx);
        let changes = next_batch(&rx, Path::new("/project"), Duration::from_millis(5)).unwrap();
        assert!(!changes.is_empty());
        assert_eq!(changes.kind(), Some(ChangeKind::Config));
        assert!(changes.touches(ChangeKind::Fonts));
        assert_eq!(changes.events_lost(), Some("queue overflowed"));
        assert_eq!(
            changes.describe(),
            "everything (file events were lost: queue overflowed)"
        );
    }

    #[test]
    fn translates_notify_reports() {
        use notify::event::{
            AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind, RenameMode,
        };
        use notify::{Event, EventKind};
        let a = PathBuf::from("/p/data/a.toml");
        let b = PathBuf::from("/p/data/b.toml");
        let report = |kind| -> notify::Result<Event> { Ok(Event::new(kind).add_path(a.clone())) };
        for kind in [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Remove(RemoveKind::File),
            EventKind::Any,
        ] {
            assert_eq!(translate(report(kind)), [WatchEvent::Changed(a.clone())]);
        }
        for kind in [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
        ] {
            assert!(translate(report(kind)).is_empty());
        }
        let rename = Event::new(EventKind::Modify(ModifyKind::Name(RenameMode::Both)))
            .add_path(b.clone())
            .add_path(a.clone());
        assert_eq!(
            translate(Ok(rename)),
            [WatchEvent::Changed(b), WatchEvent::Changed(a)]
        );
        let overflow = Event::new(EventKind::Other).set_flag(notify::event::Flag::Rescan);
        assert!(matches!(
            &translate(Ok(overflow))[..],
            [WatchEvent::Lost(_)]
        ));
        let error = notify::Error::new(notify::ErrorKind::MaxFilesWatch)
            .add_path(PathBuf::from("/p/data/deep"));
        match &translate(Err(error))[..] {
            [WatchEvent::Lost(reason)] => {
                assert!(reason.contains("max_user_watches"), "{reason}");
                assert!(reason.contains("/p/data/deep"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn queued_events_form_one_batch_then_disconnect_ends() {
        let (tx, rx) = mpsc::channel();
        for path in [
            "data/b.toml",
            "output/brief.pdf",
            "data/a.toml",
            "data/b.toml",
        ] {
            tx.send(changed(path)).unwrap();
        }
        drop(tx);
        let root = Path::new("/project");
        let changes = next_batch(&rx, root, Duration::from_millis(20)).unwrap();
        assert_eq!(paths(&changes), ["data/a.toml", "data/b.toml"]);
        assert_eq!(next_batch(&rx, root, Duration::from_millis(20)), None);
    }

    #[test]
    fn disconnect_without_events_gives_none() {
        let (tx, rx) = mpsc::channel::<WatchEvent>();
        drop(tx);
        assert_eq!(
            next_batch(&rx, Path::new("/p"), Duration::from_millis(5)),
            None
        );
        // Only irrelevant events before the hang-up: still nothing to build.
        let rx = feed(vec![(0, "output/brief.pdf"), (2, "target/x")]);
        assert_eq!(
            next_batch(&rx, Path::new("/p"), Duration::from_millis(5)),
            None
        );
    }

    #[test]
    fn a_burst_gives_one_batch_of_the_strongest_kind() {
        let rx = feed(vec![
            (0, "/project/templates/brief.typ"),
            (2, "/project/data/studies/hu2016.toml"),
            (2, "/project/templates/brief.typ"),
            (2, "/project/output/brief.pdf"),
            (2, "/project/templates/parts/sof.typ"),
        ]);
        let root = Path::new("/project");
        // The gaps are 2 ms, but a loaded machine may oversleep by tens of milliseconds:
        // a generous quiet period keeps the test about debouncing, not about scheduling.
        let quiet = Duration::from_millis(200);
        let changes = next_batch(&rx, root, quiet).unwrap();
        assert_eq!(
            paths(&changes),
            [
                "data/studies/hu2016.toml",
                "templates/brief.typ",
                "templates/parts/sof.typ"
            ]
        );
        assert_eq!(changes.kind(), Some(ChangeKind::Data));
        assert!(changes.touches(ChangeKind::Template));
        assert_eq!(next_batch(&rx, root, quiet), None);
    }

    #[test]
    fn events_far_apart_give_separate_batches() {
        let rx = feed(vec![(0, "templates/brief.typ"), (100, "brief.toml")]);
        let root = Path::new("/project");
        let first = next_batch(&rx, root, Duration::from_millis(20)).unwrap();
        assert_eq!(paths(&first), ["templates/brief.typ"]);
        assert_eq!(first.kind(), Some(ChangeKind::Template));
        let second = next_batch(&rx, root, Duration::from_millis(20)).unwrap();
        assert_eq!(paths(&second), ["brief.toml"]);
        assert_eq!(second.kind(), Some(ChangeKind::Config));
        assert_eq!(next_batch(&rx, root, Duration::from_millis(20)), None);
    }

    #[test]
    fn irrelevant_events_do_not_start_a_batch() {
        let rx = feed(vec![
            (0, "output/brief.pdf"),
            (2, "output/.evbrief.lock"),
            (2, "templates/.brief.typ.swp"),
            (2, "data/drafts/new.toml"),
            (2, ".git/index"),
            (50, "output/brief.pdf"),
            (2, "data/studies/x.toml"),
        ]);
        let changes = next_batch(&rx, Path::new("/project"), Duration::from_millis(10)).unwrap();
        assert_eq!(paths(&changes), ["data/studies/x.toml"]);
    }

    #[test]
    fn irrelevant_events_do_not_extend_a_batch() {
        // One real change, then build output every 2 ms for up to 10 s: the batch must end
        // after the quiet period, long before the maximum wait.
        let rx = stream(Some("data/studies/x.toml"), "output/brief.pdf");
        let start = Instant::now();
        let debounce = Debounce {
            quiet: Duration::from_millis(20),
            max_wait: Duration::from_secs(5),
        };
        let changes = next_batch_with(&rx, Path::new("/project"), debounce).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(paths(&changes), ["data/studies/x.toml"]);
    }

    #[test]
    fn a_never_ending_stream_is_cut_at_the_maximum_wait() {
        // A relevant change every 2 ms for up to 10 s never leaves 20 ms of quiet.
        let rx = stream(None, "data/outcomes.csv");
        let start = Instant::now();
        let debounce = Debounce {
            quiet: Duration::from_millis(20),
            max_wait: Duration::from_millis(60),
        };
        let changes = next_batch_with(&rx, Path::new("/project"), debounce).unwrap();
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "{:?}",
            start.elapsed()
        );
        assert_eq!(paths(&changes), ["data/outcomes.csv"]);
        // The stream is still going: the next batch comes too.
        assert!(next_batch_with(&rx, Path::new("/project"), debounce).is_some());
    }

    #[test]
    fn watch_loop_stops_when_asked_or_when_events_end() {
        let rx = feed(vec![
            (0, "data/a.toml"),
            (60, "fonts/b.otf"),
            (60, "brief.toml"),
        ]);
        let mut seen = Vec::new();
        let end = watch_loop(&rx, Path::new("/p"), Duration::from_millis(10), |changes| {
            seen.push(changes.describe());
            if seen.len() == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(end, ControlFlow::Break(()));
        assert_eq!(seen, ["data/a.toml", "fonts/b.otf"]);

        let rx = feed(vec![(0, "data/a.toml")]);
        let end = watch_loop(&rx, Path::new("/p"), Duration::from_millis(5), |_| {
            ControlFlow::Continue(())
        });
        assert_eq!(end, ControlFlow::Continue(()));
    }

    /// Forwards events for at most `limit`, then hangs up, so a missing event fails the
    /// test instead of hanging it.
    fn until(rx: Receiver<WatchEvent>, limit: Duration) -> Receiver<WatchEvent> {
        let (tx, out) = mpsc::channel();
        thread::spawn(move || {
            let deadline = Instant::now() + limit;
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                let Ok(event) = rx.recv_timeout(left) else {
                    return;
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        });
        out
    }

    /// Batches until one names `wanted` (or the time is up); all paths seen on the way.
    fn wait_for(rx: &Receiver<WatchEvent>, root: &Path, wanted: &str) -> (Vec<String>, bool) {
        let mut seen = Vec::new();
        while let Some(changes) = next_batch(rx, root, Duration::from_millis(50)) {
            seen.extend(paths(&changes));
            if seen.iter().any(|p| p == wanted) {
                return (seen, true);
            }
        }
        (seen, false)
    }

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("brief.toml"), "title = 'x'\n").unwrap();
        fs::create_dir_all(dir.path().join("data/studies")).unwrap();
        fs::create_dir_all(dir.path().join("data/drafts")).unwrap();
        dir
    }

    #[test]
    fn the_file_system_watcher_reports_data_but_not_output() {
        let dir = project();
        let root = dir.path();
        fs::create_dir_all(root.join("templates")).unwrap();
        fs::create_dir_all(root.join("target/debug")).unwrap();
        let (tx, rx) = mpsc::channel();
        let watcher = FsWatcher::new(root, tx).unwrap();
        assert_eq!(watcher.folders(), ["data", "templates"]);
        let rx = until(rx, Duration::from_secs(5));

        fs::create_dir_all(root.join("output")).unwrap();
        fs::write(root.join("output/brief.pdf"), "%PDF").unwrap();
        fs::write(root.join("target/debug/evbrief"), "bin").unwrap();
        fs::write(root.join("data/drafts/y.toml"), "id = 'y'").unwrap();
        fs::write(root.join("data/studies/x.toml"), "id = 'x'").unwrap();
        fs::write(root.join("output/brief.pdf"), "%PDF-2").unwrap();
        // Reading is not a change.
        fs::read(root.join("data/studies/x.toml")).unwrap();

        let (seen, found) = wait_for(&rx, root, "data/studies/x.toml");
        assert!(found, "{seen:?}");
        assert!(
            seen.iter().all(|p| p.starts_with("data/studies")),
            "{seen:?}"
        );
        let mut changes = ChangeSet::new();
        for path in &seen {
            changes.insert(root, Path::new(path));
        }
        assert_eq!(changes.kind(), Some(ChangeKind::Data));
        drop(watcher);
    }

    #[test]
    fn the_file_system_watcher_sees_editors_replace_files() {
        let dir = project();
        let root = dir.path();
        fs::create_dir_all(root.join("templates/parts")).unwrap();
        fs::write(root.join("templates/parts/sof.typ"), "old").unwrap();
        let (tx, rx) = mpsc::channel();
        let _watcher = FsWatcher::new(root, tx).unwrap();
        let rx = until(rx, Duration::from_secs(5));

        let temp = root.join("templates/parts/.sof.typ.swp");
        fs::write(&temp, "new").unwrap();
        fs::rename(&temp, root.join("templates/parts/sof.typ")).unwrap();

        let (seen, found) = wait_for(&rx, root, "templates/parts/sof.typ");
        assert!(found, "{seen:?}");
        assert!(
            seen.iter().all(|p| p == "templates/parts/sof.typ"),
            "{seen:?}"
        );
    }

    #[test]
    fn refresh_follows_folders_that_appear_and_disappear() {
        let dir = project();
        let root = dir.path();
        let (tx, rx) = mpsc::channel();
        let mut watcher = FsWatcher::new(root, tx).unwrap();
        assert_eq!(watcher.folders(), ["data"]);
        let rx = until(rx, Duration::from_secs(10));
        let mut templates_changed = ChangeSet::new();
        templates_changed.insert(root, Path::new("templates"));

        // Created after the start: the root's watch reports it, refresh watches inside.
        fs::create_dir(root.join("templates")).unwrap();
        let (seen, found) = wait_for(&rx, root, "templates");
        assert!(found, "{seen:?}");
        watcher.refresh(&templates_changed).unwrap();
        assert_eq!(watcher.folders(), ["data", "templates"]);
        fs::write(root.join("templates/brief.typ"), "= Brief").unwrap();
        let (seen, found) = wait_for(&rx, root, "templates/brief.typ");
        assert!(found, "{seen:?}");

        // Removed, then created again (as a checkout of another branch may do).
        fs::remove_dir_all(root.join("templates")).unwrap();
        let (seen, found) = wait_for(&rx, root, "templates");
        assert!(found, "{seen:?}");
        watcher.refresh(&templates_changed).unwrap();
        assert_eq!(watcher.folders(), ["data"]);
        fs::create_dir(root.join("templates")).unwrap();
        let (seen, found) = wait_for(&rx, root, "templates");
        assert!(found, "{seen:?}");
        watcher.refresh(&templates_changed).unwrap();
        assert_eq!(watcher.folders(), ["data", "templates"]);
        fs::write(root.join("templates/brief.typ"), "= Again").unwrap();
        let (seen, found) = wait_for(&rx, root, "templates/brief.typ");
        assert!(found, "{seen:?}");
    }

    #[test]
    fn watching_a_missing_project_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-project");
        let (tx, _rx) = mpsc::channel();
        let error = FsWatcher::new(&missing, tx).unwrap_err();
        let message = error.to_string();
        assert!(matches!(error, WatchError::Watch { .. }), "{error:?}");
        assert!(message.contains("no-such-project"), "{message}");
        assert!(message.contains("no such file or folder"), "{message}");
    }
}
