//! The bad-input suite: `evbrief build` on projects that are `tests/fixtures/valid/minimal`
//! plus exactly one defect each.
//!
//! A case's folder `tests/fixtures/bad-input/<case>/` holds only what differs from the
//! minimal project: files that replace or join its files, an optional `remove` file
//! (paths to delete, one a line) and `expected-stderr.txt`, the exact error output (the
//! temporary project folder written as `<project>`). Files that must not be committed
//! (50 MB inputs, bytes that are not UTF-8) are written by the case's test here.
//!
//! Every case asserts: exit code 2; stderr equal to the golden, without "panicked", naming
//! the file as `path:line:col`; the build finishing within [`WATCHDOG`] (a hang guard, not
//! a performance bound); and `output/` untouched: an earlier `output/brief.pdf` keeps its
//! bytes and nothing is added (no temporary file, edition or `analysis.json`), except the
//! lock file `output/.evbrief.lock`, which every build takes and leaves empty on release.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::*;

/// A build running longer than this is killed and the case fails.
const WATCHDOG: Duration = Duration::from_secs(60);

/// The size of the oversized inputs: 50 MiB.
const HUGE: usize = 50 * 1024 * 1024;

/// Stands for the PDF of an earlier, successful build.
const SENTINEL: &[u8] = b"%PDF-1.7\n% an earlier build's brief, which a failed build must keep\n";

/// What a case's error output must name first: the file, with a line (and column) or not.
enum Names<'a> {
    /// `path:line:col: ` starts a line.
    Located(&'a str),
    /// `path: ` follows `error: ` (nowhere in the file is to blame, e.g. a time limit).
    FileOnly(&'a str),
}

/// Builds the case's project (after `prepare` adds generated files) with `args`, and
/// checks everything the suite promises. Returns the normalised stderr.
fn case(name: &str, names: Names, args: &[&str], prepare: impl FnOnce(&Path)) -> String {
    let dir = project(Some("valid/minimal"));
    let root = dir.path();
    let overlay = repo().join("tests/fixtures/bad-input").join(name);
    assert!(overlay.is_dir(), "no fixture folder {}", overlay.display());
    apply_overlay(&overlay, root);
    prepare(root);
    let output_dir = root.join("output");
    fs::create_dir_all(&output_dir).unwrap();
    fs::write(output_dir.join("brief.pdf"), SENTINEL).unwrap();
    let before = tree(&output_dir);

    let project_arg = root.to_str().unwrap();
    let mut command_args = vec!["build", "-p", project_arg];
    command_args.extend_from_slice(args);
    let (code, stderr) = run_with_watchdog(&command_args);
    let stderr = stderr.replace(project_arg, "<project>");

    assert!(!stderr.contains("panicked"), "{name}: a panic:\n{stderr}");
    assert_eq!(code, Some(2), "{name}: exit code; stderr:\n{stderr}");
    let golden = fs::read_to_string(overlay.join("expected-stderr.txt")).unwrap();
    assert_eq!(stderr, golden, "{name}: stderr differs from its golden");
    match names {
        Names::Located(file) => assert!(
            stderr.lines().any(|l| is_located(l, file)),
            "{name}: no `{file}:line:col:` in\n{stderr}"
        ),
        Names::FileOnly(file) => assert!(
            stderr.contains(&format!("error: {file}: ")),
            "{name}: `{file}` not named in\n{stderr}"
        ),
    }

    assert_eq!(
        fs::read(output_dir.join("brief.pdf")).unwrap(),
        SENTINEL,
        "{name}: the earlier brief was changed"
    );
    let mut after = tree(&output_dir);
    if let Some(i) = after.iter().position(|(p, _)| p == ".evbrief.lock") {
        let (_, len) = after.remove(i);
        assert_eq!(len, Some(0), "{name}: the lock was not released");
    }
    assert_eq!(after, before, "{name}: output/ gained or lost files");
    stderr
}

/// Copies the case's files over the project and deletes the paths its `remove` lists.
fn apply_overlay(overlay: &Path, root: &Path) {
    for entry in fs::read_dir(overlay).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == "expected-stderr.txt" || name == "remove" {
            continue;
        }
        let target = root.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
    if let Ok(list) = fs::read_to_string(overlay.join("remove")) {
        for rel in list.lines().filter(|l| !l.trim().is_empty()) {
            let path = root.join(rel.trim());
            if path.is_dir() {
                fs::remove_dir_all(&path).unwrap();
            } else {
                fs::remove_file(&path).unwrap();
            }
        }
    }
}

/// Every file and folder under `dir` (relative paths, sorted) with the file's length.
fn tree(dir: &Path) -> Vec<(String, Option<u64>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Option<u64>)>) {
        for entry in fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path
                .strip_prefix(base)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if entry.file_type().unwrap().is_dir() {
                out.push((rel, None));
                walk(base, &path, out);
            } else {
                out.push((rel, Some(entry.metadata().unwrap().len())));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// True when `line` starts with `file:LINE:COL: ` (or `file:LINE: `).
fn is_located(line: &str, file: &str) -> bool {
    let Some(rest) = line.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let mut numbers = 0;
    let mut rest = rest;
    while let Some(end) = rest.find(':') {
        let part = &rest[..end];
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            break;
        }
        numbers += 1;
        rest = &rest[end + 1..];
    }
    (1..=2).contains(&numbers) && rest.starts_with(' ')
}

/// Runs evbrief, killing it (and failing the test) when it outlives [`WATCHDOG`]; returns
/// its exit code and stderr.
fn run_with_watchdog(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_evbrief"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run evbrief");
    // Read stderr on a thread, so a chatty child never blocks on a full pipe.
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > WATCHDOG {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "evbrief {} still ran after {WATCHDOG:?} and was killed",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), reader.join().unwrap())
}

