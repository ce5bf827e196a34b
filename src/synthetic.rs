//! A deterministic synthetic brief project, for benchmarks and scale tests.
//!
//! Same seed, same files: studies with an intervention and a control arm, alternately
//! T1D and T2DM (so subgroups have members), mostly randomised (RoB 2) with some
//! non-randomised controlled studies (ROBINS-I). Outcomes alternate binary (events out of
//! n, one in ten only as a percentage) and continuous (mean ± SD, one in ten ± SEM); the
//! first outcome is reported by every study, each other one is missing from about a
//! quarter of them. Each study reports serious adverse events, fever and hypoglycaemia per
//! arm (counted, none observed or not reported), has a risk-of-bias assessment (one in
//! twenty not yet assessed) and its own BibTeX entry, one in ten also a conference
//! abstract. The numbers are invented; the project says so in its title.

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
/// `templates` (a folder of templates) when given; without it the project uses the
/// built-in templates.
pub fn write_project(dir: &Path, templates: Option<&Path>, spec: &SyntheticSpec) -> io::Result<()> {
    let studies_dir = dir.join("data").join("studies");
    fs::create_dir_all(&studies_dir)?;
    if let Some(templates) = templates {
        fs::create_dir_all(dir.join("templates"))?;
        for entry in fs::read_dir(templates)? {
            let path = entry?.path();
            if let Some(name) = path.file_name().filter(|_| path.is_file()) {
                fs::copy(&path, dir.join("templates").join(name))?;
            }
        }
    }
    fs::write(dir.join("brief.toml"), brief_toml(spec))?;
    let mut rng = Lcg::new(spec.seed);
    let mut bib = String::new();
    for i in 0..spec.studies {
        let id = study_id(i);
        let study = SyntheticStudy::new(i, &mut rng);
        bib.push_str(&study.bibtex());
        fs::write(
            studies_dir.join(format!("{id}.toml")),
            study.toml(&id, spec, &mut rng),
        )?;
    }
    fs::write(dir.join("data").join("references.bib"), bib)
}

/// The id (and file stem) of study number `i`.
pub fn study_id(i: usize) -> String {
    format!("study-{i:04}")
}

