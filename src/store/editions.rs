//! Dated editions of a living brief: `output/editions/YYYY-MM-DD[-N]/` with the PDF and
//! its machine-readable results (`analysis.json`).
//!
//! An edition is written into a hidden `.partial-*` folder and renamed into place, so a
//! build killed midway leaves either no new edition or a complete one; the lock holder
//! sweeps partial folders later. Editions are never overwritten or deleted: a second
//! edition on one day is `-2`, then `-3` …

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::analysis::record::EditionRecord;

/// The folder of editions inside the output folder.
pub const EDITIONS_DIR: &str = "editions";
/// The PDF of an edition.
pub const PDF_FILE: &str = "brief.pdf";
/// The machine-readable results of an edition.
pub const RECORD_FILE: &str = "analysis.json";
/// Prefix of folders being written (swept when their writer died).
pub const PARTIAL_PREFIX: &str = ".partial-";

/// An edition's name: its date and its number that day (1 is written without a suffix).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct EditionName {
    /// The day it was made.
    pub date: NaiveDate,
    /// 1 for the day's first edition, then 2, 3 …
    pub number: u32,
}

impl EditionName {
    /// Parses "2026-11-23" or "2026-11-23-2"; anything else (including "-1") is `None`.
    pub fn parse(name: &str) -> Option<Self> {
        let (date, number) = match name.get(10..) {
            Some("") => (name, 1),
            Some(rest) => {
                let n: u32 = rest.strip_prefix('-')?.parse().ok()?;
                if n < 2 || rest.starts_with("-0") {
                    return None;
                }
                (&name[..10], n)
            }
            None => return None,
        };
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        (date.format("%Y-%m-%d").to_string() == name[..10]).then_some(EditionName { date, number })
    }
}

impl fmt::Display for EditionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.date.format("%Y-%m-%d"))?;
        if self.number > 1 {
            write!(f, "-{}", self.number)?;
        }
        Ok(())
    }
}

/// One edition on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edition {
    /// Its name.
    pub name: EditionName,
    /// Its folder.
    pub dir: PathBuf,
}

impl Edition {
    /// The edition's PDF.
    pub fn pdf(&self) -> PathBuf {
        self.dir.join(PDF_FILE)
    }
}

