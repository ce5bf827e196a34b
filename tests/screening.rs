//! Screening and the PRISMA flow diagram, through the binary on fixture projects:
//! `evbrief screen` lists the inbox, `evbrief exclude` moves records to `data/excluded/`
//! (all or nothing), a re-import of an excluded record is skipped, the search log is
//! checked cell by cell, and the diagram's numbers in the PDF equal the data's.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{names_in, pdf_flow_text, project, stderr, stdout};

/// 2026-12-04 00:00 UTC: the day every command here runs on.
const EPOCH: &str = "1796342400";

fn run(dir: &Path, args: &[&str]) -> Output {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-p", dir.to_str().unwrap()]);
    Command::new(env!("CARGO_BIN_EXE_evbrief"))
        .args(&all)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .output()
        .expect("run evbrief")
}

fn inbox_record(key: &str, title: &str, year: u32, origin: &str) -> String {
    format!(
        "{origin}\n@article{{{key},\n  author = {{Zhou, Lin}},\n  title = {{{title}}},\n  journal = {{Stem Cell Research}},\n  year = {{{year}}},\n  abstract = {{Umbilical cord mesenchymal stem cells were given to adults with type 2 diabetes in an open trial; HbA1c fell at week 12.}}\n}}\n"
    )
}

const SEARCH_PUBMED: &str = "% Imported by evbrief on 2026-12-01 from a search; awaiting assessment.\n% Search: weekly (pubmed), run 2026-12-01";
const SEARCH_CT: &str = "% Search: trials (clinicaltrials), run 2026-12-01";
const HAND: &str =
    "% Imported by evbrief on 2026-11-20 from cnki.ris, line 1; awaiting assessment.";

/// The minimal fixture with a search log and five inbox records: three found in PubMed,
/// one in ClinicalTrials.gov, one imported by hand.
fn screening_project() -> tempfile::TempDir {
    let dir = project(Some("valid/minimal"));
    let inbox = dir.path().join("data/inbox");
    fs::create_dir_all(&inbox).unwrap();
    let records = [
        (
            "zhou2024",
            "Cord stem cells in adults with type 2 diabetes",
            2024,
            SEARCH_PUBMED,
        ),
        (
            "zhou2025",
            "Cord stem cells in mice with diabetes",
            2025,
            SEARCH_PUBMED,
        ),
        (
            "zhou2023",
            "A review of stem cells for diabetes",
            2023,
            SEARCH_PUBMED,
        ),
        (
            "zhou2026",
            "Stem cell infusion in type 2 diabetes",
            2026,
            SEARCH_CT,
        ),
        ("zhou2022", "Islet transplantation outcomes", 2022, HAND),
    ];
    for (key, title, year, origin) in records {
        fs::write(
            inbox.join(format!("{key}.bib")),
            inbox_record(key, title, year, origin),
        )
        .unwrap();
    }
    fs::write(
        dir.path().join("data/search-log.csv"),
        "date,search,source,query,from,to,found,new,duplicates\n\
         2026-12-01,weekly,pubmed,\"(\"\"umbilical cord\"\"[tiab]) AND diabetes\",,2026-12-01,7,3,4\n\
         2026-12-01,trials,clinicaltrials,umbilical cord AND diabetes,2015-01-01,2026-12-01,2,1,1\n",
    )
    .unwrap();
    let brief = dir.path().join("brief.toml");
    let mut text = fs::read_to_string(&brief).unwrap();
    text.push_str(
        "\n[screening]\nreasons = [\"Animal study\", \"Review\", \"Wrong intervention\"]\n",
    );
    fs::write(&brief, text).unwrap();
    dir
}

