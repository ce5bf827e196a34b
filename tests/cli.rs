//! Runs the `evbrief` binary on fixture projects (valid and invalid) and on the bundled brief.

use std::fs;
use std::path::{Path, PathBuf};

mod common;
use common::*;

#[test]
fn bundled_brief_builds_with_all_five_studies_and_their_numbers() {
    let dir = project(None);
    let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("output/brief.pdf");
    let bytes = fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&pdf).expect("pdftotext (poppler-utils) is installed by .ci/run");
    // All five studies, numbers exactly as the seeds print them, and every DOI.
    #[rustfmt::skip]
    let expected = [
        "Zhao 2024", "Lian 2023", "Lu 2021", "Chin 2025", "PKU Shenzhen",
        "7.46 ± 1.79", "60.60%", "28.10%", "4/24 (16.7%)", "7.77 ± 0.10", "P = 0.008", "P=0.002",
        "10.12435/j.issn.2095-5227.2024.071", "10.12998/wjcc.v11.i21.5083",
        "10.2147/DMSO.S507801", "10.1186/s13287-021-02417-3",
    ];
    for needle in expected {
        assert!(text.contains(needle), "missing {needle}");
    }
    // The reference list, numbered in order of first citation, page list kept, hyphenated
    // given names initialised; the inbox record listed in full and numbered after them.
    let flow = pdf_flow_text(&pdf).unwrap();
    for needle in [
        "1. Chin SP, Kee LT, Mohd MA, Then KY. Umbilical Cord-Derived",
        "4. Lu J, Shen S-M, Ling Q, Wang B, Li L-R, Zhang W, et al.",
        "2024;45(6):571–577, 583. doi:10.12435/j.issn.2095-5227.2024.071",
        "Studies awaiting assessment",
        "6. Carlsson P-O, Schwarcz E, Korsgren O, Le Blanc K. Preserved β-Cell Function in Type 1 Diabetes by Mesenchymal Stromal Cells. Diabetes 2015;64(2):587–592.",
        "Zhao 2024 — reports: post hoc analysis [5]; mention [3].",
    ] {
        assert!(flow.contains(needle), "missing {needle}");
    }
    let links = pdf_links(&bytes);
    for doi in [
        "10.12435/j.issn.2095-5227.2024.071",
        "10.12998/wjcc.v11.i21.5083",
        "10.2147/DMSO.S507801",
        "10.1186/s13287-021-02417-3",
    ] {
        assert!(
            links.contains(&format!("https://doi.org/{doi}")),
            "no link to {doi}: {links:?}"
        );
    }
    // Effects computed by the engine from the reported percentages (20/33 vs 9/32).
    assert!(text.contains("risk ratio 2.15 (95% CI 1.16 to 4.00)"));
    assert!(text.contains("single study, not pooled"));
    // Forest plots: the same numbers beside the row, an overview figure, favours labels.
    for needle in [
        "Figure 5. Overview of binary outcomes",
        "HbA1c below 7.0%, week 9",
        "20/33",
        "9/32",
        "2.15 [1.16, 4.00]",
        "Single study, not pooled.",
        "Favours",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    // The methods paragraph names what was done in this edition, and only that.
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "(risk ratio, mean difference)",
        "Percentages are turned into event counts only when exactly one whole number",
        "studies without events in either arm are not estimable",
        "In this edition no outcome has more than one study at a time point, so nothing is pooled.",
    ] {
        assert!(flat.contains(needle), "missing {needle}");
    }
    assert!(
        !flat.contains("SEM × √n"),
        "no SD was derived from an SEM here"
    );
    // DOIs are links.
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("URI (https://doi.org/10.2147/DMSO.S507801)")
            || raw.contains("URI(https://doi.org/10.2147/DMSO.S507801)")
    );
    // Every figure carries a text alternative (forest, overview and risk-of-bias figures).
    assert!(raw.matches("/Alt").count() >= 15, "figures lack alt text");
    // The placebo arm's hypoglycaemia stays "not reported", never zero.
    assert!(text.contains("not reported (n = 10)"));
    let flow = pdf_flow_text(&pdf).unwrap();
    // Safety: zeros carry their rule-of-three bound; two double-zero trials pool to "no
    // events", not to a zero-width interval.
    for needle in [
        "0/24 (0.0%)",
        "95% CI 0 to 14.2%; rule of 3: \u{2264}12.5%",
        "4/24 (16.7%)",
        "Pooled (2 studies): no events in any arm (0/51 vs 0/36); the risk difference is 0 and has no estimable CI.",
        "Deaths: no study reports on them",
        "Laboratory and other safety findings",
    ] {
        assert!(flow.contains(needle), "missing {needle}");
    }
    // Summary of findings: absolute effects per 1000 from the control risk, GRADE levels,
    // and the curator's override of evbrief's imprecision suggestion.
    for needle in [
        "Summary of findings",
        "RR 3.88 (1.45 to 10.35)",
        "125 per 1000 (4/32)",
        "360 more per 1000 (from 57 more to 875 more)",
        "VERY LOW",
        "differs from the rating the data suggest (serious: 20 events",
    ] {
        assert!(flow.contains(needle), "missing {needle}");
    }
    // Risk of bias: both tools' figures, the support table and the case report's reason.
    for needle in [
        "Risk of bias, RoB 2: judgements per study and domain",
        "Risk of bias, ROBINS-I: share of studies at each level, per domain",
        "D1 Bias due to confounding Critical",
        "not assessed: A single patient without a comparison",
    ] {
        assert!(flat.contains(needle), "missing {needle}");
    }
}

