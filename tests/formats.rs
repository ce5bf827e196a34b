//! The journal-club formats and the Chinese edition, built from the bundled data.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{build, evbrief, pdf_flow_text, project, stderr};

/// `pdfinfo`'s page count and the first page's size in points.
fn pages_and_size(pdf: &Path) -> (usize, f64, f64) {
    let out = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo (poppler-utils) is needed");
    let info = String::from_utf8_lossy(&out.stdout).into_owned();
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_else(|| panic!("pdfinfo printed no {name}\n{info}"))
            .to_owned()
    };
    let pages = field("Pages:").parse().unwrap();
    let size = field("Page size:");
    let mut numbers = size
        .split_whitespace()
        .filter_map(|w| w.parse::<f64>().ok());
    (pages, numbers.next().unwrap(), numbers.next().unwrap())
}

fn text(pdf: &Path) -> String {
    pdf_flow_text(pdf).expect("pdftotext (poppler-utils) is needed")
}

#[test]
fn handout_fits_two_pages_on_a4_and_letter_with_every_part() {
    let dir = project(None);
    build(dir.path(), &["--format", "handout"]);
    build(dir.path(), &["--format", "handout", "--paper", "us-letter"]);
    let a4 = dir.path().join("output/handout.pdf");
    let letter = dir.path().join("output/handout.us-letter.pdf");
    let (pages, w, h) = pages_and_size(&a4);
    assert!(pages <= 2, "the A4 handout has {pages} pages");
    assert!(
        (w - 595.3).abs() < 1.0 && (h - 841.9).abs() < 1.0,
        "{w} x {h}"
    );
    let (pages, w, h) = pages_and_size(&letter);
    assert!(pages <= 2, "the Letter handout has {pages} pages");
    assert_eq!((w.round(), h.round()), (612.0, 792.0));

    let t = text(&a4);
    assert!(t.contains("JOURNAL-CLUB HANDOUT"), "{t}");
    for needle in [
        "Population:",
        "Intervention:",
        "Comparison:",
        "Outcomes:",
        "Bottom line",
        "Fasting plasma glucose, week",
        "Summary of findings",
        "Safety at a glance",
        "Serious adverse events",
        "Critical appraisal",
        "Allocation concealed?",
        "Conflicts of interest declared?",
        "not reported",
        "not applicable",
        "Questions for discussion",
        // The curated question from brief.toml, not a default.
        "how much weight can a subgroup finding carry",
        "Scan for the paper (DOI)",
        "References",
    ] {
        assert!(t.contains(needle), "handout lacks {needle:?}");
    }
    // The provenance line: version, as-of date, edition and inputs hash.
    let version = format!("evbrief {}", env!("CARGO_PKG_VERSION"));
    assert!(t.contains(&version) && t.contains("as of 22 November 2026"));
    assert!(
        t.contains(" · edition 20") && t.contains(" · inputs "),
        "{t}"
    );
}

#[test]
fn handout_uses_default_questions_when_none_are_curated() {
    let dir = project(None);
    let toml = dir.path().join("brief.toml");
    let brief = fs::read_to_string(&toml).unwrap();
    let start = brief.find("discussion-questions").unwrap();
    let end = start + brief[start..].find("]\n").unwrap() + 2;
    fs::write(&toml, format!("{}{}", &brief[..start], &brief[end..])).unwrap();
    build(dir.path(), &["--format", "handout"]);
    let t = text(&dir.path().join("output/handout.pdf"));
    assert!(t.contains("Would the participants of these studies resemble the patients"));
}

#[test]
fn qr_codes_are_vector_drawings() {
    let dir = project(None);
    build(dir.path(), &["--format", "handout"]);
    let out = Command::new("pdfimages")
        .arg("-list")
        .arg(dir.path().join("output/handout.pdf"))
        .output()
        .expect("pdfimages (poppler-utils) is needed");
    let listing = String::from_utf8_lossy(&out.stdout);
    // pdfimages prints two header lines and one line per raster image: none expected.
    assert_eq!(
        listing.lines().count(),
        2,
        "raster images found:\n{listing}"
    );
}

#[test]
fn handout_makes_the_edition_it_names() {
    let dir = project(None);
    build(dir.path(), &["--format", "handout"]);
    let editions = dir.path().join("output/editions");
    let names = common::names_in(&editions);
    assert_eq!(names.len(), 1, "{names:?}");
    assert!(dir.path().join("output/brief.pdf").is_file());
    let t = text(&dir.path().join("output/handout.pdf"));
    assert!(t.contains(&format!("edition {}", names[0])), "{t}");
    // A second handout of the same inputs adds no edition.
    build(dir.path(), &["--format", "handout"]);
    assert_eq!(common::names_in(&editions), names);
}

#[test]
fn chinese_edition_prints_chinese_labels_and_dates() {
    let dir = project(None);
    build(dir.path(), &["--lang", "zh"]);
    build(dir.path(), &["--format", "handout", "--lang", "zh"]);
    // Typst puts a thin space between Chinese and Latin text or digits, which pdftotext
    // prints as a space: compare without whitespace.
    let text = |pdf: &Path| text(pdf).replace(' ', "");
    let brief = text(&dir.path().join("output/brief.zh.pdf"));
    assert!(brief.contains("2026年11月22日"), "{brief}");
    assert!(brief.contains("证据截至"));
    let handout = dir.path().join("output/handout.zh.pdf");
    assert!(pages_and_size(&handout).0 <= 2);
    let t = text(&handout);
    for needle in [
        "文献研读会讲义",
        "研究问题",
        "严格评价",
        "讨论问题",
        "参考文献",
        "未报告",
    ] {
        assert!(t.contains(needle), "the Chinese handout lacks {needle:?}");
    }
}

#[test]
fn missing_cjk_font_is_a_clear_error_and_writes_nothing() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", p, "--lang", "zh", "--ignore-system-fonts"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no font for Chinese text"), "{err}");
    assert!(err.contains("fonts-noto-cjk"), "{err}");
    assert!(err.contains("fonts"), "{err}");
    let output = dir.path().join("output");
    assert!(!output.join("brief.zh.pdf").exists());
    assert!(!output.join("brief.pdf").exists(), "no edition either");
    // The English brief of this corpus cites a Chinese title, so it needs the font too.
    let out = evbrief(&["build", "-p", p, "--ignore-system-fonts"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("holds Chinese text"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_font_in_the_project_folder_replaces_the_system_font() {
    let system = Path::new("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
    assert!(
        system.is_file(),
        "the test needs fonts-noto-cjk (installed by .ci/run)"
    );
    let dir = project(None);
    fs::create_dir_all(dir.path().join("fonts")).unwrap();
    fs::copy(system, dir.path().join("fonts/NotoSansCJK-Regular.ttc")).unwrap();
    build(
        dir.path(),
        &[
            "--format",
            "handout",
            "--lang",
            "zh",
            "--ignore-system-fonts",
        ],
    );
    assert!(text(&dir.path().join("output/handout.zh.pdf")).contains("研究问题"));
}

#[test]
fn if_changed_is_refused_for_other_documents() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", p, "--format", "slides", "--if-changed"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--if-changed"));
}
