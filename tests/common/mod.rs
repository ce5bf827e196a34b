//! Helpers shared by the integration tests: temporary projects, running the binary,
//! reading PDFs.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn evbrief(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evbrief"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run evbrief")
}

pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary project: the fixture's (or the bundled) data plus the repository's templates.
pub fn project(fixture: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    match fixture {
        Some(name) => copy_dir(&repo().join("tests/fixtures").join(name), dir.path()),
        None => {
            fs::copy(repo().join("brief.toml"), dir.path().join("brief.toml")).unwrap();
            copy_dir(&repo().join("data"), &dir.path().join("data"));
        }
    }
    copy_dir(&repo().join("templates"), &dir.path().join("templates"));
    dir
}

/// `evbrief build -q -p DIR ARGS…`, which must succeed.
pub fn build(dir: &Path, args: &[&str]) {
    let mut all = vec!["build", "-q", "-p", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = evbrief(&all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn pdf_text(pdf: &Path) -> Option<String> {
    pdftotext(pdf, &["-layout"])
}

/// The PDF's text in reading order (table cells whole), whitespace collapsed to single spaces.
pub fn pdf_flow_text(pdf: &Path) -> Option<String> {
    pdftotext(pdf, &[]).map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
}

pub fn pdftotext(pdf: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("pdftotext")
        .args(args)
        .arg(pdf)
        .arg("-")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The sorted file names in `dir`.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A synthetic project of `studies` studies (built-in templates), written through the
/// binary into a fresh temporary folder; the folder lives as long as the returned guard.
/// Fails the test with evbrief's message when it cannot be written.
pub fn synthetic_project(studies: usize) -> (tempfile::TempDir, PathBuf) {
    synthetic_project_with(studies, &[])
}

/// [`synthetic_project`] with more `evbrief synthetic` options (`--seed`, `--templates`).
pub fn synthetic_project_with(studies: usize, options: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temporary folder");
    let root = tmp.path().join("p");
    let count = studies.to_string();
    let mut args = vec!["synthetic", root.to_str().unwrap(), "--studies", &count];
    args.extend_from_slice(options);
    let made = evbrief(&args);
    assert!(made.status.success(), "{}", stderr(&made));
    (tmp, root)
}