#[test]
fn two_builds_are_byte_identical() {
    let dir = project(Some("valid/minimal"));
    let p = dir.path().to_str().unwrap();
    let target = dir.path().join("elsewhere/a.pdf");
    let t = target.to_str().unwrap();
    assert!(evbrief(&["build", "-p", p, "-o", t]).status.success());
    assert!(
        !dir.path().join("output/brief.pdf").exists(),
        "-o must redirect the output"
    );
    let a = fs::read(&target).unwrap();
    assert!(evbrief(&["build", "-p", p, "-o", t]).status.success());
    let b = fs::read(&target).unwrap();
    assert_eq!(a, b);
    // The as-of date is the PDF's creation date.
    assert!(String::from_utf8_lossy(&a).contains("D:20250131"));
}

/// Runs `evbrief check` on an invalid fixture, asserts exit 2 and that stderr equals the
/// fixture's golden `expected-stderr.txt`, and returns that text.
fn check_invalid_fixture(name: &str) -> String {
    let dir = project(Some(&format!("invalid/{name}")));
    let out = evbrief(&["check", "-q", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let golden = repo().join(format!("tests/fixtures/invalid/{name}/expected-stderr.txt"));
    let expected = fs::read_to_string(golden).unwrap();
    assert_eq!(stderr(&out), expected);
    expected
}

#[test]
fn invalid_values_are_all_reported_with_locations() {
    let expected = check_invalid_fixture("bad-values");
    for line in [
        "brief.toml:2:9: as-of must be a date such as 2026-11-22",
        "data/studies/bad-trial.toml:6:12: arm sizes add up to 10, but `enrolled` says 25",
        "data/studies/bad-trial.toml:62:13: `n-unknown = true` contradicts the `n` given",
        "data/studies/bad-trial.toml:33:6: sd must be positive, found -1.5",
        "data/studies/bad-trial.toml:40:10: events (12) exceed the number of participants (10)",
        "data/studies/bad-trial.toml:47:11: 33.3% cannot be events/10 for any whole number of events",
    ] {
        assert!(expected.contains(line), "missing: {line}");
    }
}

#[test]
fn impossible_analysis_settings_are_located() {
    let expected = check_invalid_fixture("bad-analysis");
    for line in [
        "brief.toml:21:11: measure MD does not fit the binary outcome `hba1c-target`",
        "brief.toml:12:10: method MH cannot pool MD for outcome `hba1c` (the [analysis] default",
        "brief.toml:37:10: method PETO cannot pool SMD for outcome `fpg`",
    ] {
        assert!(expected.contains(line), "missing: {line}");
    }
}

#[test]
fn invalid_judgements_are_file_line_errors() {
    let expected = check_invalid_fixture("bad-judgements");
    for line in [
        "brief.toml:20:8: no study reports outcome `hba1c-target` at week 48",
        "brief.toml:21:37: a serious downgrade for risk of bias needs a `reason`",
        "brief.toml:28:11: unknown outcome `hba1c`",
        "brief.toml:37:17: unknown adverse-event category `fever`",
        "brief.toml:43:32: an upgrade is 1 or 2 levels, found 3",
        "data/studies/smith-trial.toml:50:10: unknown RoB 2 domain `blinding`",
        "data/studies/smith-trial.toml:56:13: unknown RoB 2 judgement `moderate` (expected one of low, some-concerns, high)",
        "data/studies/smith-trial.toml:61:13: every judgement needs a `support` sentence",
        "data/studies/smith-trial.toml:42:8: RoB 2 judgements missing for: deviations",
        "data/studies/smith-trial.toml:71:13: overall judgement `some-concerns` is less severe than domain `measurement`",
    ] {
        assert!(expected.contains(line), "missing: {line}");
    }
}

/// Writes a synthetic project of `studies` studies in two subgroups (T2DM and T1D) with
/// the repository's templates; `settings` go on top of its brief.toml.
fn synthetic_project(dir: &Path, studies: usize, settings: &str) -> PathBuf {
    let root = dir.join("p");
    let templates = repo().join("templates");
    let out = evbrief(&[
        "synthetic",
        root.to_str().unwrap(),
        "--studies",
        &studies.to_string(),
        "--subgroups",
        "--templates",
        templates.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let brief = root.join("brief.toml");
    let toml = fs::read_to_string(&brief).unwrap();
    fs::write(&brief, format!("{settings}\n{toml}")).unwrap();
    root
}

/// Output piped into a reader that stops early (`evbrief check --lang zh | head -1`) ends
/// the process quietly, as SIGPIPE ends `cat`: no panic about a broken pipe.
#[cfg(unix)]
#[test]
fn output_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::os::unix::process::ExitStatusExt;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let root = synthetic_project(dir.path(), 150, "");
    let mut child = Command::new(env!("CARGO_BIN_EXE_evbrief"))
        .args(["check", "-p", root.to_str().unwrap(), "--lang", "zh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap());
    lines.read_line(&mut first).unwrap();
    assert!(first.contains("translation"), "{first}");
    drop(lines);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        out.status.signal(),
        Some(libc::SIGPIPE),
        "{:?}: {err}",
        out.status
    );
}

/// A synthetic project of 60 studies in two subgroups, printed in full: the forest plot
/// continues over pages with its headers repeated, and shows subtotals and the subgroup
/// test.
#[test]
fn tall_forest_plots_continue_with_subgroups() {
    let dir = tempfile::tempdir().unwrap();
    // US Letter is shorter than A4: panels must still fit its pages.
    let root = synthetic_project(dir.path(), 60, "paper = \"us-letter\"\ndetail = \"full\"");
    let out = evbrief(&["build", "-q", "-p", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let bytes = fs::read(root.join("output/brief.pdf")).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("/MediaBox[0 0 612 792]"));
    let Some(text) = pdf_text(&root.join("output/brief.pdf")) else {
        eprintln!("pdftotext not installed; skipping the text checks");
        return;
    };
    // The risk-of-bias figures (RoB 2 and ROBINS-I, two each) and the overview come first.
    assert!(
        text.contains("Figure 6. Outcome 0, week 12 (continued)"),
        "{text}"
    );
    for needle in [
        "Subtotal (T2DM, k = 30)",
        "Subtotal (T1D, k = 30)",
        "Total (k = 60)",
        "95% prediction interval",
        "Test for subgroup differences: Q =",
        "Favours",
    ] {
        assert!(text.contains(needle), "missing: {needle}");
    }
    assert_eq!(
        text.matches("Events/Total").count() % 2,
        0,
        "headers repeat in pairs"
    );
}

/// More than 50 studies print the summary layout by default: every study is still
/// analysed and drawn (as a band), but the rows printed per study are left out, and the
/// brief says so and how many.
#[test]
fn large_briefs_print_the_summary_layout() {
    let dir = tempfile::tempdir().unwrap();
    let root = synthetic_project(dir.path(), 60, "");
    let out = evbrief(&["build", "-q", "-p", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let Some(text) = pdf_text(&root.join("output/brief.pdf")) else {
        eprintln!("pdftotext not installed; skipping the text checks");
        return;
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for needle in [
        "Summary layout (60 studies)",
        "30 studies, sorted by estimate",
        "Subtotal (T2DM, k = 30)",
        "Total (k = 60)",
        "Test for subgroup differences: Q =",
        "Left out in the summary layout:",
        "rows by study left out in the summary layout",
        "judged; the judgements and their support per study are left out",
    ] {
        assert!(text.contains(needle), "missing: {needle}\n{text}");
    }
    for absent in ["Support for judgements", "(continued)", "P (as reported)"] {
        assert!(!text.contains(absent), "unexpected: {absent}");
    }
    // The slides get one slide for all the studies, not sixty.
    let out = evbrief(&[
        "build",
        "-q",
        "--format",
        "slides",
        "-p",
        root.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let slides = pdf_text(&root.join("output/slides.pdf")).unwrap();
    let slides = slides.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        slides.contains("60 studies: too many for a slide each"),
        "{slides}"
    );
    assert!(!slides.contains("Key results"));
    // The bands reach the slides (a tall one is squeezed to fit, see slides.typ).
    assert!(
        slides.contains("30 studies, sorted by estimate"),
        "{slides}"
    );
    // The same project printed in full has the per-study rows back.
    let brief = root.join("brief.toml");
    let toml = fs::read_to_string(&brief).unwrap();
    fs::write(&brief, format!("detail = \"full\"\n{toml}")).unwrap();
    // A 60-study brief in full is the slowest debug compile of the suite: on a shared,
    // busy machine it can pass the default 120 s template limit, which guards against
    // endless loops, not slow machines.
    let out = evbrief(&[
        "build",
        "-q",
        "-p",
        root.to_str().unwrap(),
        "--template-time-limit",
        "900",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let full = pdf_text(&root.join("output/brief.pdf")).unwrap();
    assert!(full.contains("Support for judgements"));
    assert!(!full.contains("Summary layout"));
}

#[test]
fn malformed_toml_and_unknown_fields_are_reported_together() {
    let expected = check_invalid_fixture("malformed");
    assert!(expected.contains("data/studies/a-broken.toml:6:6: unclosed array"));
    assert!(expected.contains("data/studies/b-unknown.toml:6:1: unknown field `colour`"));
}

#[test]
fn a_failed_build_leaves_the_previous_pdf_unchanged() {
    let dir = project(Some("valid/minimal"));
    let p = dir.path().to_str().unwrap();
    assert!(evbrief(&["build", "-q", "-p", p]).status.success());
    let pdf = dir.path().join("output/brief.pdf");
    let before = fs::read(&pdf).unwrap();

    let study = dir.path().join("data/studies/smith-trial.toml");
    let text = fs::read_to_string(&study)
        .unwrap()
        .replace("n = 33", "n = -3");
    fs::write(&study, text).unwrap();
    let out = evbrief(&["build", "-p", p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nothing was written"));
    assert_eq!(fs::read(&pdf).unwrap(), before);

    // A broken template is a user error too, reported with its location.
    fs::write(
        &study,
        fs::read_to_string(
            repo().join("tests/fixtures/valid/minimal/data/studies/smith-trial.toml"),
        )
        .unwrap(),
    )
    .unwrap();
    fs::write(
        dir.path().join("templates/brief.typ"),
        "// evbrief-schema: 2\n#let x = (\n",
    )
    .unwrap();
    let out = evbrief(&["build", "-p", p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("templates/brief.typ:2:"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(&pdf).unwrap(), before);
    assert_eq!(
        names_in(&dir.path().join("output")),
        [".evbrief.lock", "brief.pdf", "editions"],
        "no temporary files left behind"
    );
    assert_eq!(
        names_in(&dir.path().join("output/editions")).len(),
        1,
        "failed builds make no edition"
    );
}

#[test]
fn templates_cannot_read_outside_the_project() {
    let dir = project(Some("valid/minimal"));
    let outside = tempfile::NamedTempFile::new().unwrap();
    fs::write(outside.path(), "secret").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("templates/leak.txt")).unwrap();
    for attempt in [
        "#read(\"../../etc/passwd\")",
        "#read(\"/etc/passwd\")",
        "#read(\"leak.txt\")",
    ] {
        fs::write(
            dir.path().join("templates/brief.typ"),
            format!("// evbrief-schema: 2\n{attempt}"),
        )
        .unwrap();
        let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{attempt} must fail: {}",
            stderr(&out)
        );
        assert!(!dir.path().join("output/brief.pdf").exists());
    }
}

#[test]
fn missing_project_and_bad_usage_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no brief.toml"));
    assert!(
        names_in(dir.path()).is_empty(),
        "nothing is created in a folder that is not a project"
    );
    for command in ["watch", "check"] {
        let out = evbrief(&[command, "-p", dir.path().to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(2), "{command}");
    }
    let out = evbrief(&[
        "schedule",
        "--every",
        "1h",
        "-p",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(names_in(dir.path()).is_empty());
    let out = evbrief(&["schedule", "--cron", "0 7 * * FUNDAY"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("\"FUNDAY\" is not a day name"),
        "{}",
        stderr(&out)
    );
    assert_eq!(evbrief(&["schedule"]).status.code(), Some(2));
    assert_eq!(evbrief(&["build", "--no-such-flag"]).status.code(), Some(2));
    assert!(evbrief(&["--help"]).status.success());
}

#[test]
fn analyse_reproduces_metafor_bcg_reml() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bcg.csv");
    // Colditz et al. 1994 BCG trials (metafor dat.bcg): tpos, tneg, cpos, cneg.
    let rows = [
        (4, 119, 11, 128),
        (6, 300, 29, 274),
        (3, 228, 11, 209),
        (62, 13536, 248, 12619),
        (33, 5036, 47, 5761),
        (180, 1361, 372, 1079),
        (8, 2537, 10, 619),
        (505, 87886, 499, 87892),
        (29, 7470, 45, 7232),
        (17, 1699, 65, 1600),
        (186, 50448, 141, 27197),
        (5, 2493, 3, 2338),
        (27, 16886, 29, 17825),
    ];
    let mut text = String::from("study,ai,bi,ci,di\n");
    for (i, (a, b, c, d)) in rows.iter().enumerate() {
        text.push_str(&format!("{},{a},{b},{c},{d}\n", i + 1));
    }
    fs::write(&csv, text).unwrap();
    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "RR",
        "--method",
        "REML",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let close = |k: &str, x: f64| (v[k].as_f64().unwrap() - x).abs() < 5e-5;
    assert!(close("estimate", -0.7145) && close("tau2", 0.3132) && close("ci_lower", -1.0669));

    fs::write(&csv, "study,ai,bi,ci,di\n1,4,x,11,128\n2,-1,300,29,274\n").unwrap();
    let out = evbrief(&[
        "analyse",
        "--data",
        csv.to_str().unwrap(),
        "--measure",
        "RR",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bcg.csv:2:") && err.contains("bcg.csv:3:"),
        "{err}"
    );
}

#[test]
fn broken_references_and_pooled_reports_are_located() {
    let expected = check_invalid_fixture("bad-references");
    for line in [
        "data/references.bib:13:11: malformed date or year in `smith2019abstract`",
        "data/inbox/wang2024.bib:8:10: reference key `smith2020` is already defined in data/references.bib",
        "brief.toml:3:18: unknown citation style `harvard-ish`",
        "data/studies/smith-trial.toml:16:7: reference `wang2024` is still in the inbox",
        "data/studies/smith-trial.toml:20:7: unknown reference key `nct01234567`",
        "data/studies/smith-trial.toml:59:21: outcome `hba1c-target` at `week 9` (arm `msc`) comes from two reports of this study",
        "data/studies/smith-trial.toml:76:21: outcome `fpg` at `week 9` (arms `msc` and `placebo`) comes from two reports",
        "data/studies/smith-trial.toml:102:21: adverse event \"Fever\" in arm `msc` is given twice",
    ] {
        assert!(expected.contains(line), "missing: {line}");
    }
    // The value marked `analyse = false` (line 82) is not reported.
    assert!(!expected.contains("smith-trial.toml:82:"));
}

/// PDF link targets (`/URI` actions) in file order.
fn pdf_links(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/URI")
        .filter_map(|(at, m)| {
            let rest = text[at + m.len()..].trim_start().strip_prefix('(')?;
            rest.find(')').map(|end| rest[..end].to_owned())
        })
        .collect()
}

#[test]
fn several_reports_a_yaml_bibliography_and_the_inbox_are_cited() {
    let dir = project(Some("valid/reports"));
    let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("output/brief.pdf");
    let text = pdf_flow_text(&pdf).unwrap();
    for expected in [
        // Every report of the study is cited, with its role.
        "Smith 2020 — reports: main report [1]; conference abstract [2]; registry record [3].",
        // The value from the abstract is on record but not analysed; the forest row cites
        // the report its numbers come from.
        "Results; not analysed",
        "Smith 2020 [1]a 20/33 9/32",
        // Inbox records are listed in full, Chinese intact.
        "Studies awaiting assessment",
        "4. Wang B, 张帆. 脐带间充质干细胞治疗 2 型糖尿病的随机对照试验. 中华糖尿病杂志 2024;16:33–40.",
        // References: BibTeX and YAML entries together, numbered in citation order.
        "1. Smith A, Li W. A small randomised trial of cord-derived cells. Journal of Trials 2020;12:101–109. doi:10.1000/xyz123 PMID: 31234567",
        "2. Smith A. Preliminary results of a small randomised trial of cord-derived cells. Diabetes Congress Abstract Book 2019.",
        "3. Example University Hospital. Umbilical cord mesenchymal stem cells for type 2 diabetes. 2018. Available from: https://clinicaltrials.gov/",
    ] {
        assert!(text.contains(expected), "missing: {expected}\n{text}");
    }
    let links = pdf_links(&fs::read(&pdf).unwrap());
    for target in [
        "https://doi.org/10.1000/xyz123",
        "https://www.ncbi.nlm.nih.gov/pubmed/31234567",
        "https://clinicaltrials.gov/study/NCT01234567",
        "https://doi.org/10.3760/cma.j.cn115791-20240101-00001",
    ] {
        assert!(
            links.iter().any(|l| l == target),
            "no link to {target}: {links:?}"
        );
    }
}

#[test]
fn every_offered_citation_style_prints_authors() {
    for (style, expected) in [
        ("nlm-citation-sequence", "Smith A, Li W. A small trial."),
        ("gb-7714-2015-numeric", "SMITH A, LI W. A small trial"),
        ("ama", "Smith A, Li W. A small trial."),
        ("apa", "Smith, A., & Li, W. (2020). A small trial."),
    ] {
        let dir = project(Some("valid/minimal"));
        let brief = dir.path().join("brief.toml");
        let toml = fs::read_to_string(&brief).unwrap().replace(
            "citation-style = \"ieee\"",
            &format!("citation-style = \"{style}\""),
        );
        fs::write(&brief, toml).unwrap();
        let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
        assert!(out.status.success(), "{style}: {}", stderr(&out));
        let text = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
        assert!(
            text.contains(expected),
            "{style}: missing {expected}\n{text}"
        );
    }
}

/// Every file under `dir` with its bytes, for "nothing was touched" checks.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn import_fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn import_files_new_records_once_and_skips_known_ones() {
    let dir = project(None);
    let root = dir.path().to_str().unwrap();
    let files: Vec<String> = [
        "pubmed.nbib",
        "cnki.ris",
        "zotero.ris",
        "registry.ris",
        "zotero.bib",
        "crossref.json",
        "zotero-csl.json",
    ]
    .iter()
    .map(|f| import_fixture(f))
    .collect();
    let mut args = vec!["import", "-p", root];
    args.extend(files.iter().map(String::as_str));
    let out = evbrief(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "added zhang2022      张帆 2022: 脐带间充质干细胞治疗2型糖尿病的临床研究",
        "added chinese2019    Chinese PLA General Hospital 2019: Umbilical Cord Mesenchymal Stem Cells",
        // Known to the curated bibliography by DOI, in English and in Chinese.
        "— same DOI as `lian2023` in data/references.bib",
        "skipped 赵健 2024: 脐带间充质干细胞输注对2型糖尿病合并非酒精性脂肪性肝病患者的疗效评估",
        // Within one import: the Zotero RIS and BibTeX exports of the same paper.
        "— same DOI as `lu2021b` in this import (",
        "8 records to data/inbox, 9 skipped",
    ] {
        assert!(text.contains(line), "missing: {line}\n{text}");
    }
    let inbox = dir.path().join("data/inbox");
    let mut names: Vec<String> = fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            // Already in the bundled inbox.
            "carlsson2015.bib",
            "chin2019.bib",
            "chinese2019.bib",
            "diabetes2022.bib",
            "lu2021b.bib",
            "ricordi2020.bib",
            "zhang2022.bib",
            "zhao2024b.bib",
            "zhong2020.bib"
        ]
    );
    let record = fs::read_to_string(inbox.join("zhang2022.bib")).unwrap();
    assert!(record.contains("author      = {{张帆}}"), "{record}");
    // The curated bibliography is untouched.
    assert_eq!(
        fs::read(dir.path().join("data/references.bib")).unwrap(),
        fs::read(repo().join("data/references.bib")).unwrap()
    );

    // A second import of the same files adds nothing and changes nothing.
    let before = snapshot(&dir.path().join("data"));
    let again = evbrief(&args);
    assert!(again.status.success());
    assert!(
        stdout(&again).contains("0 records to data/inbox, 17 skipped"),
        "{}",
        stdout(&again)
    );
    assert!(stdout(&again).contains("as `zhang2022` in the inbox (data/inbox/zhang2022.bib)"));
    assert_eq!(snapshot(&dir.path().join("data")), before);

    // The brief lists the records, in full, under "Studies awaiting assessment".
    let build = evbrief(&["build", "-p", root]);
    assert!(build.status.success(), "{}", stderr(&build));
    let pdf = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    assert!(pdf.contains("Studies awaiting assessment"));
    assert!(pdf.contains("(9 records)"));
    assert!(
        pdf.contains("张帆. 脐带间充质干细胞治疗 2 型糖尿病的临床研究. 2022."),
        "{pdf}"
    );
}

#[test]
fn a_broken_import_file_is_located_and_nothing_is_written() {
    let dir = project(None);
    let root = dir.path().to_str().unwrap();
    let before = snapshot(&dir.path().join("data"));
    let good = import_fixture("pubmed.nbib");
    let broken = [
        "ris-no-er.ris",
        "trailing-comma.json",
        "unclosed-brace.bib",
        "no-title.nbib",
    ]
    .map(|f| import_fixture(&format!("broken/{f}")));
    let mut args = vec!["import", "-q", "-p", root, good.as_str()];
    args.extend(broken.iter().map(String::as_str));
    let out = evbrief(&args);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    for name in &broken {
        assert!(
            err.contains(&format!("{name}:")),
            "no problem for {name}:\n{err}"
        );
    }
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(snapshot(&dir.path().join("data")), before);
}

#[test]
fn new_study_drafts_then_adds_only_a_valid_study() {
    let dir = project(Some("valid/reports"));
    let root = dir.path().to_str().unwrap();
    let draft = dir.path().join("data/drafts/wang2024.toml");

    let out = evbrief(&["new-study", "wang2024", "-p", root]);
    assert!(out.status.success(), "{}", stderr(&out));
    let skeleton = fs::read_to_string(&draft).unwrap();
    for expected in [
        "id = \"wang2024\"",
        "label = \"Wang 2024\"",
        "design = \"FILL IN\"",
        "[[reports]]\nkey = \"wang2024\"",
        "# Outcomes in brief.toml: hba1c-target (binary).",
        "# [[results]]",
    ] {
        assert!(
            skeleton.contains(expected),
            "missing {expected}:\n{skeleton}"
        );
    }
    // The brief ignores the draft: it still builds, with the record awaiting assessment.
    let build = evbrief(&["build", "-q", "-p", root]);
    assert!(build.status.success(), "{}", stderr(&build));

    // Unfilled, the draft does not validate: every problem is shown, nothing moves.
    let before = snapshot(&dir.path().join("data"));
    let out = evbrief(&["new-study", "wang2024", "-q", "-p", root]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("data/drafts/wang2024.toml:10:10: unknown variant `FILL IN`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&dir.path().join("data")), before);

    // Filled in, it moves into the brief and the record out of the inbox.
    let filled = skeleton
        .replace("design = \"FILL IN\"", "design = \"rct\"")
        .replace("condition = \"FILL IN\"", "condition = \"T2DM\"")
        .replace(
            "population = \"FILL IN\"",
            "population = \"Adults with T2DM\"",
        )
        .replace("n = 0 ", "n = 20 ")
        .replace("FILL IN", "as reported");
    fs::write(&draft, filled).unwrap();
    let out = evbrief(&["new-study", "wang2024", "-p", root]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!draft.exists());
    assert!(dir.path().join("data/studies/wang2024.toml").is_file());
    assert!(!dir.path().join("data/inbox/wang2024.bib").exists());
    let references = fs::read_to_string(dir.path().join("data/references.bib")).unwrap();
    assert!(references.contains("@article{wang2024,"), "{references}");
    let build = evbrief(&["build", "-p", root]);
    assert!(build.status.success(), "{}", stderr(&build));
    let pdf = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    assert!(!pdf.contains("Studies awaiting assessment"));
    assert!(pdf.contains("Wang 2024 [4]"), "{pdf}");
}
