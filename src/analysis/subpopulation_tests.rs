//! A parent trial and its subgroup modelled as one study: the whole trial's result and
//! the subgroup's are never analysed together, and rows say which one was analysed.

use std::fs;
use std::path::Path;

use super::*;

const SUBGROUP: &str = r#"
[[subpopulations]]
id = "nafld"
population = "T2DM with NAFLD"
arms = { ucmsc = 33, placebo = 32 }
source = { report = "zhao2024", at = "Methods" }

[[results]]
outcome = "hba1c-target"
time = "week 9"
arm = "ucmsc"
subpopulation = "nafld"
percent = 60.60
source = { report = "zhao2024", at = "Abstract" }

[[results]]
outcome = "hba1c-target"
time = "week 9"
arm = "placebo"
subpopulation = "nafld"
percent = 28.10
source = { report = "zhao2024", at = "Abstract" }
"#;

/// The overlap fixture's parent trial with the post hoc analysis filed as its report
/// and subpopulation; `whole` keeps the whole trial's own results.
fn project(whole: bool) -> (tempfile::TempDir, Project) {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/overlap");
    let root = dir.path();
    fs::create_dir_all(root.join("data/studies")).unwrap();
    fs::copy(fixture.join("brief.toml"), root.join("brief.toml")).unwrap();
    fs::copy(
        fixture.join("data/references.bib"),
        root.join("data/references.bib"),
    )
    .unwrap();
    let mut parent = fs::read_to_string(fixture.join("data/studies/zang-rct.toml")).unwrap();
    if !whole {
        parent.truncate(parent.find("[[results]]").unwrap());
    }
    parent = parent.replace(
        "role = \"primary\"\n",
        "role = \"primary\"\n\n[[reports]]\nkey = \"zhao2024\"\nrole = \"post-hoc\"\n",
    );
    parent.push_str(SUBGROUP);
    fs::write(root.join("data/studies/zang-rct.toml"), parent).unwrap();
    let project = crate::data::load_project(root).unwrap();
    (dir, project)
}

#[test]
fn the_whole_trial_is_analysed_when_it_reports_the_outcome() {
    let (_dir, project) = project(true);
    let study = &project.studies[0].study;
    assert_eq!(study.analysed_population(Some("hba1c-target")), None);
    assert_eq!(study.analysed_results().count(), 2);
    let analysis = analyse_project(&project);
    let rows = &analysis[0].times[0].studies;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].population, None);
    assert_eq!(rows[0].participants, 91.0);
}

#[test]
fn otherwise_the_subgroup_is_analysed_with_its_own_arm_sizes_and_named() {
    let (_dir, project) = project(false);
    let study = &project.studies[0].study;
    assert_eq!(
        study.analysed_population(Some("hba1c-target")),
        Some("nafld")
    );
    let analysis = analyse_project(&project);
    let row = &analysis[0].times[0].studies[0];
    assert_eq!(row.population.as_deref(), Some("T2DM with NAFLD"));
    // 60.60% of 33 → 20 events; 28.10% of 32 → 9 events.
    assert_eq!(
        row.intervention_data,
        ArmData::Events {
            events: 20.0,
            n: 33.0
        }
    );
    assert_eq!(
        row.control_data,
        ArmData::Events {
            events: 9.0,
            n: 32.0
        }
    );
}

#[test]
fn subpopulation_mistakes_are_located() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/overlap");
    let root = dir.path();
    fs::create_dir_all(root.join("data/studies")).unwrap();
    fs::copy(fixture.join("brief.toml"), root.join("brief.toml")).unwrap();
    fs::copy(
        fixture.join("data/references.bib"),
        root.join("data/references.bib"),
    )
    .unwrap();
    let mut parent = fs::read_to_string(fixture.join("data/studies/zang-rct.toml")).unwrap();
    parent.push_str(&SUBGROUP.replace("ucmsc = 33", "ucmsc = 50").replace(
        "subpopulation = \"nafld\"\npercent = 28.10",
        "subpopulation = \"nash\"\npercent = 28.10",
    ));
    parent = parent.replace(
        "enrolled = 91\n",
        "enrolled = 91\nregistration = [\"NCT0123\"]\n",
    );
    parent.push_str("\n[[distinct-from]]\nstudy = \"zang-rct\"\nreason = \"\"\n");
    fs::write(root.join("data/studies/zang-rct.toml"), parent).unwrap();
    let Err(crate::data::LoadError::Invalid(problems)) = crate::data::load_project(root) else {
        panic!("must not load");
    };
    let lines: Vec<String> = problems.0.iter().map(|p| p.to_string()).collect();
    let text = lines.join("\n");
    for expected in [
        "`NCT0123` is not a trial registration id evbrief recognises",
        "a study cannot be distinct from itself",
        "the decision that `zang-rct` and `zang-rct` are distinct needs a `reason`",
        "subpopulation `nafld` has 50 participants in arm `ucmsc`, more than the arm's 45",
        "unknown report `zhao2024` (not in this study's [[reports]])",
        "unknown subpopulation `nash` (not in this study's [[subpopulations]])",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("data/studies/zang-rct.toml:")),
        "{text}"
    );
}
