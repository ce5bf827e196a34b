//! A deterministic synthetic brief project, for benchmarks and scale tests.
//!
//! Same seed, same files: studies with an intervention and a control arm, alternately
//! T1D and T2DM (so subgroups have members), binary outcomes as events out of n and
//! continuous outcomes as mean ± SD, each study with its own BibTeX entry. The numbers are
//! invented; the project says so in its title.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyntheticSpec {
    /// Number of studies.
    pub studies: usize,
    /// Number of outcomes (alternately binary and continuous).
    pub outcomes: usize,
    /// Seed of the pseudo-random numbers.
    pub seed: u64,
    /// Form subgroups by condition in the analysis.
    pub subgroups: bool,
}

/// A 64-bit linear congruential generator (Knuth's MMIX constants): tiny, deterministic and
/// the same on every platform, which is all invented test data needs.
pub struct Lcg(u64);

impl Lcg {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }

    /// The next number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Writes a complete project into `dir` (created if missing), copying every file of
/// `templates` (the folder with `brief.typ`).
pub fn write_project(dir: &Path, templates: &Path, spec: &SyntheticSpec) -> io::Result<()> {
    let studies_dir = dir.join("data").join("studies");
    fs::create_dir_all(&studies_dir)?;
    fs::create_dir_all(dir.join("templates"))?;
    for entry in fs::read_dir(templates)? {
        let path = entry?.path();
        if let Some(name) = path.file_name().filter(|_| path.is_file()) {
            fs::copy(&path, dir.join("templates").join(name))?;
        }
    }
    fs::write(dir.join("brief.toml"), brief_toml(spec))?;
    let mut rng = Lcg::new(spec.seed);
    let mut bib = String::new();
    for i in 0..spec.studies {
        let id = format!("study-{i:04}");
        let key = format!("synthetic{i:04}");
        let year = 1995 + (i % 30);
        let _ = writeln!(
            bib,
            "@article{{{key},\n  author = {{Author{i}, A. and Second, B.}},\n  title = {{Synthetic trial number {i}}},\n  journal = {{Journal of Invented Results}},\n  year = {{{year}}},\n  volume = {{{}}},\n  pages = {{1--10}},\n}}\n",
            1 + i % 40
        );
        fs::write(
            studies_dir.join(format!("{id}.toml")),
            study_toml(&id, &key, i, year, spec, &mut rng),
        )?;
    }
    fs::write(dir.join("data").join("references.bib"), bib)
}

fn brief_toml(spec: &SyntheticSpec) -> String {
    let mut s = String::from(
        "title = \"Synthetic brief (invented data)\"\nas-of = 2026-01-01\nbottom-line = [\"Invented numbers for testing evbrief at scale.\"]\n\n[question]\npopulation = \"Adults with diabetes\"\nintervention = \"Cell therapy\"\nintervention-short = \"cells\"\ncomparison = \"Placebo\"\noutcomes = \"Synthetic outcomes\"\n\n[analysis]\n",
    );
    if spec.subgroups {
        s.push_str("subgroup = \"condition\"\n");
    }
    for o in 0..spec.outcomes {
        let binary = o.is_multiple_of(2);
        let _ = write!(
            s,
            "\n[[outcomes]]\nid = \"outcome-{o}\"\nlabel = \"Outcome {o}\"\nunit = \"{}\"\nkind = \"{}\"\nbetter = \"{}\"\n",
            if binary { "% of patients" } else { "mmol/L" },
            if binary { "binary" } else { "continuous" },
            if binary { "higher" } else { "lower" },
        );
    }
    s
}

fn study_toml(
    id: &str,
    key: &str,
    i: usize,
    year: usize,
    spec: &SyntheticSpec,
    rng: &mut Lcg,
) -> String {
    let n1 = 20 + rng.below(180);
    let n2 = 20 + rng.below(180);
    let condition = if i.is_multiple_of(2) { "T2DM" } else { "T1D" };
    let mut s = format!(
        "id = \"{id}\"\nlabel = \"Author{i} {year}\"\ndesign = \"rct\"\ncondition = \"{condition}\"\npopulation = \"Adults with {condition}\"\n\n[[reports]]\nkey = \"{key}\"\nrole = \"primary\"\n"
    );
    for (arm, role, n) in [("cells", "intervention", n1), ("placebo", "control", n2)] {
        let _ = write!(
            s,
            "\n[[arms]]\nid = \"{arm}\"\nlabel = \"{}\"\nrole = \"{role}\"\nn = {n}\nintervention = \"{}\"\nsource = {{ report = \"{key}\", at = \"Methods\" }}\n",
            if arm == "cells" { "Cells" } else { "Placebo" },
            if arm == "cells" {
                "Cell infusion"
            } else {
                "Saline"
            },
        );
    }
    for o in 0..spec.outcomes {
        for (arm, n, shift) in [("cells", n1, 1), ("placebo", n2, 0)] {
            let value = if o.is_multiple_of(2) {
                let events = rng.below(n / 2 + 1) + shift * rng.below(n / 4 + 1);
                format!("events = {}", events.min(n))
            } else {
                let mean = 7.0 + rng.below(300) as f64 / 100.0 - shift as f64 * 0.5;
                let sd = 0.5 + rng.below(150) as f64 / 100.0;
                format!("mean = {mean:.2}\nsd = {sd:.2}")
            };
            let _ = write!(
                s,
                "\n[[results]]\noutcome = \"outcome-{o}\"\ntime = \"week 12\"\narm = \"{arm}\"\n{value}\nsource = {{ report = \"{key}\", at = \"Table 2\" }}\n"
            );
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_project_and_it_validates() {
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let spec = SyntheticSpec {
            studies: 13,
            outcomes: 2,
            seed: 7,
            subgroups: true,
        };
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        write_project(a.path(), &templates, &spec).unwrap();
        write_project(b.path(), &templates, &spec).unwrap();
        let read = |d: &Path| fs::read_to_string(d.join("data/studies/study-0012.toml")).unwrap();
        assert_eq!(read(a.path()), read(b.path()));
        let project = crate::data::load_project(a.path()).expect("synthetic data validates");
        assert_eq!(project.studies.len(), 13);
        let analysis = crate::analysis::analyse_project(&project);
        let t = &analysis[0].times[0];
        assert_eq!(t.studies.len(), 13);
        let groups = t.subgroups.as_ref().expect("subgroups by condition");
        assert_eq!(groups.subgroups.len(), 2);
        assert!(groups.q_between.is_some());
    }
}
