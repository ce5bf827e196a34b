//! One build: load → validate → view model → Typst → PDF, written atomically.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::data::{LoadError, Project, load_project};
use crate::report::{RenderError, render};

/// What a build needs to know; filled by the CLI or a test, never from globals.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The project folder (holds `brief.toml`).
    pub project: PathBuf,
    /// Where the PDF goes; default `<project>/output/brief.pdf`.
    pub output: PathBuf,
    /// `SOURCE_DATE_EPOCH`, which overrides the as-of date as PDF timestamp.
    pub source_date_epoch: Option<i64>,
}

impl BuildConfig {
    /// The default build of the project at `project`.
    pub fn new(project: impl Into<PathBuf>) -> Self {
        let project = project.into();
        let output = project.join("output").join("brief.pdf");
        BuildConfig {
            project,
            output,
            source_date_epoch: None,
        }
    }
}

/// Why a build failed; `is_user_error` tells bad data from internal faults.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The project's files are invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The PDF could not be written.
    #[error("cannot write {path} ({source})")]
    Write {
        /// Target file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl BuildError {
    /// True for problems the user can fix in data or templates (exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            BuildError::Load(_)
                | BuildError::Render(RenderError::Template(_) | RenderError::Timestamp)
        )
    }
}

/// Time spent in each phase of a build.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Reading, parsing and validating the data.
    pub load: Duration,
    /// Typst compilation and PDF export.
    pub render: Duration,
    /// Writing the file.
    pub write: Duration,
}

/// The result of a successful build.
#[derive(Debug)]
pub struct BuildReport {
    /// Where the PDF was written.
    pub output: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// Number of studies in the brief.
    pub studies: usize,
    /// Template warnings.
    pub warnings: String,
    /// Time per phase.
    pub timings: Timings,
}

/// Loads and validates the project without rendering (`evbrief check`).
pub fn check(config: &BuildConfig) -> Result<Project, BuildError> {
    Ok(load_project(&config.project)?)
}

/// Builds the brief; on any failure the previous output file is left untouched.
pub fn build(config: &BuildConfig) -> Result<BuildReport, BuildError> {
    let t0 = Instant::now();
    let project = load_project(&config.project)?;
    let t1 = Instant::now();
    let rendered = render(&project, config.source_date_epoch)?;
    let t2 = Instant::now();
    write_atomically(&config.output, &rendered.pdf).map_err(|source| BuildError::Write {
        path: config.output.clone(),
        source,
    })?;
    let t3 = Instant::now();
    Ok(BuildReport {
        output: config.output.clone(),
        bytes: rendered.pdf.len(),
        studies: project.studies.len(),
        warnings: rendered.warnings,
        timings: Timings {
            load: t1 - t0,
            render: t2 - t1,
            write: t3 - t2,
        },
    })
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`,
/// so readers see either the old file or the complete new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/brief.pdf");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }
}
