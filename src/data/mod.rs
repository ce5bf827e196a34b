//! Loading a brief project: `brief.toml`, `data/studies/*.toml`, the bibliography
//! (`data/references.bib` / `.yaml`), the inbox (`data/inbox/*.bib`) and the search log
//! (`data/search-log.csv`) and the excluded records (`data/excluded/*.bib`).
//!
//! Parsing keeps each file's text so every problem can be shown as `path:line:col`;
//! [`load_project`] reads and validates everything and returns all problems at once.

pub mod bibliography;
mod check_identity;
mod check_searches;
mod check_sof;
pub mod chinese_bib;
pub mod effects;
pub mod excluded;
pub mod localise;
pub mod model;
pub mod model_p;
pub mod provenance;
pub mod registration;
pub mod risk_of_bias;
pub mod search_log;
pub mod time;
pub mod translation;
mod validate;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::BriefConfig;
use crate::diagnostic::{Problem, Problems, SourceFile};
use bibliography::{BibFile, Bibliography, Shelf};
use model::Study;

/// Data files (brief.toml, study files, bibliographies, inbox files) larger than this are
/// refused before parsing (a curated study is a few KiB).
pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A project whose files parsed and validated.
#[derive(Debug, Clone)]
pub struct Project {
    /// Folder holding `brief.toml`.
    pub root: PathBuf,
    /// The brief's settings.
    pub config: BriefConfig,
    /// `brief.toml` as read, for warnings that point into it.
    pub brief_file: SourceFile,
    /// Studies sorted by id, each with its file.
    pub studies: Vec<LoadedStudy>,
    /// Curated references and inbox records, as checked and as passed to Typst.
    pub bibliography: Bibliography,
    /// Translations of curated texts (`notes-zh` beside `notes`), from every file.
    pub translations: translation::ProseTranslations,
    /// The runs of the saved searches, oldest first (`data/search-log.csv`).
    pub search_log: Vec<search_log::SearchRun>,
    /// Records excluded at screening (`data/excluded/`), in file order.
    pub excluded: Vec<excluded::ExcludedRecord>,
}

impl Project {
    /// Curated texts without a Chinese translation, in file order: the translations
    /// `brief.toml` lacks, then its [`BRIEF_LISTED_KEYS`], then every study file by path
    /// (`evbrief check --lang zh`, a translator's to-do list). Each file is parsed again
    /// here rather than at load, which needs only the companions.
    pub fn untranslated(&self) -> Vec<translation::Untranslated> {
        let mut ignored = Vec::new();
        let mut list: Vec<translation::Untranslated> = self
            .config
            .missing_zh_translations()
            .into_iter()
            .map(|(span, message)| translation::Untranslated {
                at: Problem::new(&self.brief_file, span, message),
                key: "translations.zh".into(),
            })
            .collect();
        list.extend(
            translation::split_companions(&self.brief_file, Some(&BRIEF_LISTED_KEYS), &mut ignored)
                .untranslated,
        );
        let mut files: Vec<&SourceFile> = self.studies.iter().map(|s| &s.file).collect();
        files.sort_by(|a, b| Path::new(&a.name).cmp(Path::new(&b.name)));
        for file in files {
            list.extend(translation::split_companions(file, None, &mut ignored).untranslated);
        }
        list
    }

    /// This project as an edition in another language prints it: every study's curated
    /// texts put into that language by `localiser` (the configuration has its own
    /// [`BriefConfig::localised`]).
    pub fn localised(&self, localiser: &localise::Localiser) -> Project {
        let mut project = self.clone();
        for s in &mut project.studies {
            s.study = localiser.study(&s.study);
        }
        project
    }
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
    load_project_with(root, &LoadOptions::default())
}

/// What to load beyond the project's own files: used to check a drafted study as if it
/// had already joined the brief (`evbrief new-study`).
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// A study file outside `data/studies/` to load as one more study.
    pub extra_study: Option<PathBuf>,
    /// An inbox key to treat as a curated reference.
    pub curate: Option<String>,
}

/// [`load_project`] with extra files (see [`LoadOptions`]).
pub fn load_project_with(root: &Path, options: &LoadOptions) -> Result<Project, LoadError> {
    let brief_path = root.join("brief.toml");
    if !brief_path.is_file() {
        return Err(LoadError::NotAProject(root.to_path_buf()));
    }
    let mut problems = Vec::new();
    let brief_file = read_source(root, &brief_path, &mut problems);
    let mut translations = translation::ProseTranslations::default();
    let config = brief_file.as_ref().and_then(|f| {
        let companions = translation::take_companions(f, &mut problems);
        translations.extend(companions.translations);
        parse_toml_text::<BriefConfig>(f, companions.stripped.as_deref(), &mut problems)
    });

    let mut studies = Vec::new();
    let studies_dir = root.join("data").join("studies");
    match fs::read_dir(&studies_dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            paths.extend(options.extra_study.iter().cloned());
            for parsed in parse_study_files(root, &paths) {
                problems.extend(parsed.problems);
                translations.extend(parsed.translations);
                studies.extend(parsed.study);
            }
        }
        Err(e) => problems.push(whole_file(
            root,
            &studies_dir,
            format!("cannot read folder ({e})"),
        )),
    }

    let mut bibliography = load_bibliography(root, &mut problems);
    let search_log = search_log::load_search_log(root, &mut problems);
    let excluded = excluded::load_excluded(root, &mut problems);
    if let Some(key) = &options.curate {
        bibliography.curate(key);
    }

    if let (Some(config), Some(brief_file)) = (&config, &brief_file) {
        bibliography.style = validate::validate(
            config,
            brief_file,
            &studies,
            &bibliography,
            root,
            &mut problems,
        )
        .map(std::sync::Arc::new);
    }
    match (config, brief_file) {
        (Some(config), Some(brief_file)) if problems.is_empty() => {
            studies.sort_by(|a, b| a.study.id.get_ref().cmp(b.study.id.get_ref()));
            Ok(Project {
                root: root.to_path_buf(),
                config,
                brief_file,
                studies,
                bibliography,
                translations,
                search_log,
                excluded,
            })
        }
        _ => Err(Problems(problems).into()),
    }
}

