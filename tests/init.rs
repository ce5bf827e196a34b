//! A brief of one's own: `evbrief init` → `import-data` → `build` on the BCG trials
//! (dat.bcg, Colditz et al. 1994) as a CSV and as an `.xlsx` sheet; the built-in templates
//! with `templates eject` and `templates diff` and the schema check; the sheet's problems.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use common::*;

/// `evbrief ARGS…` with a fixed date (the as-of date `init` writes), which must succeed;
/// returns its stdout.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "evbrief {args:?} failed:\n{}{}",
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

fn run(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_evbrief"))
        .args(args)
        // 2026-12-04 00:00 UTC: the as-of date `init` writes.
        .env("SOURCE_DATE_EPOCH", "1796342400")
        .output()
        .expect("run evbrief")
}

fn bcg() -> PathBuf {
    repo().join("examples/bcg/data")
}

/// A new project in a temporary folder with the BCG references.
fn new_bcg_project() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("bcg");
    let d = dir.to_str().unwrap();
    let out = ok(&["init", d, "--title", "BCG vaccine against tuberculosis"]);
    assert!(out.contains("evbrief import-data -p"), "{out}");
    fs::copy(
        bcg().join("references.bib"),
        dir.join("data/references.bib"),
    )
    .unwrap();
    (tmp, dir)
}

/// metafor 3.8.1, `rma(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg,
/// data = dat.bcg, method = "REML", test = "knha")`, back-transformed with `exp`
/// (tests/metafor/bcg.json, written by tests/metafor/generate.R).
const METAFOR_RR: [f64; 3] = [0.48942093982603, 0.330072248483599, 0.725698259822339];

/// The pooled RR of `tb` at the end of follow-up in the latest edition's analysis.json.
fn pooled_rr(dir: &Path) -> (usize, [f64; 3]) {
    let editions = dir.join("output/editions");
    let latest = names_in(&editions).pop().unwrap();
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(editions.join(latest).join("analysis.json")).unwrap())
            .unwrap();
    let time = &json["outcomes"][0]["times"][0];
    assert_eq!(time["time"], "end of follow-up");
    let pooled = &time["pooled"];
    let f = |k: &str| pooled[k].as_f64().unwrap();
    (
        pooled["k"].as_u64().unwrap() as usize,
        [f("estimate"), f("ci-lower"), f("ci-upper")],
    )
}

fn assert_bcg_brief(dir: &Path) {
    let d = dir.to_str().unwrap();
    ok(&["build", "-q", "-p", d]);
    let (k, rr) = pooled_rr(dir);
    assert_eq!(k, 13);
    for (ours, theirs) in rr.iter().zip(METAFOR_RR) {
        assert!(
            ((ours - theirs) / theirs).abs() < 1e-6,
            "{rr:?} vs metafor {METAFOR_RR:?}"
        );
    }
    let text = pdf_flow_text(&dir.join("output/brief.pdf")).unwrap();
    assert!(text.contains("0.49 (95% CI 0.33 to 0.73)"), "{text}");
    // The forest plot has a row per trial: every label is printed in it and in the table
    // of included studies.
    for label in [
        "Aronson 1948",
        "Ferguson & Simes 1949",
        "Rosenthal et al 1960",
        "Hart & Sutherland 1977",
        "Frimodt-Moller et al 1973",
        "Stein & Aronson 1953",
        "Vandiviere et al 1973",
        "TPT Madras 1980",
        "Coetzee & Berjak 1968",
        "Rosenthal et al 1961",
        "Comstock et al 1974",
        "Comstock & Webster 1969",
        "Comstock et al 1976",
    ] {
        assert!(text.matches(label).count() >= 2, "{label} in {text}");
    }
}

#[test]
fn init_import_data_and_build_the_bcg_brief_from_csv() {
    let (_tmp, dir) = new_bcg_project();
    let d = dir.to_str().unwrap();
    let sheet = bcg().join("extraction.csv");
    let out = ok(&["import-data", "-p", d, sheet.to_str().unwrap()]);
    assert!(
        out.contains("added data/studies/aronson1948.toml: 1 report, 2 arms, 2 values"),
        "{out}"
    );
    assert!(
        out.contains("added outcome `tb` to brief.toml (binary"),
        "{out}"
    );
    assert_eq!(names_in(&dir.join("data/studies")).len(), 13);
    let study = fs::read_to_string(dir.join("data/studies/aronson1948.toml")).unwrap();
    assert!(study.contains("id = \"bcg-vaccine\""), "{study}");
    assert!(study.contains("n = 123"), "{study}");
    assert!(study.contains("events = 11"), "{study}");
    assert!(
        study.contains("source = { report = \"aronson1948\", at = \"Colditz et al. 1994, trial 1"),
        "{study}"
    );
    assert_bcg_brief(&dir);

    // Importing the same sheet again changes nothing.
    let out = ok(&["import-data", "-p", d, sheet.to_str().unwrap()]);
    assert!(
        out.contains("unchanged data/studies/aronson1948.toml"),
        "{out}"
    );
    assert!(!out.contains("added"), "{out}");
}

