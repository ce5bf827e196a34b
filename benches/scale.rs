//! Scale benchmark: how cold builds, watch rebuilds and `evbrief analyse` grow with the data.
//!
//! For studies ∈ {10, 100, 1000} × outcomes ∈ {1, 5, 20, 50}, and 100 × 20 in the full
//! layout (`detail = "full"`; `auto` summarises above 50 studies), it writes a synthetic
//! project with the seeded generator (`evbrief::synthetic`, seed 1, subgroups by condition,
//! the built-in templates) and measures, each with its peak resident memory:
//!
//! - a cold `evbrief build`: the release binary spawned as a new process (fonts, data and
//!   templates loaded from scratch), one unmeasured warm-up run (page cache, first edition)
//!   and then `EVBRIEF_SCALE_RUNS` (default 3) timed runs, of which the median is reported
//!   with the phase timings (`--timings`) of that run;
//! - a watch rebuild after a one-value edit of one study file, in a child process (this
//!   bench binary run again) that keeps one `WatchSession` alive as `evbrief watch` does;
//!   median of `EVBRIEF_SCALE_WATCH` (default 5) rebuilds, none with 0;
//! - `evbrief analyse --measure RR` of a CSV with one row per study (median of 5 runs;
//!   it does not depend on the number of outcomes, so it is run once per study count).
//!
//! Peak memory is each child's own `ru_maxrss`, read with `wait4`, so a small project
//! measured after a large one is not charged the large one's peak. Linux does charge a
//! child with its parent's peak at the spawn, so `analyse` (a few MiB) runs first, while
//! this process is small, and the table says how large it was.
//!
//! Run all of it with `cargo bench --bench scale` (about 10 minutes on 2 cores), or a subset
//! with `EVBRIEF_SCALE=10x1,100x5,100x20full cargo bench --bench scale` (studies × outcomes
//! pairs; `full` forces the full layout).
//! It prints markdown tables: the measurements, then the growth between sizes.
//! `EVBRIEF_BENCH_EXE=path` spawns that evbrief binary for the cold builds instead of
//! this build's.

mod support;

use support::{Measured, run_child, summarise};