/// The number printed in the diagram line starting with `label` ("Records screened (n = 6)").
fn n_after(text: &str, label: &str) -> u64 {
    let at = text
        .find(&format!("{label} (n = "))
        .unwrap_or_else(|| panic!("no `{label}` in the PDF:\n{text}"));
    let rest = &text[at + label.len() + " (n = ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap()
}

fn brief_text(dir: &Path) -> String {
    let out = run(dir, &["build", "-q"]);
    assert!(out.status.success(), "{}", stderr(&out));
    pdf_flow_text(&dir.join("output/brief.pdf")).expect("pdftotext")
}

/// The diagram's numbers counted straight from the files, as a reader of the data would.
struct Expected {
    databases: u64,
    registers: u64,
    duplicates: u64,
    screened: u64,
    excluded: u64,
    awaiting: u64,
    assessed: u64,
    reports_excluded: u64,
    studies: u64,
}

fn expected(dir: &Path) -> Expected {
    let log = fs::read_to_string(dir.join("data/search-log.csv")).unwrap();
    let (mut databases, mut registers, mut duplicates) = (0, 0, 0);
    for line in log.lines().skip(1) {
        let cells: Vec<&str> = line.rsplitn(4, ',').collect();
        let found: u64 = cells[2].parse().unwrap();
        duplicates += cells[0].parse::<u64>().unwrap();
        if line.contains(",clinicaltrials,") {
            registers += found;
        } else {
            databases += found;
        }
    }
    let awaiting = names_in(&dir.join("data/inbox")).len() as u64;
    let excluded_dir = dir.join("data/excluded");
    let (mut excluded, mut reports_excluded) = (0, 0);
    if excluded_dir.exists() {
        for name in names_in(&excluded_dir) {
            let text = fs::read_to_string(excluded_dir.join(name)).unwrap();
            if text.contains("% Stage: full-text") {
                reports_excluded += 1;
            } else {
                excluded += 1;
            }
        }
    }
    // The minimal fixture: one study with one report.
    let studies = names_in(&dir.join("data/studies")).len() as u64;
    let assessed = reports_excluded + studies;
    Expected {
        databases,
        registers,
        duplicates,
        screened: assessed + excluded + awaiting,
        excluded,
        awaiting,
        assessed,
        reports_excluded,
        studies,
    }
}

fn assert_diagram_matches(text: &str, e: &Expected) {
    assert_eq!(n_after(text, "Databases"), e.databases);
    assert_eq!(n_after(text, "Registers"), e.registers);
    assert_eq!(n_after(text, "Duplicate records"), e.duplicates);
    assert_eq!(n_after(text, "Records screened"), e.screened);
    assert_eq!(n_after(text, "Records excluded"), e.excluded);
    assert_eq!(n_after(text, "Records awaiting assessment"), e.awaiting);
    assert_eq!(
        n_after(text, "Reports assessed for eligibility"),
        e.assessed
    );
    assert_eq!(n_after(text, "Reports excluded"), e.reports_excluded);
    assert_eq!(n_after(text, "Studies included in review"), e.studies);
}

#[test]
fn exclude_moves_records_and_the_diagram_follows_the_data() {
    let dir = screening_project();
    let root = dir.path();
    let first = brief_text(root);
    let e = expected(root);
    assert_eq!(
        (e.databases, e.registers, e.duplicates, e.screened),
        (7, 2, 5, 6)
    );
    assert_diagram_matches(&first, &e);
    assert_eq!(n_after(&first, "PubMed"), 7);
    assert_eq!(n_after(&first, "ClinicalTrials.gov"), 2);
    // The study's report and the hand import came by other methods.
    assert_eq!(n_after(&first, "Other methods"), 2);
    assert!(!first.contains("Studies excluded after full-text assessment"));

    let out = run(
        root,
        &[
            "exclude",
            "zhou2025",
            "zhou2023",
            "--reason",
            "animal STUDY",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "excluded zhou2025 at title-abstract screening → data/excluded/zhou2025.bib\n\
         excluded zhou2023 at title-abstract screening → data/excluded/zhou2023.bib\n"
    );
    let out = run(
        root,
        &[
            "exclude",
            "zhou2026",
            "--reason",
            "Wrong intervention",
            "--stage",
            "full-text",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        names_in(&root.join("data/inbox")),
        ["zhou2022.bib", "zhou2024.bib"]
    );
    let moved = fs::read_to_string(root.join("data/excluded/zhou2026.bib")).unwrap();
    assert!(moved.starts_with(
        "% Excluded: 2026-12-04\n% Stage: full-text\n% Reason: Wrong intervention\n% Search: trials (clinicaltrials), run 2026-12-01\n@article{zhou2026,"
    ), "{moved}");

    let second = brief_text(root);
    let e = expected(root);
    assert_eq!(
        (e.excluded, e.awaiting, e.reports_excluded, e.assessed),
        (2, 2, 1, 2)
    );
    assert_diagram_matches(&second, &e);
    assert_eq!(n_after(&second, "Wrong intervention"), 1);
    // The living variant: the second edition says what moved since the first.
    assert!(
        second.contains("Records excluded (n = 2; 2 new)"),
        "{second}"
    );
    assert!(second.contains("Records awaiting assessment (n = 2; 3 fewer)"));
    assert!(second.contains("compare with the previous edition"));
    // The full-text exclusion is listed with its reason; title/abstract ones are not.
    assert!(second.contains("Studies excluded after full-text assessment"));
    assert!(
        second.contains("Zhou 2026. Stem cell infusion in type 2 diabetes. Stem Cell Research.")
    );
    assert!(!second.contains("Zhou 2025. Cord stem cells in mice"));
    // The edition record keeps the counts for the next edition.
    let editions = names_in(&root.join("output/editions"));
    let record = fs::read_to_string(
        root.join("output/editions")
            .join(editions.last().unwrap())
            .join("analysis.json"),
    )
    .unwrap();
    let record: serde_json::Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record["prisma"]["excluded-screening"], 2);
    assert_eq!(
        record["prisma"]["excluded-full-text"][0]["reason"],
        "Wrong intervention"
    );
}

#[test]
fn unknown_keys_and_reasons_are_refused_and_nothing_moves() {
    let dir = screening_project();
    let root = dir.path();
    let before = names_in(&root.join("data/inbox"));
    let out = run(
        root,
        &[
            "exclude",
            "zhou2024",
            "nobody",
            "smith2020",
            "--reason",
            "Review",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: no inbox record `nobody` (records awaiting assessment: zhou2022, zhou2023, zhou2024, zhou2025, zhou2026); `smith2020` is a curated reference, not an inbox record; nothing was moved\n"
    );
    let out = run(root, &["exclude", "zhou2024", "--reason", "Too small"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: unknown reason \"Too small\": [screening] reasons in brief.toml allows \"Animal study\", \"Review\", \"Wrong intervention\"\n"
    );
    assert_eq!(names_in(&root.join("data/inbox")), before);
    assert!(!root.join("data/excluded").exists());
    // Excluding twice is refused too.
    assert!(
        run(root, &["exclude", "zhou2024", "--reason", "Review"])
            .status
            .success()
    );
    let out = run(root, &["exclude", "zhou2024", "--reason", "Review"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: `zhou2024` is already excluded (data/excluded/zhou2024.bib); nothing was moved\n"
    );
}

#[test]
fn a_reimported_excluded_record_is_skipped_and_says_why() {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let ris = root.join("export.ris");
    fs::write(
        &ris,
        "TY  - JOUR\nAU  - Wu, Jing\nTI  - Stem cells in diabetic rats\nPY  - 2024\nDO  - 10.1000/rats.1\nER  - \n",
    )
    .unwrap();
    let out = run(root, &["import", ris.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(root, &["exclude", "wu2024", "--reason", "Animal study"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(root, &["import", ris.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(
            "skipped Wu 2024: Stem cells in diabetic rats — same DOI as `wu2024` in data/excluded/wu2024.bib (excluded at title-abstract screening on 2026-12-04: Animal study)"
        ),
        "{}",
        stdout(&out)
    );
    assert!(!root.join("data/inbox/wu2024.bib").exists());
    assert!(!root.join("data/inbox/wu2024b.bib").exists());
}

#[test]
fn screen_lists_the_inbox_with_origin_and_abstract() {
    let dir = screening_project();
    let out = run(dir.path(), &["screen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.starts_with("5 records await assessment in data/inbox"),
        "{text}"
    );
    assert!(text.contains(
        "zhou2026  2026  Stem cell infusion in type 2 diabetes\n          Stem Cell Research · search trials (ClinicalTrials.gov, run 2026-12-01)\n          | Umbilical cord mesenchymal stem cells"
    ), "{text}");
    assert!(text.contains("Stem Cell Research · import cnki.ris\n"));
}

#[test]
fn search_log_errors_point_at_their_cells() {
    let dir = screening_project();
    let root = dir.path();
    fs::write(
        root.join("data/search-log.csv"),
        "date,search,source,query,from,to,found,new,duplicates\n\
         2026-12-01,weekly,scopus,q,,2026-12-01,7,3,4\n\
         2026-12-01,weekly,pubmed,q,,2026-12-01,7,3,3\n\
         2026-13-01,weekly,pubmed,q,,2026-12-01,7,3,4\n",
    )
    .unwrap();
    let out = run(root, &["check", "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for expected in [
        "data/search-log.csv:2:19: unknown source `scopus` (use pubmed, europepmc, crossref, clinicaltrials)",
        "data/search-log.csv:3:44: `duplicates` must be found − new = 7 − 3, found 3",
        "data/search-log.csv:4:1: `date` must be a date written YYYY-MM-DD, found `2026-13-01`",
    ] {
        assert!(err.contains(expected), "missing `{expected}` in:\n{err}");
    }
}

#[test]
fn the_chinese_edition_prints_translated_reasons() {
    let dir = screening_project();
    let root = dir.path();
    let brief = root.join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap().replace(
        "reasons = [\"Animal study\", \"Review\", \"Wrong intervention\"]",
        "reasons = [\"Animal study\", \"Review\", \"Wrong intervention\"]\nreasons-zh = [\"动物研究\", \"综述\", \"干预措施不符\"]",
    );
    fs::write(&brief, text).unwrap();
    let out = run(
        root,
        &[
            "exclude",
            "zhou2026",
            "--reason",
            "Wrong intervention",
            "--stage",
            "full-text",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(root, &["build", "-q", "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = pdf_flow_text(&root.join("output/brief.zh.pdf")).expect("pdftotext");
    assert!(text.contains("研究筛选"), "{text}");
    assert!(text.contains("排除的报告（n = 1）："), "{text}");
    assert!(text.contains("干预措施不符（n = 1）"), "{text}");
    assert!(text.contains("全文评估后排除的研究"));
    assert!(!text.contains("Wrong intervention"));
}
