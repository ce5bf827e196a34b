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