/// The top-level keys of `brief.toml` whose curated texts need a companion translation;
/// its other texts are translated in `[translations.zh]`.
pub const BRIEF_LISTED_KEYS: [&str; 2] = ["summary-of-findings", "screening"];

/// Names of the curated bibliography files, in the order they are read.
pub const CURATED_BIBLIOGRAPHIES: [&str; 2] = ["data/references.bib", "data/references.yaml"];

/// The folder of imported records awaiting assessment.
pub const INBOX_DIR: &str = "data/inbox";

/// Reads the curated bibliography (one or both of [`CURATED_BIBLIOGRAPHIES`]) and the
/// inbox, checking each file as Typst will read it.
pub fn load_bibliography(root: &Path, problems: &mut Vec<Problem>) -> Bibliography {
    let mut files = Vec::new();
    let mut incomplete = false;
    let mut read = |path: PathBuf, shelf: Shelf, problems: &mut Vec<Problem>| {
        if let Some(file) = read_source(root, &path, problems)
            && let Some(library) = bibliography::parse_bib_file(&file, problems)
        {
            files.push(BibFile {
                file,
                shelf,
                library,
            });
        } else {
            incomplete = true;
        }
    };
    let curated: Vec<PathBuf> = CURATED_BIBLIOGRAPHIES
        .iter()
        .map(|name| root.join(name))
        .filter(|p| p.is_file())
        .collect();
    let no_curated = curated.is_empty();
    if no_curated {
        problems.push(whole_file(
            root,
            &root.join(CURATED_BIBLIOGRAPHIES[0]),
            "no bibliography: add data/references.bib (BibTeX) or data/references.yaml (hayagriva)"
                .into(),
        ));
    }
    for path in curated {
        read(path, Shelf::Curated, problems);
    }
    for path in inbox_files(root, problems) {
        read(path, Shelf::Inbox, problems);
    }
    bibliography::check_unique_keys(&files, problems);
    Bibliography {
        files,
        incomplete: incomplete || no_curated,
        style: None,
    }
}

/// The `.bib` files in the inbox, sorted by name (none when there is no inbox folder).
pub fn inbox_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    bib_files_in(root, INBOX_DIR, problems)
}

/// The `.bib` files of the folder `dir` of the project (the inbox, the excluded shelf),
/// sorted by name; none when there is no such folder, a problem when it cannot be read.
pub(crate) fn bib_files_in(root: &Path, dir: &str, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let dir = root.join(dir);
    if !dir.exists() {
        return Vec::new();
    }
    match fs::read_dir(&dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "bib"))
                .collect();
            paths.sort();
            paths
        }
        Err(e) => {
            problems.push(whole_file(root, &dir, format!("cannot read folder ({e})")));
            Vec::new()
        }
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

/// One study file read and parsed: the study when it parsed, its problems, and the
/// translations its `-zh` companions hold.
struct ParsedStudyFile {
    study: Option<LoadedStudy>,
    problems: Vec<Problem>,
    translations: translation::ProseTranslations,
}

/// Below this many study files they are parsed on one thread: a thread costs more than it
/// saves.
const PARALLEL_PARSE_FROM: usize = 64;