/// Why an edition's record could not be used.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The file could not be read.
    #[error("cannot read {path} ({source})")]
    Read {
        /// The record file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file is not a record this evbrief understands.
    #[error("{path} is not a valid edition record ({message})")]
    Invalid {
        /// The record file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// The newest usable edition, and the newer ones that had to be passed over.
#[derive(Debug)]
pub struct Latest {
    /// The edition and its record.
    pub edition: Option<(Edition, EditionRecord)>,
    /// Newer editions whose record could not be read, with why.
    pub skipped: Vec<RecordError>,
}

/// The editions folder of one output folder.
#[derive(Debug, Clone)]
pub struct Editions {
    dir: PathBuf,
}

impl Editions {
    /// The editions kept in `output_dir/editions/`.
    pub fn in_output(output_dir: &Path) -> Self {
        Editions {
            dir: output_dir.join(EDITIONS_DIR),
        }
    }

    /// The editions folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every edition, oldest first; folders with other names are ignored.
    pub fn list(&self) -> io::Result<Vec<Edition>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut editions = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Some(name) = entry.file_name().to_str().and_then(EditionName::parse) else {
                continue;
            };
            if entry.file_type()?.is_dir() {
                editions.push(Edition {
                    name,
                    dir: entry.path(),
                });
            }
        }
        editions.sort_by_key(|e| e.name);
        Ok(editions)
    }

    /// The record of `edition`.
    pub fn record(&self, edition: &Edition) -> Result<EditionRecord, RecordError> {
        let path = edition.dir.join(RECORD_FILE);
        let text = fs::read_to_string(&path).map_err(|source| RecordError::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| RecordError::Invalid {
            path,
            message: e.to_string(),
        })
    }

    /// The readable records of the editions made before `name`, oldest first (a living
    /// brief shows how its estimates moved across them); unreadable ones are passed over.
    pub fn records_before(&self, name: EditionName) -> Vec<EditionRecord> {
        self.list()
            .unwrap_or_default()
            .iter()
            .filter(|e| e.name < name)
            .filter_map(|e| self.record(e).ok())
            .collect()
    }

    /// The edition called `name`, if it exists.
    pub fn find(&self, name: &str) -> io::Result<Option<Edition>> {
        Ok(self
            .list()?
            .into_iter()
            .find(|e| e.name.to_string() == name))
    }

    /// The newest edition with a readable record.
    pub fn latest(&self) -> io::Result<Latest> {
        let mut skipped = Vec::new();
        for edition in self.list()?.into_iter().rev() {
            match self.record(&edition) {
                Ok(record) => {
                    return Ok(Latest {
                        edition: Some((edition, record)),
                        skipped,
                    });
                }
                Err(e) => skipped.push(e),
            }
        }
        Ok(Latest {
            edition: None,
            skipped,
        })
    }

    /// The name the next edition made on `today` gets. It always sorts after every
    /// existing edition, so a clock set back cannot put a new edition before an old one.
    pub fn next_name(&self, today: NaiveDate) -> io::Result<EditionName> {
        let newest = self.list()?.last().map(|e| e.name);
        Ok(match newest {
            Some(n) if n.date >= today => EditionName {
                date: n.date,
                number: n.number + 1,
            },
            _ => EditionName {
                date: today,
                number: 1,
            },
        })
    }

    /// Writes a new edition called `name` (or the next free number that day, should the
    /// name be taken) with its PDF and record, and returns it. The files are synced and
    /// the folder appears complete or not at all.
    pub fn write(&self, name: EditionName, pdf: &[u8], record: &[u8]) -> io::Result<Edition> {
        fs::create_dir_all(&self.dir)?;
        let partial = self
            .dir
            .join(format!("{PARTIAL_PREFIX}{}-{}", std::process::id(), name));
        let result = (|| {
            fs::create_dir(&partial)?;
            write_synced(&partial.join(PDF_FILE), pdf)?;
            write_synced(&partial.join(RECORD_FILE), record)?;
            let mut name = name;
            loop {
                let target = self.dir.join(name.to_string());
                if !target.exists() {
                    match fs::rename(&partial, &target) {
                        Ok(()) => {
                            sync_dir(&self.dir);
                            return Ok(Edition { name, dir: target });
                        }
                        // Taken between the check and the rename: try the next number.
                        Err(_) if target.exists() => {}
                        Err(e) => return Err(e),
                    }
                }
                name.number += 1;
            }
        })();
        if result.is_err() {
            let _ = fs::remove_dir_all(&partial);
        }
        result
    }
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes a rename in `dir` durable; best effort (not every platform can sync a folder).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: &str) -> NaiveDate {
        NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn names_parse_and_print() {
        let n = EditionName::parse("2026-11-23").unwrap();
        assert_eq!((n.date, n.number), (day("2026-11-23"), 1));
        assert_eq!(n.to_string(), "2026-11-23");
        let n = EditionName::parse("2026-11-23-12").unwrap();
        assert_eq!(n.number, 12);
        assert_eq!(n.to_string(), "2026-11-23-12");
        for bad in [
            "2026-11-23-1",
            "2026-11-23-02",
            "2026-11-23-",
            "2026-11-23x",
            "2026-13-01",
            "2026-1-01",
            ".partial-1-2026-11-23",
            "latest",
            "",
        ] {
            assert_eq!(EditionName::parse(bad), None, "{bad}");
        }
        assert!(
            EditionName::parse("2026-11-23-2").unwrap()
                < EditionName::parse("2026-11-23-10").unwrap()
        );
        assert!(
            EditionName::parse("2026-11-23-10").unwrap()
                < EditionName::parse("2026-11-24").unwrap()
        );
    }

    #[test]
    fn editions_are_numbered_within_a_day_and_never_overwritten() {
        let out = tempfile::tempdir().unwrap();
        let editions = Editions::in_output(out.path());
        assert!(editions.list().unwrap().is_empty());
        let first = editions.next_name(day("2026-11-23")).unwrap();
        assert_eq!(first.to_string(), "2026-11-23");
        let a = editions.write(first, b"pdf one", b"{}").unwrap();
        let second = editions.next_name(day("2026-11-23")).unwrap();
        assert_eq!(second.to_string(), "2026-11-23-2");
        // Writing under a taken name moves on to the next number instead of replacing.
        let b = editions.write(first, b"pdf two", b"{}").unwrap();
        assert_eq!(b.name.to_string(), "2026-11-23-2");
        assert_eq!(fs::read(a.pdf()).unwrap(), b"pdf one");
        assert_eq!(fs::read(b.pdf()).unwrap(), b"pdf two");
        // A clock set back still sorts the next edition last.
        assert_eq!(
            editions.next_name(day("2026-11-01")).unwrap().to_string(),
            "2026-11-23-3"
        );
        assert_eq!(
            editions.next_name(day("2026-11-24")).unwrap().to_string(),
            "2026-11-24"
        );
        let names: Vec<_> = fs::read_dir(editions.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "no partial folder left: {names:?}");
    }

    #[test]
    fn latest_passes_over_an_unreadable_record() {
        let out = tempfile::tempdir().unwrap();
        let editions = Editions::in_output(out.path());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).unwrap();
        let record = crate::analysis::record::edition_record(
            &project,
            &crate::analysis::analyse(&project),
            crate::analysis::record::EditionStamp {
                edition: "2026-11-20".into(),
                date: "2026-11-20".into(),
                previous_edition: None,
                inputs: Default::default(),
            },
        );
        let json = serde_json::to_vec(&record).unwrap();
        editions
            .write(EditionName::parse("2026-11-20").unwrap(), b"%PDF", &json)
            .unwrap();
        editions
            .write(
                EditionName::parse("2026-11-21").unwrap(),
                b"%PDF",
                b"{ not json",
            )
            .unwrap();
        fs::create_dir_all(editions.dir().join(".partial-7-2026-11-22")).unwrap();
        let latest = editions.latest().unwrap();
        let (edition, read) = latest.edition.unwrap();
        assert_eq!(edition.name.to_string(), "2026-11-20");
        assert_eq!(read, record);
        assert_eq!(latest.skipped.len(), 1);
        assert!(
            latest.skipped[0]
                .to_string()
                .contains("2026-11-21/analysis.json is not a valid edition record")
        );
    }
}
