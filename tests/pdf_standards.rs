//! Accessible and archival PDF: every document is tagged (language, title, alt text on
//! every figure, table headers), and `pdf-standards` / `--pdf-standard` give PDF/A and
//! PDF/UA-1 files that the checkers we have (qpdf, pdffonts, pdfinfo) accept.
//!
//! Needs qpdf and poppler-utils (`.ci/run` installs both).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::{build, evbrief, project, stderr};

/// Runs a checker; panics with install advice when it is missing.
fn tool(program: &str, args: &[&str], pdf: &Path) -> std::process::Output {
    Command::new(program)
        .args(args)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| panic!("{program} ({e}); install qpdf and poppler-utils"))
}

/// The PDF's objects, uncompressed (`qpdf --qdf`), one string each.
fn objects(pdf: &Path) -> Vec<String> {
    let out = pdf.with_extension("qdf.pdf");
    let status = Command::new("qpdf")
        .args(["--qdf", "--object-streams=disable"])
        .arg(pdf)
        .arg(&out)
        .status()
        .expect("qpdf; install qpdf");
    assert!(status.success(), "qpdf --qdf failed on {}", pdf.display());
    let text = String::from_utf8_lossy(&fs::read(&out).unwrap()).into_owned();
    text.split("endobj")
        .filter_map(|chunk| chunk.split_once(" 0 obj").map(|(_, body)| body.to_owned()))
        .collect()
}

/// Structure elements of type `kind` (`Figure`, `TH`, …).
fn elements<'a>(objects: &'a [String], kind: &str) -> Vec<&'a String> {
    let tag = format!("/S /{kind}\n");
    objects
        .iter()
        .filter(|o| o.contains(&tag) && o.contains("/Type /StructElem"))
        .collect()
}

/// The `/Alt` entry of a structure element: a literal `(…)` string or a hex `<FEFF…>`
/// UTF-16 string (Typst writes non-ASCII text so). Empty when there is none.
fn alt_text(element: &str) -> String {
    let Some((_, rest)) = element.split_once("/Alt ") else {
        return String::new();
    };
    if let Some(hex) = rest.strip_prefix('<') {
        let hex = &hex[..hex.find('>').unwrap_or(0)];
        let bytes: Vec<u8> = (0..hex.len() / 2)
            .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let units: Vec<u16> = bytes
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .skip_while(|&u| u == 0xfeff)
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let literal = rest.strip_prefix('(').unwrap_or("");
        literal[..literal.find(')').unwrap_or(0)].to_owned()
    }
}

/// The XMP metadata's claims (`pdfaid:part`, `pdfaid:conformance`, `pdfuaid:part`).
fn xmp_claims(pdf: &Path) -> Vec<String> {
    let meta = tool("pdfinfo", &["-meta"], pdf);
    let xmp = String::from_utf8_lossy(&meta.stdout).into_owned();
    ["pdfaid:part", "pdfaid:conformance", "pdfuaid:part"]
        .iter()
        .filter_map(|key| {
            let open = format!("<{key}>");
            let start = xmp.find(&open)? + open.len();
            let end = start + xmp[start..].find('<')?;
            Some(format!("{key}={}", &xmp[start..end]))
        })
        .collect()
}

/// qpdf finds no structural error and pdffonts lists only embedded fonts.
fn assert_sound_and_fonts_embedded(pdf: &Path) {
    let check = tool("qpdf", &["--check"], pdf);
    assert!(
        check.status.success(),
        "qpdf --check {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&check.stdout)
    );
    let fonts = tool("pdffonts", &[], pdf);
    let listing = String::from_utf8_lossy(&fonts.stdout).into_owned();
    let rows: Vec<&str> = listing.lines().skip(2).collect();
    assert!(!rows.is_empty(), "no fonts in {}", pdf.display());
    for row in rows {
        // Columns: name type encoding emb sub uni object ID.
        let cols: Vec<&str> = row.split_whitespace().collect();
        let emb = cols[cols.len() - 5];
        assert_eq!(emb, "yes", "font not embedded in {}: {row}", pdf.display());
    }
}