/// Reads and parses the study files at `paths`, in that order. Each file is read, freed of
/// its companions and parsed on its own, so large projects spread the files over the
/// available cores in contiguous slices (1000 studies on two cores: loading 380 → 290 ms,
/// the rest being validation and the bibliography); the results
/// come back in `paths` order, so problems and the first translation of a text are the
/// same as on one thread.
fn parse_study_files(root: &Path, paths: &[PathBuf]) -> Vec<ParsedStudyFile> {
    let parse_one = |path: &PathBuf| {
        let mut problems = Vec::new();
        let mut translations = translation::ProseTranslations::default();
        let study = read_source(root, path, &mut problems).and_then(|file| {
            let companions = translation::take_companions(&file, &mut problems);
            translations = companions.translations;
            parse_toml_text::<Study>(&file, companions.stripped.as_deref(), &mut problems)
                .map(|study| LoadedStudy { file, study })
        });
        ParsedStudyFile {
            study,
            problems,
            translations,
        }
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || paths.len() < PARALLEL_PARSE_FROM {
        return paths.iter().map(parse_one).collect();
    }
    let slice = paths.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(slice)
            .map(|chunk| scope.spawn(move || chunk.iter().map(parse_one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| match w.join() {
                Ok(parsed) => parsed,
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

fn read_source(root: &Path, path: &Path, problems: &mut Vec<Problem>) -> Option<SourceFile> {
    read_text_file(path, display_name(root, path), MAX_FILE_BYTES, problems)
}

/// Reads a UTF-8 text file of at most `limit` bytes, shown to the user as `name`; a file
/// too large, unreadable or not UTF-8 is a problem (at the first invalid byte for UTF-8).
pub fn read_text_file(
    path: &Path,
    name: String,
    limit: u64,
    problems: &mut Vec<Problem>,
) -> Option<SourceFile> {
    let fail = |message: String, problems: &mut Vec<Problem>| {
        let file = SourceFile {
            name: name.clone(),
            text: Arc::from(""),
        };
        problems.push(Problem::new(&file, 0..0, message));
        None
    };
    match fs::metadata(path) {
        Ok(meta) if meta.len() > limit => {
            return fail(
                format!("file is {} bytes; the limit is {limit}", meta.len()),
                problems,
            );
        }
        Ok(_) => {}
        Err(e) => return fail(format!("cannot read file ({e})"), problems),
    }
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(SourceFile {
                name,
                text: Arc::from(text),
            }),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let valid = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
                let file = SourceFile {
                    name,
                    text: Arc::from(valid),
                };
                problems.push(Problem::new(&file, at..at, "file is not valid UTF-8"));
                None
            }
        },
        Err(e) => fail(format!("cannot read file ({e})"), problems),
    }
}

/// Parses `text` when given (the file with its translation companions blanked out: same
/// length, same lines), else the file's own text; problems point into `file` either way.
fn parse_toml_text<T: serde::de::DeserializeOwned>(
    file: &SourceFile,
    text: Option<&str>,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match toml::from_str::<T>(text.unwrap_or(&file.text)) {
        Ok(v) => Some(v),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = plain_type_names(&e.message().trim().replace('\n', " "));
            problems.push(Problem::new(file, span, message));
            None
        }
    }
}

/// Rust number types as serde's "invalid type" messages name them ("expected i64").
const INTEGER_TYPES: [&str; 10] = [
    "i8", "i16", "i32", "i64", "isize", "u8", "u16", "u32", "u64", "usize",
];

/// Rewrites serde's `expected i64`, `expected f64` (and the other number types) as words
/// a curator knows.
fn plain_type_names(message: &str) -> String {
    let mut out = message.replace("expected f64", "expected a number");
    out = out.replace("expected f32", "expected a number");
    for ty in INTEGER_TYPES {
        let rust = format!("expected {ty}");
        // Only whole words: `expected i64` but not a longer name that starts the same.
        let mut rest = out.as_str();
        let mut rewritten = String::with_capacity(out.len());
        while let Some(at) = rest.find(&rust) {
            let end = at + rust.len();
            let whole = !rest[end..].starts_with(|c: char| c.is_ascii_alphanumeric());
            rewritten.push_str(&rest[..at]);
            rewritten.push_str(if whole {
                "expected a whole number"
            } else {
                &rust
            });
            rest = &rest[end..];
        }
        rewritten.push_str(rest);
        out = rewritten;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_name_numbers_in_words() {
        assert_eq!(
            plain_type_names(r#"invalid type: string "33", expected i64"#),
            r#"invalid type: string "33", expected a whole number"#
        );
        assert_eq!(
            plain_type_names(r#"invalid type: string "NaN", expected f64"#),
            r#"invalid type: string "NaN", expected a number"#
        );
        assert_eq!(plain_type_names("unclosed table"), "unclosed table");
    }

    #[test]
    fn a_study_with_non_finite_numbers_is_refused_at_each_value() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/minimal");
        fs::create_dir_all(root.join("data/studies")).unwrap();
        fs::copy(minimal.join("brief.toml"), root.join("brief.toml")).unwrap();
        fs::copy(
            minimal.join("data/references.bib"),
            root.join("data/references.bib"),
        )
        .unwrap();
        let study = fs::read_to_string(minimal.join("data/studies/smith-trial.toml")).unwrap();
        // `nan` for a percentage, also where the arm size is unknown (no events/n check).
        let study = study
            .replacen("percent = 60.60", "percent = nan", 1)
            .replacen("percent = 28.10", "n-unknown = true\npercent = -inf", 1);
        fs::write(root.join("data/studies/smith-trial.toml"), study).unwrap();
        let Err(LoadError::Invalid(problems)) = load_project(root) else {
            panic!("non-finite percentages must be refused");
        };
        let lines: Vec<String> = problems.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "data/studies/smith-trial.toml:31:11: percentage must be a finite number, found nan",
                "data/studies/smith-trial.toml:39:11: percentage must be a finite number, found -inf",
            ]
        );
    }
}
