//! `evbrief build --format slides`: a 16:9 deck of the bundled brief, with a slide per
//! included study and no text below the 14 pt minimum that `templates/slides.typ` promises.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{evbrief, pdf_flow_text, pdftotext, project, repo, stderr};

/// The smallest font size allowed on a slide (stated at the top of `templates/slides.typ`).
const MIN_FONT_PT: f64 = 14.0;
/// poppler's word box is the font's ascent plus descent, measured here on this deck at
/// 14 pt: 1.14 em for Libertinus Serif (15.96 pt), 1.0 em for Noto CJK (14.0 pt). A word
/// passes when its box is at least 99% of what the minimum size gives in its script.
const LATIN_BOX_PER_EM: f64 = 1.14;
const CJK_BOX_PER_EM: f64 = 1.0;

/// The smallest box height a word set at `MIN_FONT_PT` or more can have.
fn min_box_height(word: &str) -> f64 {
    let cjk = word
        .chars()
        .any(|c| ('\u{2e80}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c));
    let per_em = if cjk {
        CJK_BOX_PER_EM
    } else {
        LATIN_BOX_PER_EM
    };
    0.99 * MIN_FONT_PT * per_em
}

/// Builds `dir` with `extra` arguments into `dir/output/<name>`.
fn build(dir: &Path, name: &str, extra: &[&str]) -> std::path::PathBuf {
    let pdf = dir.join("output").join(name);
    let mut args = vec![
        "build",
        "-q",
        "-p",
        dir.to_str().unwrap(),
        "-o",
        pdf.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let out = evbrief(&args);
    assert!(out.status.success(), "{extra:?}: {}", stderr(&out));
    pdf
}

/// Width and height in points of every page, from `pdfinfo`.
fn page_sizes(pdf: &Path) -> Vec<(f64, f64)> {
    let out = Command::new("pdfinfo")
        .args(["-f", "1", "-l", "100000"])
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is installed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.starts_with("Page") && l.contains(" size: "))
        .map(|l| {
            let dims = l.split(" size: ").nth(1).unwrap();
            let mut it = dims.split_whitespace();
            let w: f64 = it.next().unwrap().parse().unwrap();
            assert_eq!(it.next(), Some("x"), "{l}");
            let h: f64 = it.next().unwrap().parse().unwrap();
            (w, h)
        })
        .collect()
}

/// Every word whose box (`pdftotext -bbox`) is lower than the minimum font size gives,
/// with its page and box height.
fn small_words(pdf: &Path) -> Vec<(usize, String, f64)> {
    let xml = pdftotext(pdf, &["-bbox"]).expect("pdftotext -bbox");
    let attr = |tag: &str, name: &str| -> f64 {
        let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let end = start + tag[start..].find('"').unwrap();
        tag[start..end].parse().unwrap()
    };
    let mut page = 0;
    let mut small = Vec::new();
    let mut words = 0;
    for line in xml.lines().map(str::trim) {
        if line.starts_with("<page ") {
            page += 1;
        } else if let Some(rest) = line.strip_prefix("<word ") {
            words += 1;
            let (tag, text) = rest.split_once('>').unwrap();
            let text = text.trim_end_matches("</word>");
            let height = attr(tag, "yMax") - attr(tag, "yMin");
            if height < min_box_height(text) {
                small.push((page, text.to_owned(), height));
            }
        }
    }
    assert!(words > 0, "no words in {}", pdf.display());
    small
}

/// The text of each page, in reading order.
fn pages(pdf: &Path) -> Vec<String> {
    let text = pdftotext(pdf, &[]).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

fn first_line(page: &str) -> &str {
    page.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

/// The `label = "…"` of every bundled study file.
fn study_labels() -> Vec<String> {
    let mut labels = Vec::new();
    for entry in fs::read_dir(repo().join("data/studies")).unwrap() {
        let text = fs::read_to_string(entry.unwrap().path()).unwrap();
        let doc: toml::Table = text.parse().unwrap();
        labels.push(doc["label"].as_str().unwrap().to_owned());
    }
    labels.sort();
    labels
}

#[test]
fn slides_are_16_9_with_a_slide_per_study_and_the_take_home_messages() {
    let dir = project(None);
    let pdf = build(dir.path(), "slides.pdf", &["--format", "slides"]);

    let sizes = page_sizes(&pdf);
    assert!(sizes.len() >= 10, "{} slides", sizes.len());
    for (i, (w, h)) in sizes.iter().enumerate() {
        assert!(
            (w / h - 16.0 / 9.0).abs() < 0.005,
            "slide {} is {w} × {h} pt, not 16:9",
            i + 1
        );
    }

    let pages = pages(&pdf);
    assert_eq!(pages.len(), sizes.len());
    let flow = pdf_flow_text(&pdf).unwrap();
    let config: toml::Table = fs::read_to_string(repo().join("brief.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let title = config["title"].as_str().unwrap();
    assert!(flow.contains(title), "no title: {flow}");
    // Every study has a slide of its own: its label is the slide's title.
    let titles: Vec<&str> = pages.iter().map(|p| first_line(p)).collect();
    let labels = study_labels();
    assert_eq!(labels.len(), 5);
    for label in &labels {
        assert!(
            titles.contains(&label.as_str()),
            "no slide titled {label}: {titles:?}"
        );
    }
    // A forest-plot slide per time point of the bundled outcomes, and the take-home messages.
    assert!(titles.contains(&"HbA1c below 7.0%, week 48"), "{titles:?}");
    assert!(titles.contains(&"Take-home messages"), "{titles:?}");
    for sentence in config["bottom-line"].as_array().unwrap() {
        // A sentence is a string or a table with its `text` (and `rests-on`).
        let text = sentence
            .as_str()
            .or_else(|| sentence.get("text").and_then(|t| t.as_str()))
            .unwrap();
        let start: String = text.chars().take(40).collect();
        assert!(flow.contains(&start), "take-home message missing: {start}");
    }
    // Every slide has the provenance footer and its number.
    let n = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("evbrief "), "slide {} has no footer", i + 1);
        assert!(
            page.contains(&format!("{} / {n}", i + 1)),
            "slide {} has no number",
            i + 1
        );
        assert!(
            page.lines().filter(|l| !l.trim().is_empty()).count() > 2,
            "slide {} is empty: {page}",
            i + 1
        );
    }
}

#[test]
fn no_text_on_a_slide_is_below_the_minimum_font_size() {
    let dir = project(None);
    // The check itself can fail: the A4 brief has 7–10 pt text.
    let brief = build(dir.path(), "brief.pdf", &[]);
    assert!(
        small_words(&brief).len() > 100,
        "the word-size check finds nothing in the brief"
    );
    let slides = build(dir.path(), "slides.pdf", &["--format", "slides"]);
    let small = small_words(&slides);
    assert!(
        small.is_empty(),
        "{} words below {MIN_FONT_PT} pt, e.g. {:?}",
        small.len(),
        &small[..small.len().min(10)]
    );
}

#[test]
fn the_template_refuses_text_below_the_minimum() {
    let dir = project(None);
    let template = dir.path().join("templates/slides.typ");
    let text = fs::read_to_string(&template).unwrap();
    assert!(text.contains("#let list-size = 18pt"));
    fs::write(
        &template,
        text.replace("#let list-size = 18pt", "#let list-size = 11pt"),
    )
    .unwrap();
    let out = evbrief(&[
        "build",
        "-q",
        "-p",
        dir.path().to_str().unwrap(),
        "--format",
        "slides",
    ]);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("below the 14pt minimum"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("output/slides.pdf").exists());
}

#[test]
fn chinese_slides_build_with_chinese_labels_and_the_same_minimum() {
    let dir = project(None);
    let pdf = build(
        dir.path(),
        "slides.zh.pdf",
        &["--format", "slides", "--lang", "zh"],
    );
    for (w, h) in page_sizes(&pdf) {
        assert!((w / h - 16.0 / 9.0).abs() < 0.005, "{w} × {h}");
    }
    let flow = pdf_flow_text(&pdf).unwrap();
    for label in ["研究问题", "要点总结", "讨论", "结果总结"] {
        assert!(flow.contains(label), "no {label}: {flow}");
    }
    let small = small_words(&pdf);
    assert!(small.is_empty(), "{:?}", &small[..small.len().min(10)]);
}