#[test]
fn every_brief_is_tagged_with_language_title_alt_text_and_table_headers() {
    let dir = project(None);
    build(dir.path(), &[]);
    build(dir.path(), &["--lang", "zh"]);
    for (file, lang) in [("brief.pdf", "en"), ("brief.zh.pdf", "zh")] {
        let pdf = dir.path().join("output").join(file);
        let info = String::from_utf8_lossy(&tool("pdfinfo", &[], &pdf).stdout).into_owned();
        assert!(info.contains("Tagged:          yes"), "{file}: {info}");
        let title = info.lines().find(|l| l.starts_with("Title:")).unwrap();
        assert!(title.len() > "Title:".len() + 10, "{file}: {title}");

        let objects = objects(&pdf);
        let catalog = objects
            .iter()
            .find(|o| o.contains("/Type /Catalog"))
            .unwrap();
        assert!(
            catalog.contains(&format!("/Lang ({lang})")),
            "{file}: {catalog}"
        );
        assert!(catalog.contains("/StructTreeRoot"), "{file}");

        // Forest plots, overview, risk-of-bias figures: each with its description.
        let figures = elements(&objects, "Figure");
        assert!(figures.len() >= 10, "{file}: {} figures", figures.len());
        let alts: Vec<String> = figures.iter().map(|f| alt_text(f)).collect();
        for (alt, figure) in alts.iter().zip(&figures) {
            assert!(
                alt.chars().count() >= 4,
                "{file}: a figure without alt text: {}",
                &figure[..figure.len().min(2000)]
            );
        }
        if lang == "zh" {
            assert!(
                alts.iter().any(|a| a.contains("森林图")
                    || a.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
                "{alts:?}"
            );
        }
        // Study, outcome, SoF, safety and risk-of-bias tables mark their header cells.
        assert!(elements(&objects, "TH").len() >= 40, "{file}");
        assert!(elements(&objects, "Table").len() >= 5, "{file}");
    }
    // The bundled brief asks for PDF/A-2a and PDF/UA-1 in brief.toml.
    let bundled = dir.path().join("output/brief.pdf");
    assert_eq!(
        xmp_claims(&bundled),
        ["pdfaid:part=2", "pdfaid:conformance=A", "pdfuaid:part=1"]
    );
    assert_sound_and_fonts_embedded(&bundled);

    // No standard asked for: a tagged PDF that claims no conformance.
    let plain = project(Some("valid/minimal"));
    build(plain.path(), &[]);
    let pdf = plain.path().join("output/brief.pdf");
    assert!(xmp_claims(&pdf).is_empty());
    let info = String::from_utf8_lossy(&tool("pdfinfo", &[], &pdf).stdout).into_owned();
    assert!(info.contains("Tagged:          yes"), "{info}");
}

#[test]
fn pdf_standard_flags_make_a_conforming_copy_beside_the_brief() {
    let dir = project(None);
    build(
        dir.path(),
        &["--pdf-standard", "a-2b", "--pdf-standard", "ua-1"],
    );
    let out = dir.path().join("output");
    let pdf = out.join("brief.a-2b.ua-1.pdf");
    assert!(pdf.is_file(), "{:?}", common::names_in(&out));
    assert_eq!(
        xmp_claims(&pdf),
        ["pdfaid:part=2", "pdfaid:conformance=B", "pdfuaid:part=1"]
    );
    assert_sound_and_fonts_embedded(&pdf);
    // Reading order: the sections come out of the text layer in the order they are read.
    let text = common::pdf_flow_text(&pdf).unwrap();
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` missing"))
    };
    assert!(at("Bottom line") < at("Summary of findings"));
    assert!(at("Summary of findings") < at("Included studies"));
    assert!(at("Included studies") < at("References"));

    // The handout and the slides in Chinese meet the accessible archival level too.
    build(
        dir.path(),
        &[
            "--format",
            "handout",
            "--lang",
            "zh",
            "--pdf-standard",
            "a-2a",
            "--pdf-standard",
            "ua-1",
        ],
    );
    build(
        dir.path(),
        &["--format", "slides", "--pdf-standard", "a-3u"],
    );
    let handout = out.join("handout.zh.a-2a.ua-1.pdf");
    assert_eq!(
        xmp_claims(&handout),
        ["pdfaid:part=2", "pdfaid:conformance=A", "pdfuaid:part=1"]
    );
    assert_sound_and_fonts_embedded(&handout);
    let slides = out.join("slides.a-3u.pdf");
    assert_eq!(
        xmp_claims(&slides),
        ["pdfaid:part=3", "pdfaid:conformance=U"]
    );
    assert_sound_and_fonts_embedded(&slides);
}

#[test]
fn pdf_standards_in_brief_toml_apply_to_the_edition() {
    let dir = project(Some("valid/minimal"));
    let brief = dir.path().join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap();
    fs::write(&brief, format!("pdf-standards = [\"a-2u\"]\n{text}")).unwrap();
    build(dir.path(), &[]);
    let pdf = dir.path().join("output/brief.pdf");
    assert_eq!(xmp_claims(&pdf), ["pdfaid:part=2", "pdfaid:conformance=U"]);
    assert_sound_and_fonts_embedded(&pdf);
    // The edition keeps the same conforming file.
    let editions = dir.path().join("output/editions");
    let edition = common::names_in(&editions)
        .into_iter()
        .find(|n| !n.starts_with('.'))
        .unwrap();
    let kept = editions.join(edition).join("brief.pdf");
    assert_eq!(fs::read(&kept).unwrap(), fs::read(&pdf).unwrap());
}

#[test]
fn unknown_or_impossible_standards_are_refused_with_their_place() {
    let dir = project(None);
    let out = evbrief(&[
        "build",
        "-p",
        dir.path().to_str().unwrap(),
        "--pdf-standard",
        "a-1b",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--pdf-standard: unknown PDF standard `a-1b` (expected a-2b, a-2u"),
        "{}",
        stderr(&out)
    );

    let dir = project(Some("valid/minimal"));
    let brief = dir.path().join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap();
    fs::write(
        &brief,
        format!("pdf-standards = [\"a-2b\", \"a-3b\"]\n{text}"),
    )
    .unwrap();
    let out = evbrief(&["build", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(
            "brief.toml:1:17: a PDF conforms to at most one PDF/A level, not both `a-2b` and `a-3b`"
        ),
        "{err}"
    );
    assert!(!dir.path().join("output/brief.pdf").exists());
}
