//! Scale benchmark: how cold builds, watch rebuilds and `evbrief analyse` grow with the data.
//!
//! For studies ∈ {10, 100, 1000} × outcomes ∈ {1, 5, 20, 50} it writes a synthetic project
//! with the seeded generator (`evbrief::synthetic`, seed 1, subgroups by condition) and
//! measures, each with its peak resident memory:
//!
//! - a cold `evbrief build`: the release binary spawned as a new process (fonts, data and
//!   templates loaded from scratch), one unmeasured warm-up run (page cache, first edition)
//!   and then `EVBRIEF_SCALE_RUNS` (default 3) timed runs, of which the median is reported
//!   with the phase timings (`--timings`) of that run;
//! - a watch rebuild after a one-value edit of one study file, in a child process (this
//!   bench binary run again) that keeps one `WatchSession` alive as `evbrief watch` does;
//!   median of `EVBRIEF_SCALE_WATCH` (default 5) rebuilds;
//! - `evbrief analyse --measure RR` of a CSV with one row per study (median of 5 runs;
//!   it does not depend on the number of outcomes, so it is run once per study count).
//!
//! Peak memory is each child's own `ru_maxrss`, read with `wait4`, so a small project
//! measured after a large one is not charged the large one's peak. Linux does charge a
//! child with its parent's peak at the spawn, so `analyse` (a few MiB) runs first, while
//! this process is small, and the table says how large it was.
//!
//! Run all of it with `cargo bench --bench scale` (about 10 minutes on 2 cores), or a subset
//! with `EVBRIEF_SCALE=10x1,100x5 cargo bench --bench scale` (studies × outcomes pairs).
//! It prints markdown tables: the measurements, then the growth between sizes.
//! `EVBRIEF_BENCH_EXE=path` spawns that evbrief binary for the cold builds instead of
//! this build's.

mod support;

