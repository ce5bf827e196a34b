//! The study-identity check end to end: `check` and `build` warn about studies that may
//! share participants (issue 21's case: a whole trial and its post hoc subgroup filed as
//! two studies), the brief marks and footnotes what includes both, and `new-study`
//! refuses such a draft until the curator files it as a report or records it as distinct.

mod common;

use std::fs;
use std::path::Path;

use common::{evbrief, pdf_flow_text, project, stderr, stdout};

const WARNING: &str = "warning: data/studies/zang-rct.toml:1:6: `zang-rct` and `zhao-nafld` (data/studies/zhao-nafld.toml:1:6) may share participants: likely the same participants (shared authors: Mu, Yiming; same setting (beijing, pla); overlapping enrolment (October 2015 to December 2018; 2015年10月至2018年12月); arm sizes of Zhao 2024 (33/32) fit inside 45/46; Zhao 2024 names the other study (\"Zang et al.\"); same country (China); same condition (T2DM))";

#[test]
fn check_warns_with_both_study_files_and_exits_zero() {
    let dir = project(Some("valid/overlap"));
    let out = evbrief(&["check", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(WARNING), "{err}");
    assert!(
        stdout(&out).starts_with("ok: 2 studies"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn the_bundled_project_has_no_unsettled_overlap() {
    let dir = project(None);
    let out = evbrief(&["check", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        !stderr(&out).contains("may share participants"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_brief_marks_and_footnotes_the_pooled_estimate_of_both() {
    let dir = project(Some("valid/overlap"));
    let root = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", root]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains(WARNING), "{}", stderr(&out));
    let text = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    assert!(
        text.contains("‡ Participants may be counted twice: Zang 2019 and Zhao 2024, likely the same participants (shared authors: Mu, Yiming;"),
        "{text}"
    );
    // Listed with the discrepancies.
    let at = text
        .find("Discrepancies between sources")
        .expect("discrepancies section");
    assert!(
        text[at..].contains("Zang 2019 and Zhao 2024: likely the same participants"),
        "{}",
        &text[at..]
    );
    // The forest plot's footnote, the pooled sentence and the summary-of-findings row.
    assert!(text.matches('‡').count() >= 4, "{text}");

    // Chinese edition: the same, in Chinese.
    let out = evbrief(&["build", "-p", root, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let zh = pdf_flow_text(&dir.path().join("output/brief.zh.pdf")).unwrap();
    assert!(zh.contains("受试者可能被重复计算"), "{zh}");
    assert!(zh.contains("很可能为同一批受试者"), "{zh}");
}

#[test]
fn a_recorded_decision_silences_the_warning_and_the_marker() {
    let dir = project(Some("valid/overlap"));
    let root = dir.path();
    let path = root.join("data/studies/zhao-nafld.toml");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("\n[[distinct-from]]\nstudy = \"zang-rct\"\nreason = \"Fixture: taken as different participants.\"\n");
    fs::write(&path, text).unwrap();
    let out = evbrief(&["build", "-p", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("may share participants"),
        "{}",
        stderr(&out)
    );
    let pdf = pdf_flow_text(&root.join("output/brief.pdf")).unwrap();
    assert!(!pdf.contains('‡'), "{pdf}");
}

/// The fixture with `zang-rct` turned back into the inbox record `zang2019` and its
/// filled-in draft: the whole trial arrives after its subgroup was included.
fn inbox_case() -> tempfile::TempDir {
    let dir = project(Some("valid/overlap"));
    let root = dir.path();
    fs::create_dir_all(root.join("data/inbox")).unwrap();
    fs::create_dir_all(root.join("data/drafts")).unwrap();
    let bib = fs::read_to_string(root.join("data/references.bib")).unwrap();
    let (start, at) = (
        bib.find("@article{zang2019").unwrap(),
        bib.find("@article{zhao2024").unwrap(),
    );
    fs::write(root.join("data/inbox/zang2019.bib"), &bib[start..at]).unwrap();
    fs::write(root.join("data/references.bib"), &bib[at..]).unwrap();
    let draft = fs::read_to_string(root.join("data/studies/zang-rct.toml"))
        .unwrap()
        .replace("id = \"zang-rct\"", "id = \"zang2019\"");
    fs::write(root.join("data/drafts/zang2019.toml"), draft).unwrap();
    fs::remove_file(root.join("data/studies/zang-rct.toml")).unwrap();
    dir
}

fn files(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for sub in ["data/studies", "data/drafts", "data/inbox"] {
        if let Ok(entries) = fs::read_dir(root.join(sub)) {
            for e in entries {
                out.push(format!(
                    "{sub}/{}",
                    e.unwrap().file_name().to_string_lossy()
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn new_study_refuses_an_overlapping_draft_and_names_the_ways_on() {
    let dir = inbox_case();
    let root = dir.path();
    let before = files(root);
    let out = evbrief(&["new-study", "zang2019", "-p", root.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error: `zang2019` may describe participants already in the brief, so it was not added:\n  data/studies/zhao-nafld.toml (study `zhao-nafld`): likely the same participants\n    - shared authors: Mu, Yiming\n"), "{err}");
    assert!(
        err.contains("  evbrief new-study zang2019 --report-of zhao-nafld\n"),
        "{err}"
    );
    assert!(err.contains("  evbrief new-study zang2019 --distinct-from zhao-nafld --reason \"WHY THEY ARE DIFFERENT PARTICIPANTS\"\n"), "{err}");
    assert_eq!(files(root), before);
}

#[test]
fn report_of_files_the_record_as_another_report() {
    let dir = inbox_case();
    let root = dir.path();
    let p = root.to_str().unwrap();
    let out = evbrief(&[
        "new-study",
        "zang2019",
        "--report-of",
        "zhao-nafld",
        "-p",
        p,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.starts_with(
            "filed `zang2019` as a report of `zhao-nafld` (data/studies/zhao-nafld.toml)"
        ),
        "{said}"
    );
    assert!(said.contains("2 value(s) stay in the draft"), "{said}");
    let study = fs::read_to_string(root.join("data/studies/zhao-nafld.toml")).unwrap();
    assert!(
        study.contains("[[reports]]\nkey = \"zang2019\"\nrole = \"primary\""),
        "{study}"
    );
    assert!(
        fs::read_to_string(root.join("data/references.bib"))
            .unwrap()
            .contains("@article{zang2019")
    );
    assert_eq!(
        files(root),
        ["data/drafts/zang2019.toml", "data/studies/zhao-nafld.toml"]
    );
    let check = evbrief(&["check", "-p", p]);
    assert!(check.status.success());
    assert!(!stderr(&check).contains("may share participants"));
}

#[test]
fn distinct_from_records_the_decision_and_adds_the_study() {
    let dir = inbox_case();
    let root = dir.path();
    let p = root.to_str().unwrap();
    let out = evbrief(&[
        "new-study",
        "zang2019",
        "--distinct-from",
        "zhao-nafld",
        "-p",
        p,
    ]);
    assert_eq!(out.status.code(), Some(2), "--reason is required");
    let out = evbrief(&[
        "new-study",
        "zang2019",
        "--distinct-from",
        "zhao-nafld",
        "--reason",
        "Different participants: confirmed by the authors",
        "-p",
        p,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let added = fs::read_to_string(root.join("data/studies/zang2019.toml")).unwrap();
    assert!(added.ends_with("[[distinct-from]]\nstudy = \"zhao-nafld\"\nreason = \"Different participants: confirmed by the authors\"\n"), "{added}");
    let check = evbrief(&["check", "-p", p]);
    assert!(check.status.success());
    assert!(!stderr(&check).contains("may share participants"));
}

#[test]
fn a_subgroup_filed_under_its_trial_is_named_where_it_is_analysed() {
    let dir = project(Some("valid/overlap"));
    let root = dir.path();
    fs::remove_file(root.join("data/studies/zhao-nafld.toml")).unwrap();
    let path = root.join("data/studies/zang-rct.toml");
    let mut parent = fs::read_to_string(&path).unwrap();
    parent.truncate(parent.find("[[results]]").unwrap());
    parent = parent.replace(
        "role = \"primary\"\n",
        "role = \"primary\"\n\n[[reports]]\nkey = \"zhao2024\"\nrole = \"post-hoc\"\n",
    );
    parent.push_str(
        "[[subpopulations]]\nid = \"nafld\"\npopulation = \"T2DM with NAFLD\"\narms = { ucmsc = 33, placebo = 32 }\nsource = { report = \"zhao2024\", at = \"Methods\" }\n\n[[results]]\noutcome = \"hba1c-target\"\ntime = \"week 9\"\narm = \"ucmsc\"\nsubpopulation = \"nafld\"\npercent = 60.60\nsource = { report = \"zhao2024\", at = \"Abstract\" }\n\n[[results]]\noutcome = \"hba1c-target\"\ntime = \"week 9\"\narm = \"placebo\"\nsubpopulation = \"nafld\"\npercent = 28.10\nsource = { report = \"zhao2024\", at = \"Abstract\" }\n",
    );
    fs::write(&path, parent).unwrap();
    let out = evbrief(&["build", "-p", root.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("may share participants"));
    let text = pdf_flow_text(&root.join("output/brief.pdf")).unwrap();
    // The forest row and the table of values say whose result it is, with its own n.
    assert!(text.contains("Zang 2019 [T2DM with NAFLD]"), "{text}");
    assert!(
        text.contains("UC-MSC [T2DM with NAFLD] 60.60% of 33"),
        "{text}"
    );
}
