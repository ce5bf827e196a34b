//! Benchmark of a cold `evbrief build`: the bundled brief, and a synthetic project whose
//! one outcome has 300 studies (a forest plot over eight pages), and the handout, slides and
//! Chinese edition of the bundled brief. Wall time and peak memory.
//! Then the watch-mode rebuild of the bundled brief after a one-value edit and after a
//! template edit, in process with one kept-alive Typst world, as `evbrief watch` does it.
//!
//! Run with `cargo bench --bench build`. Each sample spawns the release binary as a new
//! process (cold: fonts, data and templates loaded from scratch); peak memory is the
//! largest resident set of those children (`getrusage(RUSAGE_CHILDREN)`), so it is the
//! peak over everything run so far: the bundled brief is measured first.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile_dir();
    measure("cold build of the bundled brief", &root, &out_dir, 15, &[]);
    for (what, args) in [
        ("cold build of the handout", &["--format", "handout"][..]),
        ("cold build of the slides", &["--format", "slides"][..]),
        ("cold build of the Chinese brief", &["--lang", "zh"][..]),
    ] {
        measure(what, &root, &out_dir, 9, args);
    }

    let synthetic = out_dir.join("synthetic-300");
    let spec = evbrief::synthetic::SyntheticSpec {
        studies: 300,
        outcomes: 1,
        seed: 1,
        subgroups: true,
    };
    evbrief::synthetic::write_project(&synthetic, Some(&root.join("templates")), &spec)
        .expect("write the synthetic project");
    measure(
        "cold build, one outcome with 300 studies (two subgroups)",
        &synthetic,
        &out_dir,
        5,
        &[],
    );
    watch_rebuilds(&root, &out_dir, 15);
    let _ = std::fs::remove_dir_all(out_dir);
}

/// Median rebuild time of a watch session over a copy of the bundled brief, after an edit
/// of one reported value and after an edit of the template.
fn watch_rebuilds(repo: &Path, out_dir: &Path, samples: usize) {
    use evbrief::living::watch::ChangeSet;

    let project = out_dir.join("watch");
    std::fs::create_dir_all(&project).expect("mkdir");
    for item in ["brief.toml", "data", "templates"] {
        copy(&repo.join(item), &project.join(item));
    }
    let (mut session, lock) = support::built_watch_session(&project);

    let study = project.join("data/studies/zang-plagh-rct.toml");
    let original = std::fs::read_to_string(&study).expect("study");
    assert!(original.contains("mean = 7.46"), "the edited value moved");
    let template = project.join("templates/brief.typ");
    let template_text = std::fs::read_to_string(&template).expect("template");
    let mut data_times = Vec::new();
    let mut template_times = Vec::new();
    let mut export_times = Vec::new();
    for i in 0..samples {
        let value = format!("mean = 7.{}", 40 + i);
        std::fs::write(&study, original.replace("mean = 7.46", &value)).expect("edit");
        let mut changes = ChangeSet::new();
        changes.insert(&project, &study);
        let done = session
            .rebuild(&lock, Some(&changes))
            .expect("data rebuild");
        data_times.push(done.elapsed.as_secs_f64() * 1e3);
        export_times.push(done.report.timings.export.as_secs_f64() * 1e3);

        std::fs::write(&template, format!("{template_text}\n// edit {i}\n")).expect("edit");
        let mut changes = ChangeSet::new();
        changes.insert(&project, &template);
        let done = session
            .rebuild(&lock, Some(&changes))
            .expect("template rebuild");
        template_times.push(done.elapsed.as_secs_f64() * 1e3);
    }
    for (what, mut times) in [
        ("watch rebuild after a one-value data edit", data_times),
        ("watch rebuild after a template edit", template_times),
        ("  of a data rebuild, the PDF export", export_times),
    ] {
        times.sort_by(f64::total_cmp);
        println!(
            "{what}: median {:.1} ms, min {:.1} ms, max {:.1} ms over {samples} rebuilds",
            times[samples / 2],
            times[0],
            times[samples - 1]
        );
    }
}

fn copy(from: &Path, to: &Path) {
    if from.is_dir() {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            copy(&entry.path(), &to.join(entry.file_name()));
        }
    } else {
        std::fs::copy(from, to).expect("copy");
    }
}

/// Spawns `samples` cold builds of `project` (with `args` added) and prints the median time
/// and peak memory.
fn measure(what: &str, project: &Path, out_dir: &Path, samples: usize, args: &[&str]) {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_evbrief"));
    let output = out_dir.join("brief.pdf");
    let mut times = Vec::with_capacity(samples);
    let mut peak_kib = 0u64;
    for _ in 0..samples {
        let start = Instant::now();
        let status = Command::new(&exe)
            .args(["build", "-q", "-p"])
            .arg(project)
            .arg("-o")
            .arg(&output)
            .args(args)
            .status()
            .expect("spawn evbrief");
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert!(status.success(), "build failed");
        peak_kib = peak_kib.max(children_peak_rss_kib());
    }
    times.sort_by(f64::total_cmp);
    let median = times[samples / 2];
    println!(
        "{what}: median {median:.1} ms, min {:.1} ms, max {:.1} ms over {samples} runs; peak RSS {:.1} MiB",
        times[0],
        times[samples - 1],
        peak_kib as f64 / 1024.0
    );
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evbrief-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Largest resident set of any waited-for descendant (`ru_maxrss` of RUSAGE_CHILDREN), in KiB.
fn children_peak_rss_kib() -> u64 {
    // SAFETY: getrusage writes into the zero-initialised struct we pass and nothing else.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) == 0 {
            usage.ru_maxrss.max(0) as u64
        } else {
            0
        }
    }
}