#[test]
fn the_same_sheet_as_xlsx_gives_the_same_study_files() {
    let (_tmp, dir) = new_bcg_project();
    let d = dir.to_str().unwrap();
    let xlsx = dir.join("bcg.xlsx");
    write_xlsx(&bcg().join("extraction.csv"), &xlsx);
    ok(&["import-data", "-p", d, xlsx.to_str().unwrap()]);
    let (_tmp2, csv_dir) = new_bcg_project();
    let sheet = bcg().join("extraction.csv");
    ok(&[
        "import-data",
        "-p",
        csv_dir.to_str().unwrap(),
        sheet.to_str().unwrap(),
    ]);
    for name in names_in(&csv_dir.join("data/studies")) {
        assert_eq!(
            fs::read_to_string(dir.join("data/studies").join(&name)).unwrap(),
            fs::read_to_string(csv_dir.join("data/studies").join(&name)).unwrap(),
            "{name}"
        );
    }
    assert_bcg_brief(&dir);
}

/// The CSV sheet as a workbook: numbers as numbers, text as text, comment rows left out.
fn write_xlsx(csv_path: &Path, xlsx: &Path) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("BCG trials").unwrap();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .comment(Some(b'#'))
        .from_path(csv_path)
        .unwrap();
    for (r, record) in reader.records().enumerate() {
        for (c, cell) in record.unwrap().iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(v) => sheet.write_number(r, c, v).unwrap(),
                Err(_) => sheet.write_string(r, c, cell).unwrap(),
            };
        }
    }
    workbook.save(xlsx).unwrap();
}