/// A CSV for `evbrief analyse --measure RR` (metafor's `ai,n1i,ci,n2i` columns) with one
/// row per study: the same seed gives the same rows.
pub fn analyse_csv(studies: usize, seed: u64) -> String {
    let mut rng = Lcg::new(seed);
    let mut csv = String::from("study,ai,n1i,ci,n2i\n");
    for i in 0..studies {
        let n1 = 20 + rng.below(180);
        let n2 = 20 + rng.below(180);
        let c = rng.below(n2 / 2 + 1);
        let a = (rng.below(n1 / 2 + 1) + rng.below(n1 / 4 + 1)).min(n1);
        let _ = writeln!(csv, "Study {i},{a},{n1},{c},{n2}");
    }
    csv
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

/// What one study is, before its results are drawn: design, arms and reports.
struct SyntheticStudy {
    i: usize,
    year: usize,
    key: String,
    /// A second report (conference abstract of the same trial) for some studies.
    abstract_key: Option<String>,
    randomised: bool,
    open_label: bool,
    n1: u64,
    n2: u64,
}

impl SyntheticStudy {
    fn new(i: usize, rng: &mut Lcg) -> SyntheticStudy {
        let n1 = 20 + rng.below(180);
        let n2 = 20 + rng.below(180);
        SyntheticStudy {
            i,
            year: 1995 + (i % 30),
            key: format!("synthetic{i:04}"),
            // One study in ten also has a conference abstract on file.
            abstract_key: (rng.below(10) == 0).then(|| format!("synthetic{i:04}abs")),
            // About one in seven is a non-randomised controlled study (ROBINS-I).
            randomised: rng.below(7) != 0,
            open_label: rng.below(3) == 0,
            n1,
            n2,
        }
    }

    fn bibtex(&self) -> String {
        let (i, key, year) = (self.i, &self.key, self.year);
        let mut s = format!(
            "@article{{{key},\n  author = {{Author{i}, A. and Second{i}, B. and Third{i}, C.}},\n  title = {{Synthetic trial number {i}: cell therapy versus placebo in adults with diabetes}},\n  journal = {{Journal of Invented Results}},\n  year = {{{year}}},\n  volume = {{{}}},\n  number = {{{}}},\n  pages = {{{}--{}}},\n  doi = {{10.5555/synthetic.{i:04}}},\n}}\n\n",
            1 + i % 40,
            1 + i % 12,
            100 + i % 700,
            108 + i % 700,
        );
        if let Some(abs) = &self.abstract_key {
            let _ = write!(
                s,
                "@inproceedings{{{abs},\n  author = {{Author{i}, A. and Second{i}, B.}},\n  title = {{Synthetic trial number {i} (abstract)}},\n  booktitle = {{Proceedings of the Invented Diabetes Congress}},\n  year = {{{}}},\n}}\n\n",
                year.saturating_sub(1)
            );
        }
        s
    }

    fn toml(&self, id: &str, spec: &SyntheticSpec, rng: &mut Lcg) -> String {
        let (i, key, year, n1, n2) = (self.i, &self.key, self.year, self.n1, self.n2);
        let condition = if i.is_multiple_of(2) { "T2DM" } else { "T1D" };
        let (design, blinding) = match (self.randomised, self.open_label) {
            (true, false) => ("rct", "double-blind"),
            (true, true) => ("rct", "open-label"),
            (false, _) => ("non-randomised-controlled", "open-label"),
        };
        let mut s = format!(
            "id = \"{id}\"\nlabel = \"Author{i} {year}\"\ndesign = \"{design}\"\ncondition = \"{condition}\"\npopulation = \"Adults with {condition}\"\ncountry = \"Invented\"\nenrolled = {}\nfollow-up = \"12 weeks\"\nblinding = \"{blinding}\"\n\n[[reports]]\nkey = \"{key}\"\nrole = \"primary\"\n",
            n1 + n2
        );
        if let Some(abs) = &self.abstract_key {
            let _ = write!(
                s,
                "\n[[reports]]\nkey = \"{abs}\"\nrole = \"abstract\"\nnote = \"Preliminary results of the same participants; not analysed.\"\n"
            );
        }
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
            // Outcome 0 is the primary outcome, which every study reports; any other is
            // missing from about one study in four, as in real reviews.
            if o > 0 && rng.below(4) == 0 {
                continue;
            }
            for (arm, n, shift) in [("cells", n1, 1), ("placebo", n2, 0)] {
                let value = if o.is_multiple_of(2) {
                    let events = (rng.below(n / 2 + 1) + shift * rng.below(n / 4 + 1)).min(n);
                    // One binary result in ten is printed only as a percentage.
                    if rng.below(10) == 0 {
                        format!("percent = {:.2}", events as f64 * 100.0 / n as f64)
                    } else {
                        format!("events = {events}")
                    }
                } else {
                    let mean = 7.0 + rng.below(300) as f64 / 100.0 - shift as f64 * 0.5;
                    let sd = 0.5 + rng.below(150) as f64 / 100.0;
                    // One continuous result in ten is given as mean ± SEM.
                    if rng.below(10) == 0 {
                        format!("mean = {mean:.2}\nsem = {:.3}", sd / (n as f64).sqrt())
                    } else {
                        format!("mean = {mean:.2}\nsd = {sd:.2}")
                    }
                };
                let _ = write!(
                    s,
                    "\n[[results]]\noutcome = \"outcome-{o}\"\ntime = \"week 12\"\narm = \"{arm}\"\n{value}\nsource = {{ report = \"{key}\", at = \"Table 2\" }}\n"
                );
            }
        }
        s.push_str(&adverse_events(key, n1, n2, rng));
        s.push_str(&self.risk_of_bias(rng));
        s
    }

    /// RoB 2 for randomised studies, ROBINS-I otherwise; one study in twenty is not yet
    /// assessed. The overall judgement is the most severe domain's.
    fn risk_of_bias(&self, rng: &mut Lcg) -> String {
        if rng.below(20) == 0 {
            return String::new();
        }
        let (tool, domains, levels): (&str, &[&str], &[&str]) = if self.randomised {
            (
                "rob2",
                &[
                    "randomisation",
                    "deviations",
                    "missing-data",
                    "measurement",
                    "reporting",
                ],
                &["low", "some-concerns", "high"],
            )
        } else {
            (
                "robins-i",
                &[
                    "confounding",
                    "selection",
                    "classification",
                    "deviations",
                    "missing-data",
                    "measurement",
                    "reporting",
                ],
                &["low", "moderate", "serious", "critical"],
            )
        };
        let mut s = format!(
            "\n[risk-of-bias]\ntool = \"{tool}\"\napplies-to = \"All results at week 12\"\n"
        );
        let mut worst = 0;
        for domain in domains {
            // Mostly low or moderate concerns, sometimes worse.
            let level = match rng.below(10) {
                0..=4 => 0,
                5..=7 => 1,
                8 => 2,
                _ => levels.len() - 1,
            }
            .min(levels.len() - 1);
            worst = worst.max(level);
            let _ = write!(
                s,
                "\n[[risk-of-bias.judgements]]\ndomain = \"{domain}\"\njudgement = \"{}\"\nsupport = \"Invented support for the {domain} domain of study {}.\"\n",
                levels[level], self.i
            );
        }
        let _ = write!(
            s,
            "\n[[risk-of-bias.judgements]]\ndomain = \"overall\"\njudgement = \"{}\"\nsupport = \"The most severe domain decides.\"\n",
            levels[worst]
        );
        s
    }
}

