//! `evbrief import-data`: an extraction sheet (CSV or `.xlsx`, one row per reported value)
//! into study files and `brief.toml` outcomes.
//!
//! [`read`] turns the file into text cells with their places, [`rows`] checks them and
//! groups them into studies, arms and values, and [`write`] plans the new file texts;
//! only when every row is right are the files written, each atomically. Every problem is
//! reported at once as `SHEET:row:column: message`.

pub mod read;
pub mod rows;
pub mod write;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rows::{Extraction, Kind, Known};

/// What `import-data` is asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Plan and report only; write nothing.
    pub dry_run: bool,
    /// Let sheet values replace differing values of existing study files.
    pub update: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// One line per file changed or left as it was.
    pub summary: Vec<String>,
    /// The files written (none in a dry run).
    pub written: Vec<PathBuf>,
    /// Studies and values the sheet holds.
    pub studies: usize,
    /// Rows read.
    pub rows: usize,
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The folder holds no `brief.toml`.
    #[error("{} is not a brief project (no brief.toml); create one with `evbrief init DIR`", .0.display())]
    NotAProject(PathBuf),
    /// The sheet cannot be read at all.
    #[error(transparent)]
    Read(#[from] read::ReadError),
    /// Problems at cells of the sheet, each `SHEET:row:column: message`.
    #[error("{} problem{} in the sheet", .0.len(), if .0.len() == 1 { "" } else { "s" })]
    Problems(Vec<String>),
    /// A planned file could not be written (files before it were).
    #[error("cannot write {} ({source})", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Imports the sheet at `file` (named `shown` in problems) into the project at `root`.
pub fn import_data(
    root: &Path,
    file: &Path,
    shown: &str,
    options: ImportOptions,
) -> Result<ImportReport, ImportError> {
    if !root.join("brief.toml").is_file() {
        return Err(ImportError::NotAProject(root.to_path_buf()));
    }
    let sheet = read::read_sheet(file, shown)?;
    let project = known(root);
    let extraction = rows::extract(&sheet, &project).map_err(ImportError::Problems)?;
    let plan = write::plan(root, &extraction, options.update).map_err(|problems| {
        let mut problems = problems;
        problems.sort_by_key(|(at, _)| (at.row, at.col));
        ImportError::Problems(
            problems
                .into_iter()
                .map(|(at, m)| format!("{}:{}:{}: {m}", sheet.name, at.row, at.col))
                .collect(),
        )
    })?;
    let mut report = ImportReport {
        summary: plan.summary,
        written: Vec::new(),
        studies: extraction.studies.len(),
        rows: sheet.rows.len(),
    };
    if options.dry_run {
        return Ok(report);
    }
    for (path, text) in plan.writes {
        crate::store::write_atomically(&path, text.as_bytes()).map_err(|source| {
            ImportError::Write {
                path: path.clone(),
                source,
            }
        })?;
        report.written.push(path);
    }
    Ok(report)
}

/// What the project has: study ids, bibliography keys and outcomes with their kind.
fn known(root: &Path) -> Known {
    let studies = std::fs::read_dir(root.join("data/studies"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".toml").map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    let mut problems = Vec::new();
    let bibliography = crate::data::load_bibliography(root, &mut problems);
    let references = problems.is_empty().then(|| {
        bibliography
            .keys(crate::data::bibliography::Shelf::Curated)
            .into_iter()
            .collect::<BTreeSet<String>>()
    });
    let outcomes = std::fs::read_to_string(root.join("brief.toml"))
        .ok()
        .and_then(|text| text.parse::<toml::Table>().ok())
        .and_then(|t| t.get("outcomes").and_then(|o| o.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|o| {
            let id = o.get("id")?.as_str()?.to_owned();
            let kind = match o.get("kind")?.as_str()? {
                "binary" => Kind::Binary,
                "continuous" => Kind::Continuous,
                _ => return None,
            };
            Some((id, kind))
        })
        .collect();
    Known {
        studies,
        references,
        outcomes,
    }
}

/// The extraction a sheet holds, for tests and tools: read and checked, nothing planned.
pub fn read_extraction(file: &Path, shown: &str, known: &Known) -> Result<Extraction, ImportError> {
    let sheet = read::read_sheet(file, shown)?;
    rows::extract(&sheet, known).map_err(ImportError::Problems)
}
