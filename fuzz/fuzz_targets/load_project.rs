//! The project loader and everything between it and Typst: one file of the bundled
//! project is replaced by the fuzz input, then the project is loaded, validated,
//! analysed, and turned into the view model with its forest plots. Problems must be
//! located; a project that loads must analyse and plot without a panic.
//!
//! Input: byte 0 picks the file (0 = `brief.toml`, anything else a study file, named
//! after the input's `id` so a mutated bundled study replaces itself); the rest is its
//! text. Seeds: `fuzz/seeds/load_project/` (the bundled files with their selector).
#![no_main]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use evbrief::analysis;
use evbrief::data::{LoadError, load_project};
use evbrief::view::{EditionView, ViewOptions, build_view};
use libfuzzer_sys::fuzz_target;

/// A private copy of the bundled project (brief.toml and data/), made once per process.
fn project() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = std::env::temp_dir().join(format!("evbrief-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        evbrief_fuzz::copy_dir(&repo.join("data"), &dir.join("data"));
        fs::copy(repo.join("brief.toml"), dir.join("brief.toml")).expect("copy brief.toml");
        dir
    })
}

/// The file the input replaces: `brief.toml`, or `data/studies/<id>.toml`.
fn target_file(root: &Path, selector: u8, text: &str) -> PathBuf {
    if selector == 0 {
        return root.join("brief.toml");
    }
    let id = text
        .parse::<toml::Table>()
        .ok()
        .and_then(|t| t.get("id").and_then(|v| v.as_str()).map(str::to_owned))
        .filter(|id| {
            (1..=64).contains(&id.len())
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .unwrap_or_else(|| "fuzz".into());
    root.join("data/studies").join(format!("{id}.toml"))
}

fuzz_target!(|data: &[u8]| {
    let [selector, rest @ ..] = data else {
        return;
    };
    let root = project();
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let path = target_file(root, *selector, text);
    let original = fs::read(&path).ok();
    fs::write(&path, rest).expect("write the fuzzed file");
    let loaded = load_project(root);
    // Put the project back before checking, so a finding does not poison later runs.
    match original {
        Some(bytes) => fs::write(&path, bytes).expect("restore the file"),
        None => fs::remove_file(&path).expect("remove the fuzzed file"),
    }
    match loaded {
        Ok(project) => {
            let analysed = analysis::analyse(&project);
            let view = build_view(
                &project,
                &analysed,
                EditionView::default(),
                ViewOptions::brief(&project.config),
            );
            serde_json::to_vec(&view).expect("the view serialises");
        }
        Err(LoadError::Invalid(problems)) => {
            assert!(!problems.0.is_empty(), "invalid without problems");
            evbrief_fuzz::check_problems(&problems.0);
        }
        Err(e) => panic!("the bundled project lost its brief.toml: {e}"),
    }
});