#[test]
fn a_new_brief_without_studies_builds_in_english_and_chinese() {
    let tmp = tempfile::tempdir().unwrap();
    for (lang, says) in [
        ("en", "No study is included yet"),
        ("zh", "尚未纳入任何研究"),
    ] {
        let dir = tmp.path().join(lang);
        let d = dir.to_str().unwrap();
        ok(&["init", d, "--lang", lang]);
        assert_eq!(
            names_in(&dir),
            [".gitignore", "brief.toml", "data"],
            "no templates/: the built-in ones are used"
        );
        assert_eq!(
            fs::read_to_string(dir.join(".gitignore")).unwrap(),
            "output/\n"
        );
        let sheet = fs::read_to_string(dir.join("data/extraction.csv")).unwrap();
        assert!(sheet.starts_with("study,label,design,condition,population,arm,role,n,outcome,time,events,percent,mean,sd,sem,median,q1,q3,iqr,report,at\n"));
        assert_eq!(
            sheet
                .lines()
                .filter(|l| l.starts_with("# smith2020,"))
                .count(),
            2
        );
        // The sheet as written (only its commented examples) imports nothing, cleanly.
        let out = run(&[
            "import-data",
            "-p",
            d,
            dir.join("data/extraction.csv").to_str().unwrap(),
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        ok(&["build", "-q", "-p", d]);
        let text = pdf_flow_text(&dir.join("output/brief.pdf")).unwrap();
        assert!(text.contains(says), "{lang}: {text}");
    }
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("notes.txt"), "mine").unwrap();
    let out = run(&["init", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "error: {} is not empty; choose a new folder, or add `--force` to write the project \
             files into it (existing files are replaced)\n",
            tmp.path().display()
        )
    );
    assert_eq!(names_in(tmp.path()), ["notes.txt"]);
    ok(&["init", tmp.path().to_str().unwrap(), "--force"]);
    assert!(tmp.path().join("brief.toml").is_file());
}

#[test]
fn templates_eject_and_diff() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let d = dir.to_str().unwrap();
    ok(&["init", d]);
    let out = run(&["templates", "diff", "-p", d]);
    assert!(out.status.success());
    assert_eq!(
        stdout(&out),
        "",
        "nothing differs: no templates in the project"
    );
    assert!(
        stderr(&out)
            .contains("templates/brief.typ: not in the project; the built-in template is used")
    );

    ok(&["templates", "eject", "-p", d, "brief", "common"]);
    assert_eq!(
        names_in(&dir.join("templates")),
        ["brief.typ", "common.typ"]
    );
    assert_eq!(
        fs::read_to_string(dir.join("templates/brief.typ")).unwrap(),
        fs::read_to_string(repo().join("templates/brief.typ")).unwrap()
    );
    let common = dir.join("templates/common.typ");
    let edited = fs::read_to_string(&common)
        .unwrap()
        .replace("#let cjk-fonts = ", "// my change\n#let cjk-fonts = ");
    fs::write(&common, &edited).unwrap();
    let out = ok(&["templates", "diff", "-p", d, "common", "brief"]);
    assert!(
        out.starts_with("--- built-in/common.typ\n+++ templates/common.typ\n@@ "),
        "{out}"
    );
    assert!(out.contains("\n+// my change\n"), "{out}");
    // The project's edited template is used: the build still works with it.
    ok(&["build", "-q", "-p", d]);

    // Eject refuses to overwrite, naming the file, unless --force.
    let out = run(&["templates", "eject", "-p", d, "common"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: templates/common.typ already exists; nothing was written (`--force` replaces \
         it, losing your changes)\n"
    );
    assert_eq!(fs::read_to_string(&common).unwrap(), edited);
    ok(&["templates", "eject", "-p", d, "--force", "common"]);
    assert_eq!(ok(&["templates", "diff", "-p", d, "common"]), "");

    let out = run(&["templates", "eject", "-p", d, "breif"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no built-in template called `breif`"));
}

#[test]
fn a_template_for_another_schema_is_refused_with_the_way_to_update() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let d = dir.to_str().unwrap();
    ok(&["init", d]);
    ok(&["templates", "eject", "-p", d, "forest"]);
    let forest = dir.join("templates/forest.typ");
    let text = fs::read_to_string(&forest).unwrap();
    fs::write(
        &forest,
        text.replacen("// evbrief-schema: 2", "// evbrief-schema: 0", 1),
    )
    .unwrap();
    let out = run(&["build", "-p", d]);
    assert_eq!(out.status.code(), Some(2));
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        stderr(&out),
        format!(
            "templates/forest.typ:1:1: error: this template is written for view-model schema 0, \
             but evbrief {version} gives schema 2\n  \
             = help: see how it differs from the built-in template: `evbrief templates diff forest`\n  \
             = help: then bring it up to date and set `// evbrief-schema: 2`, or replace it with \
             the built-in one (your changes are lost): `evbrief templates eject --force forest`\n\n\
             error: the template failed to compile; nothing was written\n"
        )
    );
    assert!(!dir.join("output/brief.pdf").exists());

    // Without the line at all, the same.
    fs::write(&forest, "#let forest(f) = []\n").unwrap();
    let out = run(&["build", "-q", "-p", d]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "templates/forest.typ:1:1: error: this template has no `// evbrief-schema: N` line, \
             so it may be written for another view model; evbrief {version} gives schema 2\n\
             error: the template failed to compile; nothing was written\n"
        )
    );
}

/// A brief ejected before evbrief formatted citations itself (schema 1 used Typst's
/// `cite` and `bibliography`) is refused with what to change.
#[test]
fn a_schema_1_template_is_told_how_citations_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    let d = dir.to_str().unwrap();
    ok(&["init", d]);
    ok(&["templates", "eject", "-p", d, "brief"]);
    let brief = dir.join("templates/brief.typ");
    let text = fs::read_to_string(&brief).unwrap();
    fs::write(
        &brief,
        text.replacen("// evbrief-schema: 2", "// evbrief-schema: 1", 1),
    )
    .unwrap();
    let out = run(&["build", "-p", d]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.starts_with(
            "templates/brief.typ:1:1: error: this template is written for view-model schema 1"
        ),
        "{err}"
    );
    for hint in [
        "`cite(label(k))` becomes `cite-key(k)`",
        "`bibliography(...)` becomes `reference-list(d.references)`",
        "`evbrief templates diff brief`",
    ] {
        assert!(err.contains(hint), "{hint} missing from:\n{err}");
    }
    assert!(!dir.join("output/brief.pdf").exists());
}

