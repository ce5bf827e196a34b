//! Loading a brief project: `brief.toml`, `data/studies/*.toml`, `data/references.bib`.
//!
//! Parsing keeps each file's text so every problem can be shown as `path:line:col`;
//! [`load_project`] reads and validates everything and returns all problems at once.

mod check_sof;
pub mod model;
pub mod model_p;
pub mod risk_of_bias;
pub mod time;
mod validate;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::BriefConfig;
use crate::diagnostic::{Problem, Problems, SourceFile};
use model::Study;

/// Study files larger than this are refused before parsing (a curated study is a few KiB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A project whose files parsed and validated.
#[derive(Debug, Clone)]
pub struct Project {
    /// Folder holding `brief.toml`.
    pub root: PathBuf,
    /// The brief's settings.
    pub config: BriefConfig,
    /// Studies sorted by id, each with its file.
    pub studies: Vec<LoadedStudy>,
    /// The bibliography text, passed to Typst unchanged.
    pub bibliography: String,
    /// Keys defined in the bibliography.
    pub bib_keys: BTreeSet<String>,
}

/// A study together with the file it came from.
#[derive(Debug, Clone)]
pub struct LoadedStudy {
    /// The file, for diagnostics.
    pub file: SourceFile,
    /// The parsed study.
    pub study: Study,
}

/// Why a project could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The project folder has no `brief.toml`.
    #[error("no brief.toml in {0} (is --project pointing at a brief project?)")]
    NotAProject(PathBuf),
    /// Problems in the files, all of them.
    #[error(transparent)]
    Invalid(#[from] Problems),
}

/// Reads, parses and validates the project at `root`, reporting every problem at once.
pub fn load_project(root: &Path) -> Result<Project, LoadError> {
    let brief_path = root.join("brief.toml");
    if !brief_path.is_file() {
        return Err(LoadError::NotAProject(root.to_path_buf()));
    }
    let mut problems = Vec::new();
    let brief_file = read_source(root, &brief_path, &mut problems);
    let config = brief_file
        .as_ref()
        .and_then(|f| parse_toml::<BriefConfig>(f, &mut problems));

    let mut studies = Vec::new();
    let studies_dir = root.join("data").join("studies");
    match fs::read_dir(&studies_dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                if let Some(file) = read_source(root, &path, &mut problems)
                    && let Some(study) = parse_toml::<Study>(&file, &mut problems)
                {
                    studies.push(LoadedStudy { file, study });
                }
            }
        }
        Err(e) => problems.push(whole_file(
            root,
            &studies_dir,
            format!("cannot read folder ({e})"),
        )),
    }

    let bib_path = root.join("data").join("references.bib");
    let bib_file = read_source(root, &bib_path, &mut problems);
    let bib_keys = bib_file
        .as_ref()
        .map(|f| parse_bib(f, &mut problems))
        .unwrap_or_default();

    if let (Some(config), Some(brief_file)) = (&config, &brief_file) {
        validate::validate(config, brief_file, &studies, &bib_keys, root, &mut problems);
    }
    match (config, bib_file) {
        (Some(config), Some(bib)) if problems.is_empty() => {
            studies.sort_by(|a, b| a.study.id.get_ref().cmp(b.study.id.get_ref()));
            Ok(Project {
                root: root.to_path_buf(),
                config,
                studies,
                bibliography: bib.text.to_string(),
                bib_keys,
            })
        }
        _ => Err(Problems(problems).into()),
    }
}

/// Path as shown to users: relative to the project, with forward slashes.
fn display_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

fn whole_file(root: &Path, path: &Path, message: String) -> Problem {
    let file = SourceFile {
        name: display_name(root, path),
        text: Arc::from(""),
    };
    Problem::new(&file, 0..0, message)
}

fn read_source(root: &Path, path: &Path, problems: &mut Vec<Problem>) -> Option<SourceFile> {
    let fail = |m: String, problems: &mut Vec<Problem>| {
        problems.push(whole_file(root, path, m));
        None
    };
    match fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return fail(
                format!(
                    "file is {} bytes; the limit is {MAX_FILE_BYTES}",
                    meta.len()
                ),
                problems,
            );
        }
        Ok(_) => {}
        Err(e) => return fail(format!("cannot read file ({e})"), problems),
    }
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile {
                name: display_name(root, path),
                text: Arc::from(text),
            }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                let file = SourceFile {
                    name: display_name(root, path),
                    text: Arc::from(valid),
                };
                problems.push(Problem::new(&file, at..at, "file is not valid UTF-8"));
                None
            }
        },
        Err(e) => fail(format!("cannot read file ({e})"), problems),
    }
}

fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match toml::from_str::<T>(&file.text) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().replace('\n', " ");
            problems.push(Problem::new(file, span, message));
            None
        }
    }
}

fn parse_bib(file: &SourceFile, problems: &mut Vec<Problem>) -> BTreeSet<String> {
    match biblatex::RawBibliography::parse(&file.text) {
        Ok(raw) => {
            let mut keys = BTreeSet::new();
            for entry in raw.entries {
                let key = entry.v.key.v.to_string();
                if !keys.insert(key.clone()) {
                    let span = entry.v.key.span.clone();
                    problems.push(Problem::new(
                        file,
                        span,
                        format!("duplicate entry key `{key}`"),
                    ));
                }
            }
            keys
        }
        Err(e) => {
            problems.push(Problem::new(
                file,
                e.span.clone(),
                format!("malformed BibTeX: {}", e.kind),
            ));
            BTreeSet::new()
        }
    }
}