/// Serious adverse events, infusion reactions and hypoglycaemia, counted, none observed or
/// not reported, per arm.
fn adverse_events(key: &str, n1: u64, n2: u64, rng: &mut Lcg) -> String {
    let mut s = String::new();
    for (event, category, max_rate) in [
        ("Serious adverse events", "serious", 20),
        ("Transient fever", "infusion-reaction", 5),
        ("Hypoglycaemia", "hypoglycaemia", 8),
    ] {
        for (arm, n) in [("cells", n1), ("placebo", n2)] {
            let (status, count) = match rng.below(6) {
                0 => ("not-reported", String::new()),
                1 => ("none-observed", String::new()),
                _ => (
                    "events",
                    format!("events = {}\n", rng.below(n / max_rate + 1)),
                ),
            };
            let _ = write!(
                s,
                "\n[[adverse-events]]\nevent = \"{event}\"\ncategory = \"{category}\"\narm = \"{arm}\"\nstatus = \"{status}\"\n{count}source = {{ report = \"{key}\", at = \"Table 3\" }}\n"
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
        write_project(a.path(), Some(&templates), &spec).unwrap();
        write_project(b.path(), Some(&templates), &spec).unwrap();
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

    /// Fifty outcomes, with everything a real project has: missing outcomes, percentages
    /// and SEMs to convert, adverse events, both risk-of-bias tools, second reports.
    #[test]
    fn fifty_outcomes_look_like_real_data_and_validate() {
        let templates = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let spec = SyntheticSpec {
            studies: 40,
            outcomes: 50,
            seed: 3,
            subgroups: false,
        };
        let dir = tempfile::tempdir().unwrap();
        write_project(dir.path(), Some(&templates), &spec).unwrap();
        let project = crate::data::load_project(dir.path()).expect("synthetic data validates");
        assert_eq!(project.studies.len(), 40);
        let studies: Vec<_> = project.studies.iter().map(|s| &s.study).collect();
        let results: usize = studies.iter().map(|s| s.results.len()).sum();
        assert!(results < 40 * 50 * 2, "some studies miss some outcomes");
        assert!(results > 40 * 50, "most outcomes are reported");
        assert!(
            studies.iter().all(|s| s.results.len() >= 2),
            "outcome 0 always"
        );
        let text = |f: fn(&crate::data::model::Measurement) -> bool| {
            studies.iter().flat_map(|s| &s.results).any(f)
        };
        assert!(text(|m| m.percent.is_some()) && text(|m| m.sem.is_some()));
        assert!(studies.iter().all(|s| !s.adverse_events.is_empty()));
        let tools: std::collections::HashSet<_> = studies
            .iter()
            .filter_map(|s| s.risk_of_bias.as_ref().map(|r| *r.tool.get_ref()))
            .collect();
        assert_eq!(tools.len(), 2, "RoB 2 and ROBINS-I");
        assert!(studies.iter().any(|s| s.reports.len() == 2));
        let analysis = crate::analysis::analyse_project(&project);
        assert_eq!(analysis.len(), 50);
        assert!(analysis.iter().all(|a| a.times[0].pooled.is_some()));
    }

    #[test]
    fn analyse_csv_has_one_row_per_study_and_analyses() {
        let csv = analyse_csv(25, 9);
        assert_eq!(csv, analyse_csv(25, 9));
        assert_eq!(csv.lines().count(), 26);
        let opts = crate::analyse::AnalyseOptions::new(
            crate::stats::Measure::RR,
            crate::stats::Method::REML,
            crate::stats::Test::Z,
        );
        let report = crate::analyse::analyse(&csv, &opts).expect("valid rows");
        assert_eq!(report.studies.len(), 25);
    }
}