#[test]
fn a_bad_sheet_reports_every_problem_at_once_and_writes_nothing() {
    let (_tmp, dir) = new_bcg_project();
    let d = dir.to_str().unwrap();
    let sheet = dir.join("bad.csv");
    fs::write(
        &sheet,
        "study,label,design,condition,population,arm,role,n,outcome,time,events,mean,report,at\n\
         aronson1948,Aronson 1948,rct,tb,Trial 1,BCG,intervention,123,tb,end of follow-up,4,,aronson1948,Table 1\n\
         aronson1948,Aronson 1948,rct,tb,Trial 1,Control,placebo,139,tb,end of follow-up,140,,aronson1948,Table 1\n\
         Ferguson 1949,Ferguson 1949,trial,tb,Trial 2,BCG,intervention,306,tb,week,6,,nokey,Table 1\n\
         ferguson1949,Ferguson 1949,rct,tb,Trial 2,BCG,intervention,-3,tb,end of follow-up,,,ferguson1949,Table 1\n\
         ferguson1949,Ferguson 1949,rct,tb,Trial 2,Control,control,303,tb,end of follow-up,29,1.5,ferguson1949,Table 1\n",
    )
    .unwrap();
    let before = fs::read_to_string(dir.join("brief.toml")).unwrap();
    let out = run(&["import-data", "-p", d, sheet.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let shown = sheet.display().to_string();
    let expected = [
        "3:7: role `placebo` must be intervention, control or single",
        "3:11: events (140) exceed the number of participants (139)",
        "4:1: study id `Ferguson 1949` must be lower-case letters, digits and hyphens (it names data/studies/ID.toml)",
        "4:3: design `trial` must be one of rct, non-randomised-controlled, registry, case-report",
        "4:10: time point `week` must be \"baseline\", \"end of follow-up\" or like \"week 9\", \"month 6\", \"day 84\", \"year 1\"",
        "4:13: report `nokey` is not a key of data/references.bib",
        "5:8: n must be a whole number above 0, found `-3`",
        "5:11: no value: give events or percent (binary), or mean with sd or sem, or median with q1 and q3 or iqr (continuous)",
        "6:12: a row gives either events/percent or a continuous summary, not both",
    ]
    .iter()
    .map(|m| format!("{shown}:{m}\n"))
    .collect::<String>()
        + "error: 9 problems in the sheet; nothing was written\n";
    assert_eq!(stderr(&out), expected);
    assert_eq!(names_in(&dir.join("data/studies")).len(), 0);
    assert_eq!(fs::read_to_string(dir.join("brief.toml")).unwrap(), before);

    // An xlsx sheet names its worksheet.
    let xlsx = dir.join("bad.xlsx");
    write_xlsx(&sheet, &xlsx);
    let out = run(&["import-data", "-p", d, xlsx.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(&format!(
            "{}[BCG trials]:3:7: role `placebo` must be intervention, control or single\n",
            xlsx.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn dry_run_writes_nothing_and_update_replaces_values() {
    let (_tmp, dir) = new_bcg_project();
    let d = dir.to_str().unwrap();
    let sheet = bcg().join("extraction.csv");
    let s = sheet.to_str().unwrap();
    let brief = fs::read_to_string(dir.join("brief.toml")).unwrap();
    let out = ok(&["import-data", "--dry-run", "-p", d, s]);
    assert!(out.contains("added data/studies/aronson1948.toml"), "{out}");
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert!(names_in(&dir.join("data/studies")).is_empty());
    assert_eq!(fs::read_to_string(dir.join("brief.toml")).unwrap(), brief);

    ok(&["import-data", "-p", d, s]);
    // A corrected count: refused without --update, with where it differs …
    let changed = dir.join("changed.csv");
    let text = fs::read_to_string(&sheet).unwrap().replace(
        "No vaccine,control,139,tb,end of follow-up,11,",
        "No vaccine,control,139,tb,end of follow-up,12,",
    );
    fs::write(&changed, text).unwrap();
    let out = run(&["import-data", "-p", d, changed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        format!(
            "{}:3:11: `events` of `tb` at end of follow-up in arm `no-vaccine` is 12 here, but \
             data/studies/aronson1948.toml holds 11; `--update` replaces it\n\
             error: 1 problem in the sheet; nothing was written\n",
            changed.display()
        )
    );
    let study = dir.join("data/studies/aronson1948.toml");
    assert!(fs::read_to_string(&study).unwrap().contains("events = 11"));
    // … and replaced with it, nothing else touched.
    let out = ok(&[
        "import-data",
        "--update",
        "-p",
        d,
        changed.to_str().unwrap(),
    ]);
    assert!(
        out.contains("extended data/studies/aronson1948.toml: 1 value replaced"),
        "{out}"
    );
    let after = fs::read_to_string(&study).unwrap();
    assert!(
        after.contains("events = 12") && !after.contains("events = 11"),
        "{after}"
    );
    assert!(
        out.contains("unchanged data/studies/ferguson1949.toml"),
        "{out}"
    );
}

#[test]
fn a_synthetic_project_without_templates_uses_the_built_in_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let d = dir.to_str().unwrap();
    ok(&["synthetic", d, "--studies", "3"]);
    assert!(!dir.join("templates").exists());
    ok(&["build", "-q", "-p", d]);
    assert!(dir.join("output/brief.pdf").is_file());
}
