//! Benchmark of a cold `evbrief build`: the bundled brief, and a synthetic project whose
//! one outcome has 300 studies (a forest plot over seven pages). Wall time and peak memory.
//!
//! Run with `cargo bench --bench build`. Each sample spawns the release binary as a new
//! process (cold: fonts, data and templates loaded from scratch); peak memory is the
//! largest resident set of those children (`getrusage(RUSAGE_CHILDREN)`), so it is the
//! peak over everything run so far: the bundled brief is measured first.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out_dir = tempfile_dir();
    measure("cold build of the bundled brief", &root, &out_dir, 15);

    let synthetic = out_dir.join("synthetic-300");
    let spec = evbrief::synthetic::SyntheticSpec {
        studies: 300,
        outcomes: 1,
        seed: 1,
        subgroups: true,
    };
    evbrief::synthetic::write_project(&synthetic, &root.join("templates"), &spec)
        .expect("write the synthetic project");
    measure(
        "cold build, one outcome with 300 studies (two subgroups)",
        &synthetic,
        &out_dir,
        5,
    );
    let _ = std::fs::remove_dir_all(out_dir);
}

/// Spawns `samples` cold builds of `project` and prints the median time and peak memory.
fn measure(what: &str, project: &Path, out_dir: &Path, samples: usize) {
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
