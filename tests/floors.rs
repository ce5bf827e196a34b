//! The layout of the code (README "Layout of the code"): each top-level module of the
//! main crate sits on one floor and may use only modules on floors below it (or its own
//! folder). This test reads every source file and fails on an upward `crate::` path, so a
//! back-edge is caught when it is written, not in review.

use std::fs;
use std::path::{Path, PathBuf};

/// Floors, lowest first; each entry is a top-level module of `src/`.
const FLOORS: &[&[&str]] = &[
    &["stats", "intake", "diagnostic"],
    &["config", "data", "i18n", "format"],
    &["analysis", "analyse"],
    &["text", "plot"],
    &["view"],
    &["render"],
    &["store"],
    &["pipeline"],
    &["living", "inbox", "search", "synthetic", "starter", "sheet"],
    &["cli"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `crate::NAME` in `text`, outside comments.
fn crate_paths(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            let tail = &rest[at + "crate::".len()..];
            let name: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let preceded_by_ident = at > 0
                && rest[..at]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
            if !name.is_empty() && !preceded_by_ident {
                out.push((i + 1, name));
            }
            rest = tail;
        }
    }
    out
}

#[test]
fn no_module_uses_a_floor_above_its_own() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut upward = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = top.trim_end_matches(".rs").to_string();
        // Test-only files may build their fixtures with any floor (e.g. synthetic projects).
        let test_file = rel.to_string_lossy().ends_with("_tests.rs");
        if matches!(module.as_str(), "lib" | "main") || test_file {
            continue;
        }
        let own = floor_of(&module)
            .unwrap_or_else(|| panic!("src/{top} is on no floor: add it to FLOORS"));
        let text = fs::read_to_string(file).unwrap();
        for (line, name) in crate_paths(&text) {
            let Some(theirs) = floor_of(&name) else {
                continue;
            };
            if theirs > own {
                upward.push(format!(
                    "src/{}:{line}: `{module}` (floor {own}) uses `crate::{name}` (floor {theirs})",
                    rel.display()
                ));
            }
        }
    }
    assert!(upward.is_empty(), "upward imports:\n{}", upward.join("\n"));
}

#[test]
fn the_engines_know_nothing_of_typst_or_the_main_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in ["evbrief-stats", "evbrief-intake"] {
        let manifest =
            fs::read_to_string(root.join("crates").join(krate).join("Cargo.toml")).unwrap();
        for forbidden in ["typst", "evbrief =", "plotters", "toml"] {
            assert!(
                !manifest.contains(forbidden),
                "{krate} depends on {forbidden}"
            );
        }
    }
}

#[test]
fn the_floor_check_sees_upward_paths() {
    let found = crate_paths("use crate::view::X; // crate::cli\nlet a = my_crate::cli;");
    assert_eq!(found, vec![(1, "view".to_owned())]);
}