use std::path::Path;
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
    let runs = env_usize("EVBRIEF_SCALE_RUNS", 3, 1);
    let watch_samples = env_usize("EVBRIEF_SCALE_WATCH", 5, 0);
    let work = std::env::temp_dir().join(format!("evbrief-scale-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("temp dir");

    // `analyse` first: a child's peak RSS includes this process's own peak at the moment
    // of the spawn (Linux charges the parent's memory at exec), which is smallest now.
    let mut analyse_rows: Vec<(usize, Measured)> = Vec::new();
    for size in &sizes {
        if !analyse_rows.iter().any(|(s, _)| *s == size.studies) {
            analyse_rows.push((size.studies, analyse_runs(&work, size.studies, 5)));
        }
    }
    let floor_mib = own_peak_rss_kib() as f64 / 1024.0;
    let mut rows = Vec::new();
    for &size in &sizes {
        let Size {
            studies, outcomes, ..
        } = size;
        let project = work.join(format!("p-{studies}x{outcomes}"));
        let spec = evbrief::synthetic::SyntheticSpec {
            studies,
            outcomes,
            seed: 1,
            subgroups: true,
        };
        // The built-in templates, so that a saved binary of another commit
        // (`EVBRIEF_BENCH_EXE`) lays the project out with its own.
        evbrief::synthetic::write_project(&project, None, &spec)
            .expect("write the synthetic project");
        if size.full {
            force_full_layout(&project);
        }
        let cold = cold_builds(&project, &work.join("brief.pdf"), runs);
        let pdf = std::fs::read(work.join("brief.pdf")).expect("the PDF");
        let pages = count_pages(&pdf);
        let watch = (watch_samples > 0).then(|| watch_rebuilds(&project, watch_samples));
        eprintln!(
            "{}: cold {:.0} ms, {:.0} MiB; watch {}",
            size.label(),
            cold.median_ms,
            cold.peak_mib,
            watch.as_ref().map_or("not run".into(), |w| format!(
                "{:.0} ms, {:.0} MiB",
                w.median_ms, w.peak_mib
            ))
        );
        rows.push(Row {
            size,
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

/// One project size to run: studies × outcomes, and whether the brief is forced into the
/// full layout (`detail = "full"`) instead of `auto` (which summarises above 50 studies).
#[derive(Clone, Copy, PartialEq)]
struct Size {
    studies: usize,
    outcomes: usize,
    full: bool,
}

impl Size {
    /// "100 × 20", or "100 × 20 (full)" for a forced full layout.
    fn label(self) -> String {
        let full = if self.full { " (full)" } else { "" };
        format!("{} × {}{full}", self.studies, self.outcomes)
    }
}

/// The sizes to run: `EVBRIEF_SCALE=10x1,1000x20,100x20full`, or the whole grid and the
/// full layout of 100 × 20 (the one issue 24 compares with the full 10 × 20).
fn sizes() -> Vec<Size> {
    match std::env::var("EVBRIEF_SCALE") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|pair| {
                let pair = pair.trim();
                let (pair, full) = match pair.strip_suffix("full") {
                    Some(p) => (p, true),
                    None => (pair, false),
                };
                let (s, o) = pair
                    .split_once('x')
                    .expect("EVBRIEF_SCALE pairs look like 100x5 or 100x20full");
                Size {
                    studies: s.parse().expect("number of studies"),
                    outcomes: o.parse().expect("number of outcomes"),
                    full,
                }
            })
            .collect(),
        _ => STUDIES
            .iter()
            .flat_map(|&studies| {
                OUTCOMES.iter().map(move |&outcomes| Size {
                    studies,
                    outcomes,
                    full: false,
                })
            })
            .chain([Size {
                studies: 100,
                outcomes: 20,
                full: true,
            }])
            .collect(),
    }
}

/// The number in the environment variable `name`, at least `least`; `default` when unset
/// or not such a number (`EVBRIEF_SCALE_WATCH=0` skips watch, `EVBRIEF_SCALE_RUNS=0` is 1 run).
fn env_usize(name: &str, default: usize, least: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(default, |n: usize| n.max(least))
}

struct Row {
    size: Size,
    pages: usize,
    pdf_kib: usize,
    cold: Measured,
    /// None when `EVBRIEF_SCALE_WATCH=0`.
    watch: Option<Measured>,
}

/// Sets `detail = "full"` in the synthetic project's `brief.toml` (a top-level key, so it
/// goes before the first table).
fn force_full_layout(project: &Path) {
    let path = project.join("brief.toml");
    let text = std::fs::read_to_string(&path).expect("brief.toml");
    let first_table = text
        .lines()
        .position(|l| l.trim_start().starts_with('['))
        .unwrap_or(text.lines().count());
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(first_table, "detail = \"full\"");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write brief.toml");
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
    let cells = |m: &Measured| format!("{:.0} ms ({:.0}–{:.0})", m.median_ms, m.min_ms, m.max_ms);
    println!();
    println!(
        "| studies × outcomes | pages | PDF | cold build (median of {runs}) | peak RSS | per study-outcome | watch rebuild, one-value edit (median of {watch}) | peak RSS |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        let (w, w_mib) = r.watch.as_ref().map_or(("not run".into(), "".into()), |w| {
            (cells(w), format!("{:.0} MiB", w.peak_mib))
        });
        println!(
            "| {} | {} | {} KiB | {} | {:.0} MiB | {:.2} ms | {w} | {w_mib} |",
            r.size.label(),
            r.pages,
            r.pdf_kib,
            cells(&r.cold),
            r.cold.peak_mib,
            r.cold.median_ms / (r.size.studies * r.size.outcomes) as f64,
        );
    }
    println!();
    println!("| studies × outcomes | phases of the median cold build |");
    println!("|---|---|");
    for r in rows {
        println!(
            "| {} | {} |",
            r.size.label(),
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
        .min_by_key(|r| r.size.studies * r.size.outcomes)
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
            let (sa, sb) = (a.size, b.size);
            // Neighbours: ten times the studies or the next number of outcomes, in the same
            // layout; and a full layout from the smallest study count that prints one (10).
            let studies_step = sa.outcomes == sb.outcomes
                && sb.studies == sa.studies * 10
                && (sa.full == sb.full || (sb.full && sa.studies <= 50));
            let outcomes_step = sa.studies == sb.studies
                && sa.full == sb.full
                && OUTCOMES
                    .windows(2)
                    .any(|w| w[0] == sa.outcomes && w[1] == sb.outcomes);
            if !(studies_step || outcomes_step) {
                continue;
            }
            let size = (sb.studies * sb.outcomes) as f64 / (sa.studies * sa.outcomes) as f64;
            let time = b.cold.median_ms / a.cold.median_ms;
            // Undefined from the base itself (nothing above it).
            let above = base
                .filter(|&base| a.cold.median_ms - base >= 1.0)
                .map(|base| {
                    ((b.cold.median_ms - base) / (a.cold.median_ms - base)).ln() / size.ln()
                });
            println!(
                "| {} → {} | {size:.1} | {time:.2} | {:.2} | {} | {:.2} |",
                sa.label(),
                sb.label(),
                time.ln() / size.ln(),
                above.map_or("?".into(), |x| format!("{x:.2}")),
                b.cold.peak_mib / a.cold.peak_mib,
            );
        }
    }
}