/// Appends comment lines (`prefix` starts each) to the file until it is exactly [`HUGE`]
/// bytes: a well-formed file, only far too large.
fn grow_to_huge(path: &Path, prefix: &str) {
    let mut bytes = fs::read(path).unwrap_or_default();
    let line = format!("{prefix} padding {}\n", "x".repeat(60));
    while bytes.len() < HUGE {
        bytes.extend_from_slice(line.as_bytes());
    }
    bytes.truncate(HUGE - 1);
    bytes.push(b'\n');
    fs::write(path, bytes).unwrap();
}

fn study(root: &Path) -> PathBuf {
    root.join("data/studies/smith-trial.toml")
}

const STUDY: &str = "data/studies/smith-trial.toml";
const BIB: &str = "data/references.bib";
const TEMPLATE: &str = "templates/brief.typ";

fn nothing(_: &Path) {}

// --- Syntax and types -----------------------------------------------------------------

#[test]
fn malformed_toml() {
    case("malformed-toml", Names::Located("brief.toml"), &[], nothing);
}

#[test]
fn wrong_type_string_for_a_number() {
    case("wrong-type", Names::Located(STUDY), &[], nothing);
}

#[test]
fn unknown_key_in_brief_toml() {
    case(
        "unknown-key-brief",
        Names::Located("brief.toml"),
        &[],
        nothing,
    );
}

#[test]
fn unknown_key_in_a_study_file() {
    case("unknown-key-study", Names::Located(STUDY), &[], nothing);
}

// --- Impossible values ----------------------------------------------------------------

#[test]
fn zero_sd() {
    case("zero-sd", Names::Located(STUDY), &[], nothing);
}

#[test]
fn negative_sd() {
    case("negative-sd", Names::Located(STUDY), &[], nothing);
}

#[test]
fn events_exceed_n() {
    case("events-exceed-n", Names::Located(STUDY), &[], nothing);
}

#[test]
fn nan_as_a_string() {
    case("nan-string", Names::Located(STUDY), &[], nothing);
}

#[test]
fn nan_as_a_toml_float() {
    case("nan-float", Names::Located(STUDY), &[], nothing);
}

#[test]
fn inf_as_a_string() {
    case("inf-string", Names::Located(STUDY), &[], nothing);
}

#[test]
fn inf_as_a_toml_float() {
    case("inf-float", Names::Located(STUDY), &[], nothing);
}

// --- Identity -------------------------------------------------------------------------

#[test]
fn duplicate_study_id() {
    case("duplicate-study-id", Names::Located(STUDY), &[], nothing);
}

#[test]
fn duplicate_outcome_id() {
    case(
        "duplicate-outcome-id",
        Names::Located("brief.toml"),
        &[],
        nothing,
    );
}

// --- Missing files --------------------------------------------------------------------

#[test]
fn a_study_cites_a_key_missing_from_the_bibliography() {
    case("missing-bib-key", Names::Located(STUDY), &[], nothing);
}

#[test]
fn no_studies_folder() {
    case(
        "missing-studies-folder",
        Names::Located("data/studies"),
        &[],
        nothing,
    );
}

#[test]
fn no_references_bib() {
    // Only the missing file is reported, not every citation of it.
    case("missing-references", Names::Located(BIB), &[], nothing);
}

// --- Bibliography syntax --------------------------------------------------------------

#[test]
fn bibtex_entry_without_its_closing_brace() {
    case("bibtex-missing-brace", Names::Located(BIB), &[], nothing);
}

