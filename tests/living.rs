//! The living brief through the binary: dated editions, "What's new", `--if-changed`, the
//! output lock, a build killed midway and builds racing each other.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;
use common::*;

/// Runs evbrief as if on `day` (YYYY-MM-DD): `SOURCE_DATE_EPOCH` is that day's midnight UTC.
fn evbrief_on(day: &str, args: &[&str]) -> Output {
    command_on(day, args).output().expect("run evbrief")
}

fn command_on(day: &str, args: &[&str]) -> Command {
    let date = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
    let epoch = date.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_evbrief"));
    cmd.args(args).env("SOURCE_DATE_EPOCH", epoch.to_string());
    cmd
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

fn editions(root: &Path) -> Vec<String> {
    let dir = root.join("output/editions");
    if !dir.exists() {
        return Vec::new();
    }
    names_in(&dir)
        .into_iter()
        .filter(|n| !n.starts_with('.'))
        .collect()
}

fn record(root: &Path, edition: &str) -> serde_json::Value {
    let text = fs::read_to_string(
        root.join("output/editions")
            .join(edition)
            .join("analysis.json"),
    )
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Adds a second trial (with its reference) to the minimal fixture.
fn add_jones_trial(root: &Path) {
    fs::write(
        root.join("data/studies/jones-trial.toml"),
        r#"id = "jones-trial"
label = "Jones 2022"
design = "rct"
condition = "T2DM"
population = "Adults with T2DM"

[[reports]]
key = "jones2022"
role = "primary"

[[arms]]
id = "msc"
label = "UC-MSC"
role = "intervention"
n = 20
intervention = "1×10⁶ cells/kg"
source = { report = "jones2022", at = "Methods" }

[[arms]]
id = "placebo"
label = "Placebo"
role = "control"
n = 20
intervention = "Saline"
source = { report = "jones2022", at = "Methods" }

[[results]]
outcome = "hba1c-target"
time = "week 9"
arm = "msc"
events = 8
source = { report = "jones2022", at = "Table 2" }

[[results]]
outcome = "hba1c-target"
time = "week 9"
arm = "placebo"
events = 6
source = { report = "jones2022", at = "Table 2" }
"#,
    )
    .unwrap();
    let bib = root.join("data/references.bib");
    let mut text = fs::read_to_string(&bib).unwrap();
    text.push_str(
        "\n@article{jones2022,\n  author = {Jones, Ann and Lee, Bo},\n  title = {A second trial},\n  journal = {Diabetes Care},\n  year = {2022},\n}\n",
    );
    fs::write(bib, text).unwrap();
}

fn first_time_text(record: &serde_json::Value) -> String {
    record["outcomes"][0]["times"][0]["pooled"]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn each_change_makes_a_dated_edition_that_says_what_changed() {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let p = root.to_str().unwrap();

    let out = ok(&evbrief_on("2025-03-01", &["build", "-p", p]));
    assert!(out.contains("new edition 2025-03-01"), "{out}");
    assert_eq!(editions(root), ["2025-03-01"]);
    let first = record(root, "2025-03-01");
    assert_eq!(first["edition"], "2025-03-01");
    assert_eq!(first["previous-edition"], serde_json::Value::Null);
    assert_eq!(first_time_text(&first), "2.15 [1.16, 4.00]");
    let pdf = root.join("output/brief.pdf");
    assert_eq!(
        fs::read(&pdf).unwrap(),
        fs::read(root.join("output/editions/2025-03-01/brief.pdf")).unwrap()
    );
    if let Some(text) = pdf_flow_text(&pdf) {
        assert!(
            !text.contains("What’s new"),
            "a first edition has nothing to compare"
        );
        assert!(text.contains("edition 2025-03-01"), "{text}");
    }

    // Same inputs, a later day: no new edition, and the same brief.
    let out = ok(&evbrief_on("2025-03-02", &["build", "-p", p]));
    assert!(out.contains("edition 2025-03-01 unchanged"), "{out}");
    assert_eq!(editions(root), ["2025-03-01"]);

    // A new trial arrives: a new edition that lists it and the estimate it moved.
    add_jones_trial(root);
    let out = ok(&evbrief_on("2025-03-02", &["build", "-p", p]));
    assert!(out.contains("new edition 2025-03-02"), "{out}");
    assert!(
        out.contains("since 2025-03-01: 1 study added, 1 estimate changed"),
        "{out}"
    );
    assert_eq!(editions(root), ["2025-03-01", "2025-03-02"]);
    let second = record(root, "2025-03-02");
    assert_eq!(second["previous-edition"], "2025-03-01");
    assert_eq!(second["studies"].as_array().unwrap().len(), 2);
    let moved = first_time_text(&second);
    assert_ne!(moved, "2.15 [1.16, 4.00]");
    if let Some(text) = pdf_flow_text(&pdf) {
        assert!(
            text.contains("What’s new since the edition of 1 March 2025"),
            "{text}"
        );
        assert!(
            text.contains(
                "Studies added: Jones 2022: randomised controlled trial, 40 participants."
            ),
            "{text}"
        );
        for part in [
            "HbA1c below 7.0%, week 9".to_owned(),
            "Previous edition 2.15 [1.16, 4.00]".to_owned(),
            format!("This edition {moved}"),
            "1 → 2 studies".to_owned(),
            "Conclusions that changed: HbA1c below 7.0%, week 9: now the confidence interval \
             includes no difference (previously favouring intervention)."
                .to_owned(),
        ] {
            assert!(text.contains(&part), "expected «{part}» in {text}");
        }
    }

    // The Chinese edition of the same brief words "What's new" from its own table.
    let out = ok(&evbrief_on(
        "2025-03-02",
        &["build", "-p", p, "--lang", "zh"],
    ));
    assert!(out.contains("unchanged"), "{out}");
    if let Some(text) = pdf_flow_text(&root.join("output/brief.zh.pdf")) {
        let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for part in [
            "自2025年3月1日版以来的更新",
            "新增研究：Jones2022：随机对照试验，40名受试者。",
            "1→2项研究",
            "结论变化：HbA1cbelow7.0%，第9周：现为置信区间包含无差异（此前为有利于",
        ] {
            assert!(flat.contains(part), "expected «{part}» in {flat}");
        }
        for english in ["participants", "now the", "previously", "studies"] {
            assert!(!text.contains(english), "«{english}» in {text}");
        }
    }

    // A second change the same day is edition -2, compared with the first of the day.
    let study = root.join("data/studies/jones-trial.toml");
    let text = fs::read_to_string(&study)
        .unwrap()
        .replace("events = 8", "events = 12");
    fs::write(&study, text).unwrap();
    let out = ok(&evbrief_on("2025-03-02", &["build", "-p", p]));
    assert!(out.contains("new edition 2025-03-02-2"), "{out}");
    assert_eq!(
        record(root, "2025-03-02-2")["previous-edition"],
        "2025-03-02"
    );
    // Earlier editions are never rewritten.
    assert_eq!(record(root, "2025-03-02"), second);
    assert_eq!(record(root, "2025-03-01"), first);
}

#[test]
fn if_changed_does_nothing_while_the_inputs_are_unchanged() {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let p = root.to_str().unwrap();
    ok(&evbrief_on("2025-03-01", &["build", "-p", p]));
    let pdf = root.join("output/brief.pdf");
    let bytes = fs::read(&pdf).unwrap();
    let modified = fs::metadata(&pdf).unwrap().modified().unwrap();

    // Editor leftovers, drafts and the output folder are not inputs.
    fs::write(root.join("data/studies/.smith-trial.toml.swp"), "x").unwrap();
    fs::create_dir_all(root.join("data/drafts")).unwrap();
    fs::write(root.join("data/drafts/wip.toml"), "id = ").unwrap();
    fs::write(root.join("output/notes.txt"), "x").unwrap();
    let out = ok(&evbrief_on(
        "2025-03-05",
        &["build", "--if-changed", "-p", p],
    ));
    assert!(
        out.contains("up to date: the inputs have not changed since edition 2025-03-01"),
        "{out}"
    );
    assert_eq!(fs::metadata(&pdf).unwrap().modified().unwrap(), modified);
    assert_eq!(editions(root), ["2025-03-01"]);

    // A missing output is restored from the edition, still without building.
    fs::remove_file(&pdf).unwrap();
    let out = ok(&evbrief_on(
        "2025-03-05",
        &["build", "--if-changed", "-p", p],
    ));
    assert!(out.contains("restored from the edition"), "{out}");
    assert_eq!(fs::read(&pdf).unwrap(), bytes);

    // Any tracked file changing (a template here) makes it build.
    let template = root.join("templates/brief.typ");
    let mut text = fs::read_to_string(&template).unwrap();
    text.push_str("\n// a local tweak\n");
    fs::write(&template, text).unwrap();
    let out = ok(&evbrief_on(
        "2025-03-05",
        &["build", "--if-changed", "-p", p],
    ));
    assert!(out.contains("new edition 2025-03-05"), "{out}");
    assert!(
        out.contains("no change in results since 2025-03-01"),
        "{out}"
    );
}

#[test]
fn a_held_lock_names_its_holder_and_a_stale_one_is_recovered() {
    use evbrief::store::lock::{HolderInfo, LockWait, OutputLock};
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let p = root.to_str().unwrap();
    let output = root.join("output");
    let lock = OutputLock::acquire(
        &output,
        &HolderInfo::current("schedule"),
        LockWait::NoWait,
        |_| {},
    )
    .unwrap();
    let out = evbrief_on("2025-03-01", &["build", "--lock-wait", "0", "-p", p]);
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "is held by `evbrief schedule` (pid {}",
            std::process::id()
        )),
        "{err}"
    );
    assert!(!root.join("output/brief.pdf").exists());
    drop(lock);

    // A holder that died without releasing left its record behind.
    fs::write(
        output.join(".evbrief.lock"),
        "pid = 999999\ncommand = build\nsince = 2025-03-01T07:00:00Z\n",
    )
    .unwrap();
    fs::write(output.join(".brief.pdf.999999.tmp"), "half a PDF").unwrap();
    let out = evbrief_on("2025-03-01", &["build", "-p", p]);
    ok(&out);
    let err = stderr(&out);
    assert!(
        err.contains("recovered a stale lock left by `evbrief build` (pid 999999"),
        "{err}"
    );
    assert!(
        err.contains(".brief.pdf.999999.tmp, left by an interrupted build"),
        "{err}"
    );
    assert!(!output.join(".brief.pdf.999999.tmp").exists());
}

