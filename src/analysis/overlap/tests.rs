//! The identity check on small studies: each signal, the verdicts and the guards
//! against false alarms.

use std::sync::Arc;

use super::*;
use crate::data::bibliography::{BibFile, Shelf, parse_bib_file};
use crate::diagnostic::SourceFile;

/// A bibliography of one BibTeX text.
fn bib(text: &str) -> Bibliography {
    let file = SourceFile {
        name: "data/references.bib".into(),
        text: Arc::from(text),
    };
    let mut problems = Vec::new();
    let library = parse_bib_file(&file, &mut problems).unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    Bibliography {
        files: vec![BibFile {
            file,
            shelf: Shelf::Curated,
            library,
        }],
        incomplete: false,
        style: None,
    }
}

/// A controlled study with the given context lines (TOML) and arm sizes.
fn study(id: &str, label: &str, report: &str, context: &str, n: (i64, i64)) -> LoadedStudy {
    let text = format!(
        "id = \"{id}\"\nlabel = \"{label}\"\ndesign = \"rct\"\ncondition = \"T2DM\"\npopulation = \"Adults\"\n{context}\n\n[[reports]]\nkey = \"{report}\"\nrole = \"primary\"\n\n[[arms]]\nid = \"t\"\nlabel = \"T\"\nrole = \"intervention\"\nn = {}\nintervention = \"x\"\nsource = {{ report = \"{report}\", at = \"Methods\" }}\n\n[[arms]]\nid = \"c\"\nlabel = \"C\"\nrole = \"control\"\nn = {}\nintervention = \"y\"\nsource = {{ report = \"{report}\", at = \"Methods\" }}\n",
        n.0, n.1
    );
    LoadedStudy {
        study: toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}")),
        file: SourceFile {
            name: format!("data/studies/{id}.toml"),
            text: Arc::from(text),
        },
    }
}

const BIB: &str = r#"
@article{zang2019, author = {Zang, Li and Mu, Yiming and Han, Weidong}, title = {Parent trial}, year = {2019}, journal = {J}}
@article{zhao2024, author = {Zhao, Jian and Wang, Yuepeng and Mu, Yiming}, author-zh = {赵健 and 王岳鹏 and 母义明}, title = {Post hoc}, year = {2024}, journal = {J}}
@article{wang2020, author = {Wang, Yu}, title = {Another}, year = {2020}, journal = {J}}
@article{wang2021, author = {Wang, Yu and Smith, A.}, title = {Yet another}, year = {2021}, journal = {J}, note = {Registered as NCT01234567}}
@article{ho2022, author = {Ho, Kim}, title = {Unrelated}, year = {2022}, journal = {J}}
"#;

const PLA: &str = "country = \"China\"\nsetting = \"Chinese PLA General Hospital, Beijing\"";

fn overlaps(studies: &[LoadedStudy]) -> Vec<Overlap> {
    find_overlaps(studies, &bib(BIB))
}

fn kinds(o: &Overlap) -> Vec<&'static str> {
    o.signals.iter().map(Signal::key).collect()
}

#[test]
fn the_parent_trial_and_its_post_hoc_subgroup_are_likely_the_same_participants() {
    let parent = study(
        "zang-rct",
        "Zang 2019",
        "zang2019",
        &format!("{PLA}\nenrolment = \"October 2015 to December 2018\""),
        (45, 46),
    );
    let post_hoc = study(
        "zhao-nafld",
        "Zhao 2024",
        "zhao2024",
        &format!(
            "{PLA}\nenrolment = \"2015年10月至2018年12月\"\nnotes = [\"Subgroup of the phase II trial by Li Zang et al. (n=91).\"]"
        ),
        (33, 32),
    );
    let found = overlaps(&[parent, post_hoc]);
    assert_eq!(found.len(), 1);
    let o = &found[0];
    assert_eq!(o.verdict, Verdict::Likely);
    assert_eq!(
        kinds(o),
        [
            "authors",
            "setting",
            "enrolment",
            "arms-nested",
            "names",
            "country",
            "condition"
        ]
    );
    assert_eq!(
        o.signals_text(),
        "shared authors: Mu, Yiming; same setting (beijing, pla); overlapping enrolment (October 2015 to December 2018; 2015年10月至2018年12月); arm sizes of Zhao 2024 (33/32) fit inside 45/46; Zhao 2024 names the other study (\"Zang et al.\"); same country (China); same condition (T2DM)"
    );
}

