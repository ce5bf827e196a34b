//! The Chinese edition of the bundled brief: `evbrief build --lang zh`.

use std::fs;

mod common;
use common::*;

/// The PDF's text with every whitespace removed: Typst sets a small gap between Chinese
/// and Latin characters, which pdftotext prints as a space or not, so needles are compared
/// without spaces.
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn chinese_edition_has_chinese_sections_dates_and_gb_t_7714_references() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", p, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = dir.path().join("output/brief.zh.pdf");
    assert!(fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = compact(&pdf_flow_text(&pdf).expect("pdftotext (poppler-utils) is installed"));
    // Section titles, table headers and figure texts from zh.toml.
    for needle in [
        "结果总结",
        "纳入研究",
        "偏倚风险",
        "结果概览",
        "各结局结果",
        "安全性",
        "待评估研究",
        "参考文献",
        "证据确定性",
        "有利于对照",
        "严重不良事件",
        "相对危险度",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    // The curated translation from brief.toml, and dates in the Chinese convention.
    assert!(text.contains("脐带间充质干细胞治疗1型和2型糖尿病"));
    assert!(
        text.contains("证据截至2026年11月22日"),
        "no Chinese as-of date"
    );
    // GB/T 7714: Chinese authors, title and journal from the entry's Chinese fields, the
    // document type [J/OL], and "等" after three authors.
    assert!(
        text.contains("[5]赵健,王岳鹏,侯禹,等.脐带间充质干细胞输注"),
        "no GB/T 7714 entry for zhao2024"
    );
    assert!(text.contains("[J/OL].解放军医学院学报,2024,45(6):571-577,583."));
    // No English section title or fixed phrase is left over.
    for english in [
        "Summaryoffindings",
        "Includedstudies",
        "Resultsbyoutcome",
        "Favours",
        "Evidenceasof",
        "Higherisbetter",
        "Riskratio",
    ] {
        assert!(
            !text.contains(english),
            "English left in the zh edition: {english}"
        );
    }
}

#[test]
fn english_edition_keeps_its_references_and_words() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    let flow = pdf_flow_text(&dir.path().join("output/brief.pdf")).unwrap();
    // The English title of zhao2024, not the Chinese fields.
    assert!(flow.contains("Zhao J, Wang Y, Hou Y, Ma W, Mu Y, Gu W. Efficacy of UC-MSC"));
    assert!(!flow.contains("赵健"));
    assert!(flow.contains("Summary of findings"));
}

