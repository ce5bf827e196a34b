//! `new-study` and the identity check: the issue-21 case (the whole trial arrives in the
//! inbox after its post hoc subgroup was included) refused, then settled either way.

use std::fs;
use std::path::Path;

use super::*;

/// The overlap fixture with `zang-rct` turned back into an inbox record `zang2019` and
/// its filled-in draft, as `evbrief new-study zang2019` would find them.
fn inbox_case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/overlap");
    let root = dir.path();
    fs::create_dir_all(root.join("data/studies")).unwrap();
    fs::create_dir_all(root.join("data/inbox")).unwrap();
    fs::create_dir_all(root.join(DRAFTS_DIR)).unwrap();
    fs::copy(fixture.join("brief.toml"), root.join("brief.toml")).unwrap();
    fs::copy(
        fixture.join("data/studies/zhao-nafld.toml"),
        root.join("data/studies/zhao-nafld.toml"),
    )
    .unwrap();
    let bib = fs::read_to_string(fixture.join("data/references.bib")).unwrap();
    let at = bib.find("@article{zhao2024").unwrap();
    fs::write(root.join("data/references.bib"), &bib[at..]).unwrap();
    let start = bib.find("@article{zang2019").unwrap();
    fs::write(root.join("data/inbox/zang2019.bib"), &bib[start..at]).unwrap();
    let draft = fs::read_to_string(fixture.join("data/studies/zang-rct.toml"))
        .unwrap()
        .replace("id = \"zang-rct\"", "id = \"zang2019\"");
    fs::write(root.join(DRAFTS_DIR).join("zang2019.toml"), draft).unwrap();
    dir
}

#[test]
fn a_draft_that_overlaps_an_included_study_is_refused_with_the_signals() {
    let dir = inbox_case();
    let err =
        new_study_with(dir.path(), "zang2019", "2026-12-03", &Decision::Undecided).unwrap_err();
    assert!(err.is_user_error());
    let text = err.to_string();
    assert!(
        text.starts_with(
            "`zang2019` may describe participants already in the brief, so it was not added:\n  data/studies/zhao-nafld.toml (study `zhao-nafld`): likely the same participants\n    - shared authors: Mu, Yiming\n    - same setting (beijing, pla)\n    - overlapping enrolment (October 2015 to December 2018; 2015年10月至2018年12月)\n    - arm sizes of Zhao 2024 (33/32) fit inside 45/46\n    - Zhao 2024 names the other study (\"Zang et al.\")\n"
        ),
        "{text}"
    );
    assert!(text.contains("evbrief new-study zang2019 --report-of zhao-nafld"));
    assert!(text.contains("evbrief new-study zang2019 --distinct-from zhao-nafld --reason"));
    // Nothing moved.
    assert!(dir.path().join("data/drafts/zang2019.toml").exists());
    assert!(dir.path().join("data/inbox/zang2019.bib").exists());
    assert!(!dir.path().join("data/studies/zang2019.toml").exists());
}

#[test]
fn distinct_from_records_the_decision_and_adds_the_study() {
    let dir = inbox_case();
    let decision = Decision::DistinctFrom {
        study: "zhao-nafld".into(),
        reason: "Different participants: checked with the authors".into(),
    };
    let done = new_study_with(dir.path(), "zang2019", "2026-12-03", &decision).unwrap();
    let added = dir.path().join("data/studies/zang2019.toml");
    assert_eq!(done, NewStudyDone::Added(added.clone()));
    let text = fs::read_to_string(&added).unwrap();
    assert!(text.ends_with("[[distinct-from]]\nstudy = \"zhao-nafld\"\nreason = \"Different participants: checked with the authors\"\n"));
    assert!(!dir.path().join("data/inbox/zang2019.bib").exists());
    let project = crate::data::load_project(dir.path()).unwrap();
    assert!(find_overlaps(&project.studies, &project.bibliography).is_empty());
}

#[test]
fn distinct_from_needs_a_reason_and_a_known_study() {
    let dir = inbox_case();
    let no_reason = Decision::DistinctFrom {
        study: "zhao-nafld".into(),
        reason: " ".into(),
    };
    let err = new_study_with(dir.path(), "zang2019", "2026-12-03", &no_reason).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--distinct-from needs --reason: why are they different participants?"
    );
    let unknown = Decision::DistinctFrom {
        study: "nobody".into(),
        reason: "x".into(),
    };
    let err = new_study_with(dir.path(), "zang2019", "2026-12-03", &unknown).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no study `nobody` (no data/studies/nobody.toml)"
    );
}

#[test]
fn report_of_files_the_record_under_the_included_study() {
    let dir = inbox_case();
    let root = dir.path();
    let decision = Decision::ReportOf("zhao-nafld".into());
    let NewStudyDone::FiledAsReport {
        study,
        draft_left,
        messages,
    } = new_study_with(root, "zang2019", "2026-12-03", &decision).unwrap()
    else {
        panic!("not filed as a report");
    };
    assert_eq!(study, root.join("data/studies/zhao-nafld.toml"));
    // The whole trial's arms (45/46) are not the subgroup's (33/32): its results stay.
    assert_eq!(draft_left, Some(root.join("data/drafts/zang2019.toml")));
    assert_eq!(
        messages,
        [
            "2 value(s) stay in the draft because the draft's arms (ucmsc n=45, placebo n=46) match neither the arms of `zhao-nafld` (ucmsc n=33, placebo n=32) nor one of its [[subpopulations]]; add them by hand (for a subgroup, declare it under [[subpopulations]] with its arm sizes and give each result `subpopulation = …`)"
        ]
    );
    let project = crate::data::load_project(root).unwrap();
    let zhao = &project.studies[0].study;
    assert_eq!(zhao.reports[1].key.get_ref(), "zang2019");
    assert!(project.bibliography.is_curated("zang2019"));
    assert!(!root.join("data/inbox/zang2019.bib").exists());
    assert!(find_overlaps(&project.studies, &project.bibliography).is_empty());
}

#[test]
fn report_of_puts_everything_back_when_the_result_does_not_validate() {
    let dir = inbox_case();
    let root = dir.path();
    // A draft whose arms fit the study but which counts more events than participants.
    let draft = root.join("data/drafts/zang2019.toml");
    let text = fs::read_to_string(&draft)
        .unwrap()
        .replace("n = 45", "n = 33")
        .replace("n = 46", "n = 32")
        .replace("enrolled = 91", "enrolled = 65")
        .replace("events = 24", "events = 40");
    fs::write(&draft, &text).unwrap();
    let study = root.join("data/studies/zhao-nafld.toml");
    let before = fs::read_to_string(&study).unwrap();
    let decision = Decision::ReportOf("zhao-nafld".into());
    let err = new_study_with(root, "zang2019", "2026-12-03", &decision).unwrap_err();
    assert!(err.is_user_error());
    assert_eq!(fs::read_to_string(&study).unwrap(), before);
    assert_eq!(fs::read_to_string(&draft).unwrap(), text);
    assert!(root.join("data/inbox/zang2019.bib").exists());
    assert!(
        !fs::read_to_string(root.join("data/references.bib"))
            .unwrap()
            .contains("zang2019")
    );
}
