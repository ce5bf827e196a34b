//! The excluded shelf, `data/excluded/*.bib`: records taken out of the inbox by
//! `evbrief exclude`, each file opening with who decided what:
//!
//! ```text
//! % Excluded: 2026-12-04
//! % Stage: full-text
//! % Reason: Not umbilical-cord-derived cells
//! % Imported by evbrief on 2026-11-23 from export.ris, line 7; awaiting assessment.
//! @article{wang2024, …}
//! ```
//!
//! The shelf is remembered, not cited: an excluded record never reaches the bibliography,
//! but a later import or search that finds it again skips it as known, full-text
//! exclusions are listed in the brief with their reasons, and every exclusion counts in the
//! PRISMA flow diagram.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::provenance::{Origin, comments_by_key};
use crate::diagnostic::{Problem, SourceFile};

/// The folder of excluded records.
pub const EXCLUDED_DIR: &str = "data/excluded";

/// When in screening a record was excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// On its title and abstract (PRISMA: "records excluded").
    TitleAbstract,
    /// After reading the full text (PRISMA: "reports excluded", with reasons).
    FullText,
}

impl Stage {
    /// Every stage, in screening order.
    pub const ALL: [Stage; 2] = [Stage::TitleAbstract, Stage::FullText];

    /// The name on the command line and in the file (`title-abstract`, `full-text`).
    pub fn name(self) -> &'static str {
        match self {
            Stage::TitleAbstract => "title-abstract",
            Stage::FullText => "full-text",
        }
    }

    /// The stage named `name`.
    pub fn parse(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One excluded record.
#[derive(Debug, Clone)]
pub struct ExcludedRecord {
    /// Its citation key.
    pub key: String,
    /// The file it is in (`data/excluded/wang2024.bib`).
    pub file: String,
    /// The entry as read.
    pub entry: hayagriva::Entry,
    /// The day it was excluded.
    pub date: NaiveDate,
    /// At which stage.
    pub stage: Stage,
    /// Why, in the curator's words.
    pub reason: String,
    /// How it had reached the inbox.
    pub origin: Origin,
}

/// The header lines [`parse_excluded_file`] expects, as `evbrief exclude` writes them
/// (each with its line break).
pub fn header_lines(date: NaiveDate, stage: Stage, reason: &str) -> String {
    let reason = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "% Excluded: {}\n% Stage: {}\n% Reason: {reason}\n",
        date.format("%Y-%m-%d"),
        stage.name()
    )
}

/// The value of a `% NAME: value` line among `lines`, with the byte offset of the value.
fn field<'a>(text: &'a str, name: &str) -> Option<(usize, &'a str)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = body.strip_prefix('%')
            && let Some(value) = rest.trim_start().strip_prefix(name)
            && let Some(value) = value.strip_prefix(':')
        {
            let start = offset + (body.len() - value.len());
            let lead = value.len() - value.trim_start().len();
            return Some((start + lead, value.trim()));
        }
        offset += line.len();
    }
    None
}

/// Reads one excluded file: its entries, each with the file's date, stage and reason.
/// A missing or malformed header line is a problem at its place.
pub fn parse_excluded_file(file: &SourceFile, problems: &mut Vec<Problem>) -> Vec<ExcludedRecord> {
    let before = problems.len();
    let Some(library) = super::bibliography::parse_bib_file(file, problems) else {
        return Vec::new();
    };
    let missing = |name: &str, example: &str| {
        format!("an excluded record needs a `% {name}: …` line above its entry ({example})")
    };
    let date = match field(&file.text, "Excluded") {
        None => {
            problems.push(Problem::new(
                file,
                0..0,
                missing("Excluded", "% Excluded: 2026-12-04"),
            ));
            None
        }
        Some((at, v)) => {
            let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").ok();
            if d.is_none() {
                problems.push(Problem::new(
                    file,
                    at..at + v.len(),
                    format!("the date of exclusion must be written YYYY-MM-DD, found `{v}`"),
                ));
            }
            d
        }
    };
    let stage = match field(&file.text, "Stage") {
        None => {
            problems.push(Problem::new(
                file,
                0..0,
                missing("Stage", "% Stage: full-text"),
            ));
            None
        }
        Some((at, v)) => {
            let s = Stage::parse(v);
            if s.is_none() {
                problems.push(Problem::new(
                    file,
                    at..at + v.len(),
                    format!("unknown stage `{v}` (use title-abstract or full-text)"),
                ));
            }
            s
        }
    };
    let reason = match field(&file.text, "Reason") {
        Some((_, v)) if !v.is_empty() => Some(v.to_owned()),
        Some((at, _)) => {
            problems.push(Problem::new(
                file,
                at..at,
                "the reason for exclusion is empty",
            ));
            None
        }
        None => {
            problems.push(Problem::new(
                file,
                0..0,
                missing("Reason", "% Reason: wrong population"),
            ));
            None
        }
    };
    let (Some(date), Some(stage), Some(reason)) = (date, stage, reason) else {
        return Vec::new();
    };
    if problems.len() > before {
        return Vec::new();
    }
    let comments = comments_by_key(&file.text);
    library
        .iter()
        .map(|entry| {
            let key = entry.key().to_owned();
            let origin = Origin::of(comments.get(&key).map_or(&[][..], Vec::as_slice));
            ExcludedRecord {
                key,
                file: file.name.clone(),
                entry: entry.clone(),
                date,
                stage,
                reason: reason.clone(),
                origin,
            }
        })
        .collect()
}

/// The `.bib` files of the excluded shelf, sorted by name (none without the folder).
pub fn excluded_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    super::bib_files_in(root, EXCLUDED_DIR, problems)
}

/// Reads the whole excluded shelf of the project at `root`, in file order.
pub fn load_excluded(root: &Path, problems: &mut Vec<Problem>) -> Vec<ExcludedRecord> {
    let mut out = Vec::new();
    for path in excluded_files(root, problems) {
        if let Some(file) = super::read_source(root, &path, problems) {
            out.extend(parse_excluded_file(&file, problems));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "data/excluded/wang2024.bib".into(),
            text: Arc::from(text),
        }
    }

    #[test]
    fn an_excluded_file_reads_back() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let text = format!(
            "{}% Search: weekly (pubmed), run 2026-12-01\n@article{{wang2024,\n  title = {{A trial}},\n  year = {{2024}},\n}}\n",
            header_lines(day, Stage::FullText, "  Wrong\n population ")
        );
        let mut problems = Vec::new();
        let records = parse_excluded_file(&file(&text), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(records.len(), 1);
        let r = &records[0];
        assert_eq!(
            (r.key.as_str(), r.stage, r.date),
            ("wang2024", Stage::FullText, day)
        );
        assert_eq!(r.reason, "Wrong population");
        assert_eq!(r.origin.search().unwrap().search, "weekly");
    }

    #[test]
    fn a_bad_header_is_reported_at_its_place() {
        let text = "% Excluded: 4 December\n% Stage: abstract\n@article{wang2024, title = {A}, year = {2024}}\n";
        let mut problems = Vec::new();
        assert!(parse_excluded_file(&file(text), &mut problems).is_empty());
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "data/excluded/wang2024.bib:1:13: the date of exclusion must be written YYYY-MM-DD, found `4 December`",
                "data/excluded/wang2024.bib:2:10: unknown stage `abstract` (use title-abstract or full-text)",
                "data/excluded/wang2024.bib:1:1: an excluded record needs a `% Reason: …` line above its entry (% Reason: wrong population)",
            ]
        );
    }
}