/// The curated prose of the bundled study files and GRADE reasons is translated where it is
/// written (`notes-zh` beside `notes`): the Chinese brief prints the translations, nothing
/// is marked untranslated, and `check --lang zh` has nothing left on its to-do list.
#[test]
fn bundled_curated_prose_is_printed_in_chinese() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let check = evbrief(&["check", "-p", p, "--lang", "zh"]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert!(
        stdout(&check).contains("0 curated texts without a Chinese translation"),
        "{}",
        stdout(&check)
    );
    let out = evbrief(&["build", "-p", p, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = compact(&pdf_flow_text(&dir.path().join("output/brief.zh.pdf")).unwrap());
    assert!(!text.contains("〔未译〕"), "an untranslated text is marked");
    for needle in [
        // A study note, a risk-of-bias support, a GRADE reason, a source location.
        "非随机、开放标签、平行组前瞻性研究",
        "摘要，结果",
        "标准治疗",
    ] {
        assert!(text.contains(&compact(needle)), "missing {needle}");
    }
    for english in [
        "Nonrandomised,open-label,parallel-armed",
        "Onepost-hocsubgroupanalysis",
        "Abstract,Results",
    ] {
        assert!(!text.contains(english), "still in English: {english}");
    }
    // The English edition is untouched by the companions.
    let en = evbrief(&["build", "-p", p, "--lang", "en"]);
    assert!(en.status.success(), "{}", stderr(&en));
    let en_text = compact(&pdf_flow_text(&dir.path().join("output/brief.en.pdf")).unwrap());
    assert!(en_text.contains("Nonrandomised,open-label,parallel-armed"));
    assert!(!en_text.contains("非随机、开放标签"));
}

/// A text without its translation is listed by `check --lang zh` at its place and printed
/// in English after the 〔未译〕 mark; a companion that does not fit is an error at its place.
#[test]
fn untranslated_texts_are_listed_and_marked_and_bad_companions_refused() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let study = dir.path().join("data/studies/lu-nanjing-t1d.toml");
    let text = fs::read_to_string(&study).unwrap();
    // Drop one translation: the population.
    let dropped: String = text
        .lines()
        .filter(|l| !l.starts_with("population-zh"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&study, &dropped).unwrap();
    let check = evbrief(&["check", "-p", p, "--lang", "zh"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let listed = stdout(&check);
    assert!(
        listed.contains(
            "data/studies/lu-nanjing-t1d.toml:5:14: `population` has no `population-zh` translation"
        ),
        "{listed}"
    );
    assert!(listed.contains("1 curated texts without a Chinese translation"));
    let out = evbrief(&["build", "-p", p, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let pdf = compact(&pdf_flow_text(&dir.path().join("output/brief.zh.pdf")).unwrap());
    assert!(
        pdf.contains("〔未译〕PeoplewithT1D"),
        "no mark before the English"
    );

    // A list companion one text short, and a companion of an identifier.
    let bad = dropped
        .replacen("notes-zh = [\n", "notes-zh = [\n  \"多余\",\n", 1)
        .replacen(
            "label = \"Lu 2021\"",
            "label = \"Lu 2021\"\nid-zh = \"卢\"",
            1,
        );
    fs::write(&study, bad).unwrap();
    let out = evbrief(&["check", "-p", p]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("data/studies/lu-nanjing-t1d.toml:3:1: `id-zh`"),
        "{err}"
    );
    assert!(
        err.contains("`notes-zh` has 6 texts but `notes` has 5"),
        "{err}"
    );
}

/// Names a Chinese reader meets in Latin letters in the bundled documents, not English
/// sentences: journal titles (as the sources print them) and the hospital's supplier.
const LATIN_NAMES: [&str; 3] = [
    "World Journal of Clinical Cases",
    "Stem Cell Research & Therapy",
    "Beike Biotechnology",
];

/// Runs of three or more ordinary English words (three or more letters, two of them lower
/// case: not an abbreviation such as "UC-MSC", a footnote mark or a domain code "D1")
/// with nothing but spaces and punctuation between them, outside [`LATIN_NAMES`]. What is
/// allowed by construction: names, units, abbreviations, statistics symbols (all fail the
/// "ordinary word" test or stand alone) and references (cut off by the callers).
fn english_runs(text: &str) -> Vec<String> {
    let mut flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for name in LATIN_NAMES {
        flat = flat.replace(name, "〔名〕");
    }
    let ordinary =
        |w: &str| w.len() >= 3 && w.chars().filter(|c| c.is_ascii_lowercase()).count() >= 2;
    let mut runs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    // Split into Latin words and the gaps between them; a gap with anything but spaces and
    // ASCII punctuation (a Chinese character, a full-width mark) ends the run.
    let mut rest = flat.as_str();
    loop {
        let start = rest.find(|c: char| c.is_ascii_alphabetic());
        let Some(start) = start else { break };
        let gap = &rest[..start];
        if !gap
            .chars()
            .all(|c| c == ' ' || (c.is_ascii_punctuation() && c != '['))
        {
            if current.iter().filter(|w| ordinary(w)).count() >= 3 {
                runs.push(current.join(" "));
            }
            current.clear();
        }
        let word_end = rest[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '\'' || c == '-'))
            .map_or(rest.len(), |e| start + e);
        current.push(&rest[start..word_end]);
        rest = &rest[word_end..];
    }
    if current.iter().filter(|w| ordinary(w)).count() >= 3 {
        runs.push(current.join(" "));
    }
    runs
}

/// The Done-when of the Chinese edition: the bundled Chinese brief, handout and slides have
/// no English sentence outside names, units, abbreviations, statistics symbols and
/// references.
#[test]
fn chinese_documents_have_no_english_sentence() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let mut found = Vec::new();
    for format in ["brief", "handout", "slides"] {
        let out = evbrief(&["build", "-p", p, "--lang", "zh", "--format", format]);
        assert!(out.status.success(), "{}", stderr(&out));
        let pdf = dir.path().join(format!("output/{format}.zh.pdf"));
        let text = pdf_text(&pdf).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let heading = |l: &str, word: &str| {
            let t = l.trim();
            t.split_once(". ").is_some_and(|(n, rest)| {
                n.chars().all(|c| c.is_ascii_digit()) && rest.trim() == word
            })
        };
        let mut body = Vec::new();
        let mut skipping = false;
        for l in &lines {
            // References: the brief's reference list and its awaiting-assessment records
            // (numbered sections), the handout's numbered entries.
            if heading(l, "参考文献") || l.trim_start().starts_with("[1] ") {
                break;
            }
            if heading(l, "待评估研究") {
                skipping = true;
                continue;
            }
            if skipping
                && l.trim()
                    .split_once(". ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            {
                skipping = false;
            }
            if !skipping {
                body.push(*l);
            }
        }
        for run in english_runs(&body.join("\n")) {
            found.push(format!("{format}: {run}"));
        }
    }
    assert!(
        found.is_empty(),
        "English in the Chinese edition:\n{}",
        found.join("\n")
    );
}

#[test]
fn english_runs_finds_sentences_and_passes_names_and_abbreviations() {
    assert_eq!(
        english_runs("UC-MSC 对比 Placebo；The trial was open label。D1 D2 D3 HbA1c"),
        ["The trial was open label"]
    );
    assert!(english_runs("刊于 World Journal of Clinical Cases 2023").is_empty());
    assert!(english_runs("Zhao 2024 a b c T2DM NAFLD").is_empty());
}

/// Every string of the Chinese view model of `project`, with the path of keys that leads
/// to it, except the label tables, the curated texts of other languages, the glossary,
/// the bibliography (references keep their own language) and SVG/link data.
fn view_strings(value: &serde_json::Value, path: &str, out: &mut Vec<(String, String)>) {
    const SKIPPED: [&str; 8] = [
        "labels",
        "translations",
        "glossary",
        "references",
        "svg",
        "url",
        "qr",
        "cites",
    ];
    match value {
        serde_json::Value::String(s) => out.push((path.to_owned(), s.clone())),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                view_strings(item, &format!("{path}[{i}]"), out);
            }
        }
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if !SKIPPED.iter().any(|s| k.contains(s)) {
                    view_strings(v, &format!("{path}.{k}"), out);
                }
            }
        }
        _ => {}
    }
}