/// The output and every edition are whole: PDFs that end properly, records that parse.
fn assert_whole(root: &Path, previous_output: &[u8]) {
    let output = fs::read(root.join("output/brief.pdf")).unwrap();
    let mut edition_pdfs = Vec::new();
    for name in editions(root) {
        let dir = root.join("output/editions").join(&name);
        let pdf = fs::read(dir.join("brief.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-") && pdf.trim_ascii_end().ends_with(b"%%EOF"));
        let json = fs::read_to_string(dir.join("analysis.json")).unwrap();
        let rec: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(rec["edition"], name.as_str());
        edition_pdfs.push(pdf);
    }
    assert!(
        output == previous_output || edition_pdfs.contains(&output),
        "output/brief.pdf is neither the previous one nor an edition"
    );
}

#[test]
fn a_build_killed_midway_leaves_the_last_edition_and_the_output_intact() {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let p = root.to_str().unwrap();
    ok(&evbrief_on("2025-03-01", &["build", "-p", p]));
    let before = fs::read(root.join("output/brief.pdf")).unwrap();
    add_jones_trial(root);
    // Kill builds at moments spread over a whole build (SIGKILL: no clean-up runs).
    let mut killed = 0;
    for delay_ms in [0, 5, 15, 40, 80, 150, 250, 400] {
        let mut child = command_on("2025-03-02", &["build", "-q", "-p", p])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        child.wait().unwrap();
        assert_whole(root, &before);
    }
    assert!(killed > 0, "no build was killed midway");
    // The next build recovers the lock, sweeps the debris and finishes the job.
    ok(&evbrief_on("2025-03-02", &["build", "-p", p]));
    assert_whole(root, &before);
    let last = editions(root).pop().unwrap();
    assert_eq!(
        fs::read(root.join("output/brief.pdf")).unwrap(),
        fs::read(root.join("output/editions").join(&last).join("brief.pdf")).unwrap()
    );
    let debris: Vec<String> = names_in(&root.join("output"))
        .into_iter()
        .chain(names_in(&root.join("output/editions")))
        .filter(|n| n.ends_with(".tmp") || n.starts_with(".partial-"))
        .collect();
    assert!(debris.is_empty(), "{debris:?}");
}

#[test]
fn concurrent_builds_make_one_edition_and_a_whole_output() {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let p = root.to_str().unwrap();
    ok(&evbrief_on("2025-03-01", &["build", "-p", p]));
    add_jones_trial(root);
    let children: Vec<_> = (0..3)
        .map(|_| {
            command_on("2025-03-02", &["build", "-p", p])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    let texts: Vec<String> = outputs.iter().map(ok).collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.contains("new edition 2025-03-02"))
            .count(),
        1,
        "{texts:?}"
    );
    assert_eq!(
        texts.iter().filter(|t| t.contains("unchanged")).count(),
        2,
        "{texts:?}"
    );
    assert_eq!(editions(root), ["2025-03-01", "2025-03-02"]);
    assert_eq!(
        fs::read(root.join("output/brief.pdf")).unwrap(),
        fs::read(root.join("output/editions/2025-03-02/brief.pdf")).unwrap()
    );
}
