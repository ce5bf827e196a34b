//! Tests of `watch.rs`, kept beside it so the module itself stays short.

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