/// Issue 25, item 1: the Chinese view model of the bundled brief, with a previous edition
/// so that "What's new" is worded too, holds no English sentence outside names and
/// references: what evbrief composes comes from `zh.toml`, and curated prose from the
/// `-zh` companions.
#[test]
fn the_chinese_view_model_holds_no_english_sentence() {
    use evbrief::analysis::record::{EditionStamp, InputsRecord, edition_record};
    use evbrief::i18n::Language;
    use evbrief::view::{EditionView, ViewOptions, build_view};

    let project = evbrief::data::load_project(&repo()).unwrap();
    let analysed = evbrief::analysis::analyse(&project);
    let record = edition_record(
        &project,
        &analysed,
        EditionStamp {
            edition: "2026-12-01".into(),
            date: "2026-12-01".into(),
            previous_edition: Some("2026-11-01".into()),
            inputs: InputsRecord::default(),
        },
    );
    // A previous edition without the last study, with another certainty and estimate.
    let mut old = record.clone();
    old.edition = "2026-11-01".into();
    old.date = "2026-11-01".into();
    old.studies.pop();
    for row in &mut old.summary_of_findings {
        row.level = if row.level > 1 { row.level - 1 } else { 2 };
    }
    if let Some(t) = old.outcomes.iter_mut().flat_map(|o| &mut o.times).next() {
        t.pooled = None;
    }
    let mut options = ViewOptions::brief(&project.config);
    options.language = Language::Zh;
    let edition = EditionView {
        name: Some("2026-12-01".into()),
        compared: Some(Box::new((old, record))),
        ..EditionView::default()
    };
    let view = build_view(&project, &analysed, edition, options);
    let changes = view.edition.changes.as_ref().expect("a previous edition");
    assert!(!changes.studies_added.is_empty() && !changes.conclusions.is_empty());
    let json = serde_json::to_value(&view).unwrap();
    let mut strings = Vec::new();
    view_strings(&json, "", &mut strings);
    // The configuration's summary-of-findings rows are the curated inputs of the table;
    // the templates print the worded table (`summary_of_findings`), never these.
    let english: Vec<String> = strings
        .iter()
        .filter(|(path, _)| !path.starts_with(".config.summary-of-findings"))
        .flat_map(|(path, s)| {
            english_runs(s)
                .into_iter()
                .map(move |run| format!("{path}: {run}"))
        })
        .collect();
    assert!(
        english.is_empty(),
        "English in the Chinese view model:\n{}",
        english.join("\n")
    );
}

/// A project with no companion anywhere (its files are parsed once at load, not twice):
/// `check --lang zh` still lists every curated text of every file, at its place.
#[test]
fn a_project_without_translations_lists_every_file_s_texts() {
    let (_tmp, dir) = synthetic_project(3);
    let d = dir.to_str().unwrap();
    let check = evbrief(&["check", "-p", d, "--lang", "zh"]);
    assert!(check.status.success(), "{}", stderr(&check));
    let listed = stdout(&check);
    for needle in [
        "brief.toml:14:1: outcome `outcome-0` has no label in `[translations.zh.outcomes]`",
        "data/studies/study-0000.toml:5:14: `population` has no `population-zh` translation",
        "data/studies/study-0002.toml:5:14: `population` has no `population-zh` translation",
        ", 0 translated",
    ] {
        assert!(listed.contains(needle), "missing {needle} in\n{listed}");
    }
    // Files in path order, the brief first.
    let first_study = listed.find("data/studies/study-0000.toml").unwrap();
    assert!(listed.find("brief.toml").unwrap() < first_study);
    assert!(first_study < listed.find("data/studies/study-0001.toml").unwrap());
    // Without --lang, no list and no parse for it.
    let plain = evbrief(&["check", "-p", d]);
    assert!(!stdout(&plain).contains("has no"));
}