use support::{Measured, run_child, summarise};

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const STUDIES: [usize; 3] = [10, 100, 1000];
const OUTCOMES: [usize; 4] = [1, 5, 20, 50];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(pos) = args.iter().position(|a| a == "--watch-child") {
        watch_child(
            Path::new(&args[pos + 1]),
            args[pos + 2].parse().expect("samples"),
        );
        return;
    }
    let sizes = sizes();
    let runs = env_usize("EVBRIEF_SCALE_RUNS", 3);
    let watch_samples = env_usize("EVBRIEF_SCALE_WATCH", 5);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let work = std::env::temp_dir().join(format!("evbrief-scale-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("temp dir");

    // `analyse` first: a child's peak RSS includes this process's own peak at the moment
    // of the spawn (Linux charges the parent's memory at exec), which is smallest now.
    let mut analyse_rows: Vec<(usize, Measured)> = Vec::new();
    for &(studies, _) in &sizes {
        if !analyse_rows.iter().any(|(s, _)| *s == studies) {
            analyse_rows.push((studies, analyse_runs(&work, studies, 5)));
        }
    }
    let floor_mib = own_peak_rss_kib() as f64 / 1024.0;
    let mut rows = Vec::new();
    for &(studies, outcomes) in &sizes {
        let project = work.join(format!("p-{studies}x{outcomes}"));
        let spec = evbrief::synthetic::SyntheticSpec {
            studies,
            outcomes,
            seed: 1,
            subgroups: true,
        };
        evbrief::synthetic::write_project(&project, Some(&root.join("templates")), &spec)
            .expect("write the synthetic project");
        let cold = cold_builds(&project, &work.join("brief.pdf"), runs);
        let pdf = std::fs::read(work.join("brief.pdf")).expect("the PDF");
        let pages = count_pages(&pdf);
        let watch = watch_rebuilds(&project, watch_samples);
        eprintln!(
            "{studies} × {outcomes}: cold {:.0} ms, {:.0} MiB; watch {:.0} ms, {:.0} MiB",
            cold.median_ms, cold.peak_mib, watch.median_ms, watch.peak_mib
        );
        rows.push(Row {
            studies,
            outcomes,
            pages,
            pdf_kib: pdf.len() / 1024,
            cold,
            watch,
        });
        let _ = std::fs::remove_dir_all(&project);
    }
    let _ = std::fs::remove_dir_all(&work);
    print_tables(&rows, &analyse_rows, runs, watch_samples);
    println!();
    println!(
        "(A child's peak RSS includes this bench process's peak at the spawn; during the analyse runs that was {floor_mib:.1} MiB.)"
    );
}

/// The peak resident set of this process's memory (`VmHWM`), in KiB: what Linux charges to
/// a child at its spawn. Not `getrusage(RUSAGE_SELF)`, which also holds cargo's peak from
/// before this binary was exec'd.
fn own_peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The (studies, outcomes) pairs to run: `EVBRIEF_SCALE=10x1,1000x20`, or the whole grid.
fn sizes() -> Vec<(usize, usize)> {
    match std::env::var("EVBRIEF_SCALE") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|pair| {
                let (s, o) = pair
                    .trim()
                    .split_once('x')
                    .expect("EVBRIEF_SCALE pairs look like 100x5");
                (
                    s.parse().expect("number of studies"),
                    o.parse().expect("number of outcomes"),
                )
            })
            .collect(),
        _ => STUDIES
            .iter()
            .flat_map(|&s| OUTCOMES.iter().map(move |&o| (s, o)))
            .collect(),
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

struct Row {
    studies: usize,
    outcomes: usize,
    pages: usize,
    pdf_kib: usize,
    cold: Measured,
    watch: Measured,
}

fn evbrief() -> Command {
    Command::new(support::evbrief_exe())
}

fn cold_builds(project: &Path, output: &Path, runs: usize) -> Measured {
    let build = || {
        let mut c = evbrief();
        c.args(["build", "-q", "--timings", "-p"])
            .arg(project)
            .arg("-o")
            .arg(output);
        run_child(c)
    };
    build(); // warm-up: page cache, and the first edition is written
    summarise((0..runs).map(|_| build()).collect())
}

fn analyse_runs(work: &Path, studies: usize, runs: usize) -> Measured {
    let csv = work.join(format!("analyse-{studies}.csv"));
    std::fs::write(&csv, evbrief::synthetic::analyse_csv(studies, 1)).expect("write the CSV");
    let analyse = || {
        let mut c = evbrief();
        c.args(["analyse", "--measure", "RR", "--format", "json", "--data"])
            .arg(&csv);
        run_child(c)
    };
    analyse();
    summarise((0..runs).map(|_| analyse()).collect())
}

/// Runs this bench binary again as `--watch-child PROJECT SAMPLES` and reads the rebuild
/// times it prints, one per line.
fn watch_rebuilds(project: &Path, samples: usize) -> Measured {
    let mut c = Command::new(std::env::current_exe().expect("the bench binary"));
    c.arg("--watch-child").arg(project).arg(samples.to_string());
    let run = run_child(c);
    let mut times: Vec<f64> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("rebuild-ms "))
        .map(|v| v.parse().expect("a time"))
        .collect();
    assert_eq!(times.len(), samples, "{}", run.stdout);
    times.sort_by(f64::total_cmp);
    Measured {
        median_ms: times[samples / 2],
        min_ms: times[0],
        max_ms: times[samples - 1],
        peak_mib: run.peak_kib as f64 / 1024.0,
        phases: None,
    }
}

/// In the child: a watch session over `project`, a first build, then `samples` rebuilds each
/// after a one-value edit of the first study file. Prints `rebuild-ms <ms>` per rebuild.
fn watch_child(project: &Path, samples: usize) {
    use evbrief::living::watch::ChangeSet;

    let (mut session, lock) = support::built_watch_session(project);

    let study = project
        .join("data/studies")
        .join(format!("{}.toml", evbrief::synthetic::study_id(0)));
    let original = std::fs::read_to_string(&study).expect("study");
    for i in 0..samples {
        std::fs::write(&study, edit_first_result(&original, i)).expect("edit");
        let mut changes = ChangeSet::new();
        changes.insert(project, &study);
        let done = session
            .rebuild(&lock, Some(&changes))
            .expect("data rebuild");
        println!("rebuild-ms {}", as_ms(done.elapsed));
    }
}

