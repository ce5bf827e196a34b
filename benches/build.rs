//! Benchmark of a cold `evbrief build`: the bundled brief, and a synthetic project whose
//! one outcome has 300 studies (a forest plot over eight pages), and the handout, slides and
//! Chinese edition of the bundled brief. Wall time and peak memory.
//! Then the watch-mode rebuild of the bundled brief after a one-value edit and after a
//! template edit, in process with one kept-alive Typst world, as `evbrief watch` does it.
//!
//! Run with `cargo bench --bench build`. Each sample spawns the release binary as a new
//! process (cold: fonts, data and templates loaded from scratch); peak memory is each
//! child's own resident set (`wait4`), the largest over a case's runs.
//!
//! When `Rscript` with metafor is installed, the bench first times R drawing one metafor
//! forest plot into a PDF (`benches/support/forest.R`) in the same run and prints each
//! cold build as a ratio of it; otherwise it says that R was not found. The watch
//! rebuilds are printed as ratios of the cold build of the bundled brief.
//! `EVBRIEF_BENCH_EXE=path` spawns that binary instead of this build's (an earlier
//! commit's, saved, to compare before and after in one run).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use support::{evbrief_exe, run_child, summarise};

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile_dir();
    let r = r_forest_plot(&root, &out_dir, 7);
    let cold = measure(
        "cold build of the bundled brief",
        &root,
        &out_dir,
        15,
        &[],
        r,
    );
    for (what, args) in [
        ("cold build of the handout", &["--format", "handout"][..]),
        ("cold build of the slides", &["--format", "slides"][..]),
        ("cold build of the Chinese brief", &["--lang", "zh"][..]),
    ] {
        measure(what, &root, &out_dir, 9, args, r);
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
        r,
    );
    watch_rebuilds(&root, &out_dir, 15, cold);
    let _ = std::fs::remove_dir_all(out_dir);
}

/// Median rebuild time of a watch session over a copy of the bundled brief, after an edit
/// of one reported value and after an edit of the template, and each as a ratio of
/// `cold_ms`, the median cold build of the same project.
fn watch_rebuilds(repo: &Path, out_dir: &Path, samples: usize, cold_ms: f64) {
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
        let median = times[samples / 2];
        println!(
            "{what}: median {median:.1} ms, min {:.1} ms, max {:.1} ms over {samples} rebuilds; {:.2} × the cold build",
            times[0],
            times[samples - 1],
            median / cold_ms
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

/// Spawns `samples` cold builds of `project` (with `args` added), prints the median time,
/// the phase timings of the median run, the peak memory and the ratio to R's forest plot
/// (`r`, when measured), and returns the median in ms.
fn measure(
    what: &str,
    project: &Path,
    out_dir: &Path,
    samples: usize,
    args: &[&str],
    r: Option<f64>,
) -> f64 {
    let output = out_dir.join("brief.pdf");
    let build = || {
        let mut command = Command::new(evbrief_exe());
        command
            .args(["build", "-q", "--timings", "-p"])
            .arg(project)
            .arg("-o")
            .arg(&output)
            .args(args);
        run_child(command)
    };
    build(); // warm-up: page cache, and the first edition is written
    let m = summarise((0..samples).map(|_| build()).collect());
    let ratio = r.map_or(String::new(), |r| format!("; {:.2} × R", m.median_ms / r));
    println!(
        "{what}: median {:.1} ms, min {:.1} ms, max {:.1} ms over {samples} runs; peak RSS {:.1} MiB{ratio}",
        m.median_ms, m.min_ms, m.max_ms, m.peak_mib
    );
    if let Some(phases) = &m.phases {
        println!("  phases of the median run: {phases}");
    }
    m.median_ms
}

/// Times `Rscript benches/support/forest.R` (one metafor forest plot into a PDF) and
/// returns its median in ms, or `None`, saying so, when R or metafor is not installed.
fn r_forest_plot(root: &Path, out_dir: &Path, samples: usize) -> Option<f64> {
    let script = root.join("benches/support/forest.R");
    let pdf = out_dir.join("forest-r.pdf");
    let run = || {
        let mut command = Command::new("Rscript");
        command.arg(&script).arg(&pdf).stderr(Stdio::null());
        command
    };
    let available = run()
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !available {
        println!("R forest plot: Rscript with metafor not found; no ratios to R");
        return None;
    }
    let m = summarise((0..samples).map(|_| run_child(run())).collect());
    println!(
        "R forest plot (metafor forest(rma(...)) into a PDF): median {:.1} ms, min {:.1} ms, max {:.1} ms over {samples} runs; peak RSS {:.1} MiB",
        m.median_ms, m.min_ms, m.max_ms, m.peak_mib
    );
    Some(m.median_ms)
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evbrief-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