#[test]
fn a_shared_registration_id_decides_alone_even_across_countries() {
    // One file gives the id, the other's bibliographic record (note) carries it.
    let a = study(
        "a",
        "Ho 2022",
        "ho2022",
        "country = \"Malaysia\"\nregistration = [\"nct01234567\"]",
        (10, 10),
    );
    let b = study(
        "b",
        "Wang 2021",
        "wang2021",
        "country = \"China\"",
        (50, 50),
    );
    let found = overlaps(&[a, b]);
    assert_eq!(found[0].verdict, Verdict::Likely);
    assert_eq!(
        found[0].signals[0],
        Signal::Registration {
            id: "nct01234567".into()
        }
    );
}

#[test]
fn different_registration_ids_are_different_trials() {
    let a = study(
        "a",
        "Zang 2019",
        "zang2019",
        &format!("{PLA}\nregistration = [\"NCT02302599\"]"),
        (45, 46),
    );
    let b = study(
        "b",
        "Zhao 2024",
        "zhao2024",
        &format!("{PLA}\nregistration = [\"ChiCTR2000012345\"]"),
        (33, 32),
    );
    assert!(overlaps(&[a, b]).is_empty());
}

#[test]
fn same_hospital_with_enrolment_years_apart_is_not_flagged() {
    let a = study(
        "a",
        "Zang 2019",
        "zang2019",
        &format!("{PLA}\nenrolment = \"2010 to 2012\""),
        (45, 46),
    );
    let b = study(
        "b",
        "Zhao 2024",
        "zhao2024",
        &format!("{PLA}\nenrolment = \"January 2019 to May 2021\""),
        (33, 32),
    );
    assert!(overlaps(&[a, b]).is_empty());
}

#[test]
fn different_countries_are_not_flagged() {
    let a = study("a", "Zang 2019", "zang2019", PLA, (45, 46));
    let b = study(
        "b",
        "Zhao 2024",
        "zhao2024",
        "country = \"Malaysia\"\nsetting = \"Chinese PLA General Hospital, Beijing\"",
        (33, 32),
    );
    assert!(overlaps(&[a, b]).is_empty());
}

#[test]
fn one_shared_common_surname_is_not_a_signal() {
    // Wang Yu wrote both; same country and condition, nested arms: one point only.
    let a = study(
        "a",
        "Wang 2020",
        "wang2020",
        "country = \"China\"",
        (20, 20),
    );
    let b = study(
        "b",
        "Zhao 2024",
        "zhao2024",
        "country = \"China\"",
        (33, 32),
    );
    assert!(overlaps(&[a, b]).is_empty());
    let a = study(
        "a",
        "Wang 2020",
        "wang2020",
        "country = \"China\"\nsetting = \"Chinese PLA General Hospital, Beijing\"",
        (20, 20),
    );
    let b = study("b", "Zhao 2024", "zhao2024", PLA, (33, 32));
    let found = overlaps(&[a, b]);
    assert!(!kinds(&found[0]).contains(&"authors"));
}

#[test]
fn two_weaker_signals_make_a_possible_overlap() {
    let a = study(
        "a",
        "Zang 2019",
        "zang2019",
        &format!("{PLA}\nenrolment = \"2016 to 2018\""),
        (60, 10),
    );
    let b = study(
        "b",
        "Ho 2022",
        "ho2022",
        &format!("{PLA}\nenrolment = \"2017\""),
        (33, 32),
    );
    let found = overlaps(&[a, b]);
    assert_eq!(found[0].verdict, Verdict::Possible);
    assert_eq!(
        kinds(&found[0]),
        ["setting", "enrolment", "country", "condition"]
    );
}