fn as_ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The study file with the first result's value changed (edit number `i`): a mean moves by
/// 0.01 × (i + 1), a count by i + 1, so no two edits give the same file.
fn edit_first_result(text: &str, i: usize) -> String {
    let mut in_results = false;
    let mut done = false;
    let mut out = String::with_capacity(text.len() + 8);
    for line in text.lines() {
        if line.starts_with('[') {
            in_results = line == "[[results]]";
        }
        let edited = if done || !in_results {
            None
        } else if let Some(v) = line.strip_prefix("mean = ") {
            let v: f64 = v.parse().expect("a mean");
            Some(format!("mean = {:.2}", v + 0.01 * (i + 1) as f64))
        } else if let Some(v) = line.strip_prefix("events = ") {
            let v: u64 = v.parse().expect("a count");
            // A different count at every edit (a repeated one would be a cache hit).
            let step = i as u64 + 1;
            Some(format!(
                "events = {}",
                if v >= step { v - step } else { v + step }
            ))
        } else {
            None
        };
        done |= edited.is_some();
        out.push_str(edited.as_deref().unwrap_or(line));
        out.push('\n');
    }
    assert!(done, "no mean or count to edit in the first study");
    out
}

/// Pages of a Typst PDF: its page objects (`/Type /Page`, not `/Pages`).
fn count_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    ["/Type /Page", "/Type/Page"]
        .iter()
        .map(|pat| {
            text.match_indices(pat)
                .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
                .count()
        })
        .sum()
}

fn print_tables(rows: &[Row], analyse: &[(usize, Measured)], runs: usize, watch: usize) {
    println!();
    println!(
        "| studies × outcomes | pages | PDF | cold build (median of {runs}) | peak RSS | per study-outcome | watch rebuild, one-value edit (median of {watch}) | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} × {} | {} | {} KiB | {:.0} ms ({:.0}–{:.0}) | {:.0} MiB | {:.2} ms | {:.0} ms ({:.0}–{:.0}) | {:.0} MiB |",
            r.studies,
            r.outcomes,
            r.pages,
            r.pdf_kib,
            r.cold.median_ms,
            r.cold.min_ms,
            r.cold.max_ms,
            r.cold.peak_mib,
            r.cold.median_ms / (r.studies * r.outcomes) as f64,
            r.watch.median_ms,
            r.watch.min_ms,
            r.watch.max_ms,
            r.watch.peak_mib,
        );
    }
    println!();
    println!("| studies × outcomes | phases of the median cold build |");
    println!("|---|---|");
    for r in rows {
        println!(
            "| {} × {} | {} |",
            r.studies,
            r.outcomes,
            r.cold.phases.as_deref().unwrap_or("?")
        );
    }
    println!();
    println!("| `evbrief analyse --measure RR`, rows | median of 5 | peak RSS |");
    println!("|---|---|---|");
    for (studies, m) in analyse {
        println!(
            "| {studies} | {:.1} ms ({:.1}–{:.1}) | {:.1} MiB |",
            m.median_ms, m.min_ms, m.max_ms, m.peak_mib
        );
    }
    // Growth: the exponent b of time ∝ size^b between neighbouring sizes (1 = linear), on
    // the cold build time above the smallest project's (process start, fonts, templates).
    let base = rows
        .iter()
        .min_by_key(|r| r.studies * r.outcomes)
        .map(|r| r.cold.median_ms);
    println!();
    println!(
        "Growth between neighbouring sizes: exponent b of time ∝ size^b (1 = linear), of the whole cold build and of the part above the smallest project's {:.0} ms.",
        base.unwrap_or(0.0)
    );
    println!();
    println!("| from → to | size ×  | cold time × | b | b above base | peak RSS × |");
    println!("|---|---|---|---|---|---|");
    for a in rows {
        for b in rows {
            let studies_step = a.outcomes == b.outcomes && b.studies == a.studies * 10;
            let outcomes_step = a.studies == b.studies
                && OUTCOMES
                    .windows(2)
                    .any(|w| w[0] == a.outcomes && w[1] == b.outcomes);
            if !(studies_step || outcomes_step) {
                continue;
            }
            let size = (b.studies * b.outcomes) as f64 / (a.studies * a.outcomes) as f64;
            let time = b.cold.median_ms / a.cold.median_ms;
            // Undefined from the base itself (nothing above it).
            let above = base
                .filter(|&base| a.cold.median_ms - base >= 1.0)
                .map(|base| {
                    ((b.cold.median_ms - base) / (a.cold.median_ms - base)).ln() / size.ln()
                });
            println!(
                "| {}×{} → {}×{} | {size:.1} | {time:.2} | {:.2} | {} | {:.2} |",
                a.studies,
                a.outcomes,
                b.studies,
                b.outcomes,
                time.ln() / size.ln(),
                above.map_or("?".into(), |x| format!("{x:.2}")),
                b.cold.peak_mib / a.cold.peak_mib,
            );
        }
    }
}