#[test]
fn bibtex_field_without_equals() {
    case("bibtex-missing-equals", Names::Located(BIB), &[], nothing);
}

// --- Oversized and undecodable files (generated here: not committed) ------------------

#[test]
fn a_50_mb_study_file() {
    case("huge-study-file", Names::Located(STUDY), &[], |root| {
        grow_to_huge(&study(root), "#");
    });
}

#[test]
fn a_50_mb_bibliography() {
    case("huge-bibliography", Names::Located(BIB), &[], |root| {
        grow_to_huge(&root.join(BIB), "%");
    });
}

#[test]
fn a_50_mb_brief_toml() {
    case(
        "huge-brief-toml",
        Names::Located("brief.toml"),
        &[],
        |root| {
            grow_to_huge(&root.join("brief.toml"), "#");
        },
    );
}

#[test]
fn a_50_mb_template() {
    case("huge-template", Names::Located(TEMPLATE), &[], |root| {
        grow_to_huge(&root.join(TEMPLATE), "//");
    });
}

#[test]
fn a_template_reads_a_50_mb_file() {
    // The template (committed) reads `assets/big.csv`, written here.
    case(
        "template-reads-huge-file",
        Names::Located(TEMPLATE),
        &[],
        |root| {
            fs::create_dir_all(root.join("assets")).unwrap();
            grow_to_huge(&root.join("assets/big.csv"), "#");
        },
    );
}

#[test]
fn a_study_file_that_is_not_utf8() {
    // "Smïth" in Latin-1: the byte 0xEF is not UTF-8 here (written here, as editors and
    // git tools may "repair" such a file).
    case("non-utf8-study", Names::Located(STUDY), &[], |root| {
        let text = fs::read(study(root)).unwrap();
        let at = text.windows(5).position(|w| w == b"Smith").unwrap();
        let mut bytes = text.clone();
        bytes[at + 2] = 0xEF;
        fs::write(study(root), bytes).unwrap();
    });
}

// --- Templates ------------------------------------------------------------------------

#[test]
fn a_template_reads_a_parent_path() {
    case(
        "template-reads-parent-path",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn a_template_reads_an_absolute_path() {
    // `/etc/passwd` is looked for inside the project, where it does not exist.
    case(
        "template-reads-absolute-path",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn a_template_with_while_true() {
    case(
        "template-while-true",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn a_template_with_an_endless_while_loop() {
    // Typst stops a `while` loop after 10 000 iterations.
    case(
        "template-endless-while",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn a_template_that_runs_past_the_time_limit() {
    // Nested `for` loops have no iteration limit; only the build's time limit stops them
    // (lowered to 3 s here; the default is 120 s). No line is to blame, so none is given.
    let started = Instant::now();
    case(
        "template-endless-for",
        Names::FileOnly(TEMPLATE),
        &["--template-time-limit", "3"],
        nothing,
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
}

#[test]
fn a_template_with_unbounded_recursion() {
    case(
        "template-unbounded-recursion",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn a_template_whose_show_rule_matches_its_own_output() {
    case(
        "template-show-rule-recursion",
        Names::Located(TEMPLATE),
        &[],
        nothing,
    );
}

#[test]
fn located_lines_are_recognised() {
    assert!(is_located("a/b.toml:3:14: oops", "a/b.toml"));
    assert!(is_located("a/b.toml:3: oops", "a/b.toml"));
    assert!(!is_located("a/b.toml: oops", "a/b.toml"));
    assert!(!is_located("error: a/b.toml:3:1: oops", "a/b.toml"));
    assert!(!is_located("a/b.tomlx:3:1: oops", "a/b.toml"));
}

/// A project of 70 study files, enough to be parsed on several threads: broken files are
/// all reported, in file order, each at its place, and nothing is written.
#[test]
fn many_study_files_report_their_problems_in_file_order() {
    let (_tmp, root) = synthetic_project(70);
    let d = root.to_str().unwrap();
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("data/studies"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let broken = [2, 40, 69];
    for i in broken {
        fs::write(&files[i], "id = \n").unwrap();
    }
    let out = evbrief(&["build", "-p", d]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    let located: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("data/studies/"))
        .collect();
    let expected: Vec<String> = broken
        .iter()
        .map(|&i| {
            let name = files[i].file_name().unwrap().to_str().unwrap();
            format!("data/studies/{name}:1:6: ")
        })
        .collect();
    assert_eq!(located.len(), expected.len(), "{err}");
    for (line, start) in located.iter().zip(&expected) {
        assert!(
            line.starts_with(start.as_str()),
            "{line} is not at {start}\n{err}"
        );
    }
    assert!(!root.join("output/brief.pdf").exists());
}