#[test]
fn equal_arm_sizes_and_naming_by_label_are_signals() {
    let a = study(
        "a",
        "Ho 2022",
        "ho2022",
        "country = \"China\"\nnotes = [\"Same programme as Wang 2021?\"]",
        (24, 10),
    );
    let b = study(
        "b",
        "Wang 2021",
        "wang2021",
        "country = \"China\"",
        (24, 10),
    );
    let found = overlaps(&[a, b]);
    assert_eq!(
        kinds(&found[0]),
        ["arms-equal", "names", "country", "condition"]
    );
    assert_eq!(found[0].verdict, Verdict::Possible);
}

#[test]
fn a_recorded_decision_resolves_the_pair() {
    let a = study(
        "a",
        "Zang 2019",
        "zang2019",
        &format!(
            "{PLA}\n\n[[distinct-from]]\nstudy = \"b\"\nreason = \"Checked with the authors\""
        ),
        (45, 46),
    );
    let b = study("b", "Zhao 2024", "zhao2024", PLA, (33, 32));
    assert!(overlaps(&[a, b]).is_empty());
}

#[test]
fn the_bundled_project_has_no_unresolved_overlap() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = crate::data::load_project(root).unwrap();
    let found = find_overlaps(&project.studies, &project.bibliography);
    let shown: Vec<String> = found
        .iter()
        .map(|o| {
            format!(
                "{} / {}: {} ({})",
                o.first,
                o.second,
                o.verdict.words(),
                o.signals_text()
            )
        })
        .collect();
    assert!(found.is_empty(), "{shown:#?}");
}

#[test]
fn warnings_point_at_both_study_files() {
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/overlap");
    let project = crate::data::load_project(&root).unwrap();
    let found = find_overlaps(&project.studies, &project.bibliography);
    let warned = warnings(&project.studies, &found);
    assert_eq!(warned.len(), 1);
    let text = warned[0].to_string();
    assert!(
        text.starts_with("data/studies/zang-rct.toml:1:6: `zang-rct` and `zhao-nafld` (data/studies/zhao-nafld.toml:1:6) may share participants: likely the same participants (shared authors: Mu, Yiming; same setting (beijing, pla);"),
        "{text}"
    );
    assert!(text.ends_with("otherwise record [[distinct-from]] with a reason"));
}

#[test]
fn han_author_names_match_their_transliteration() {
    let bib_text = "@article{cn2020, author = {母义明 and 谷伟军}, title = {中文}, year = {2020}, journal = {J}}\n@article{en2021, author = {Mu, Yi-Ming and Gu, W.}, title = {English}, year = {2021}, journal = {J}}\n";
    let a = study("a", "Mu 2020", "cn2020", "country = \"China\"", (20, 20));
    let b = study(
        "b",
        "Mu 2021",
        "en2021",
        "country = \"China\"\nenrolment = \"2019\"",
        (60, 60),
    );
    let found = find_overlaps(&[a, b], &bib(bib_text));
    assert_eq!(
        found[0].signals[0],
        Signal::Authors {
            names: vec!["母义明".into(), "谷伟军".into()]
        }
    );
}

#[test]
fn naming_by_registration_id_or_team_counts() {
    let a = study(
        "a",
        "Ho 2022",
        "ho2022",
        "country = \"China\"\nnotes = [\"Extension of the trial registered as NCT01234567.\"]",
        (24, 10),
    );
    let b = study(
        "b",
        "Zang 2019",
        "zang2019",
        "country = \"China\"\nregistration = [\"NCT01234567\"]",
        (45, 46),
    );
    let found = overlaps(&[a, b]);
    assert!(found[0].signals.contains(&Signal::Names {
        by: "Ho 2022".into(),
        what: "NCT01234567".into()
    }));
    let a = study(
        "a",
        "Ho 2022",
        "ho2022",
        "country = \"China\"\nnotes = [\"Cites Zang's team.\"]",
        (24, 10),
    );
    let b = study(
        "b",
        "Zang 2019",
        "zang2019",
        "country = \"China\"",
        (45, 46),
    );
    let found = overlaps(&[a, b]);
    assert!(found[0].signals.contains(&Signal::Names {
        by: "Ho 2022".into(),
        what: "Zang's team".into()
    }));
}
