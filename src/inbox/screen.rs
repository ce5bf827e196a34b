//! Screening the inbox: `evbrief screen` lists the records awaiting assessment, and
//! `evbrief exclude` moves records out of the inbox to the excluded shelf
//! (`data/excluded/`, see [`crate::data::excluded`]) with the reason, stage and date.
//! Including a record stays `evbrief new-study`.
//!
//! An exclusion is all or nothing: every key is checked before anything moves, and the
//! files written are taken back if a later write fails.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use super::{InboxError, Known};
use crate::config::screening::Screening;
use crate::data::bibliography::Shelf;
use crate::data::excluded::{EXCLUDED_DIR, ExcludedRecord, Stage, header_lines, load_excluded};
use crate::data::load_bibliography;
use crate::data::provenance::{Origin, comments_by_key};
use crate::diagnostic::Problems;
use crate::intake::RecordIdentity;
use crate::store::write_atomically;

/// One record awaiting assessment, as `evbrief screen` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScreenItem {
    /// Citation key.
    pub key: String,
    /// Year of publication.
    pub year: Option<i32>,
    /// Title ("(no title)" when it has none).
    pub title: String,
    /// Journal or other container.
    pub journal: Option<String>,
    /// How it reached the inbox.
    pub origin: Origin,
    /// The abstract, when the record has one.
    pub abstract_text: Option<String>,
    /// Its inbox file.
    pub file: String,
}

impl ScreenItem {
    /// Where the record came from, in a few words: `search NAME (SOURCE, run DATE)`,
    /// `import FILE`, or `added by hand`.
    pub fn origin_text(&self) -> String {
        match &self.origin {
            Origin::Search(s) => format!(
                "search {} ({}, run {})",
                s.search,
                s.source.display_name(),
                s.date.format("%Y-%m-%d")
            ),
            Origin::Import(file) => format!("import {file}"),
            Origin::Hand => "added by hand".into(),
        }
    }
}

/// The records in the project's inbox, in file order.
pub fn awaiting(root: &Path) -> Result<Vec<ScreenItem>, InboxError> {
    let mut problems = Vec::new();
    let bibliography = load_bibliography(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let mut items = Vec::new();
    for f in bibliography
        .files
        .iter()
        .filter(|f| f.shelf == Shelf::Inbox)
    {
        let comments = comments_by_key(&f.file.text);
        for entry in f.library.iter() {
            let key = entry.key().to_owned();
            let text = |s: &hayagriva::types::FormatString| s.value.to_string();
            items.push(ScreenItem {
                year: entry.date_any().map(|d| d.year),
                title: entry
                    .title()
                    .map(text)
                    .unwrap_or_else(|| "(no title)".into()),
                journal: entry
                    .parents()
                    .iter()
                    .find_map(|p| p.title().map(text))
                    .or_else(|| entry.organization().map(text)),
                origin: Origin::of(comments.get(&key).map_or(&[][..], Vec::as_slice)),
                abstract_text: entry.abstract_().map(text).filter(|a| !a.trim().is_empty()),
                file: f.file.name.clone(),
                key,
            });
        }
    }
    Ok(items)
}

/// Identities of the excluded records, for the import duplicate check: a record found
/// again is skipped as a duplicate of the excluded one, and the message says so.
pub(super) fn known_excluded(excluded: &[ExcludedRecord]) -> Vec<Known> {
    excluded
        .iter()
        .map(|r| Known {
            key: r.key.clone(),
            place: format!(
                "{} (excluded at {} screening on {}: {})",
                r.file,
                r.stage.name(),
                r.date.format("%Y-%m-%d"),
                r.reason
            ),
            identity: RecordIdentity::of_entry(&r.entry),
        })
        .collect()
}

/// What [`exclude`] did to one record.
#[derive(Debug, Clone, PartialEq)]
pub struct ExcludedDone {
    /// The record's key.
    pub key: String,
    /// Its new file under `data/excluded/`.
    pub file: PathBuf,
}

/// The screening settings of `brief.toml` (only `[screening]` is read, so an exclusion
/// works while other parts of the file are being edited).
fn screening_settings(root: &Path) -> Result<Screening, InboxError> {
    let path = root.join("brief.toml");
    let text = fs::read_to_string(&path)
        .map_err(|e| InboxError::Refused(format!("cannot read {} ({e})", path.display())))?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| {
        InboxError::Refused(format!(
            "brief.toml does not parse ({}); run `evbrief check`",
            e.message().trim()
        ))
    })?;
    match table.get("screening") {
        None => Ok(Screening::default()),
        Some(value) => {
            // Translations (`reasons-zh`) are the loader's business, not the settings'.
            let mut value = value.clone();
            if let Some(t) = value.as_table_mut() {
                t.retain(|k, _| !k.ends_with(crate::data::translation::ZH_SUFFIX));
            }
            value.try_into().map_err(|e: toml::de::Error| {
                InboxError::Refused(format!("brief.toml [screening]: {}", e.message().trim()))
            })
        }
    }
}

/// Moves the inbox records `keys` to `data/excluded/KEY.bib`, each headed by the date,
/// stage and reason (a reason from `[screening] reasons` when that list exists). Every
/// key is checked first: an unknown, curated or already excluded key refuses the whole
/// request and nothing moves.
pub fn exclude(
    root: &Path,
    keys: &[String],
    reason: &str,
    stage: Stage,
    today: NaiveDate,
) -> Result<Vec<ExcludedDone>, InboxError> {
    if keys.is_empty() {
        return Err(InboxError::Refused(
            "name at least one inbox record to exclude".into(),
        ));
    }
    if reason.trim().is_empty() {
        return Err(InboxError::Refused(
            "--reason must say why the records are excluded".into(),
        ));
    }
    let reason = screening_settings(root)?
        .pick(reason)
        .map_err(InboxError::Refused)?;
    let mut problems = Vec::new();
    let bibliography = load_bibliography(root, &mut problems);
    let excluded = load_excluded(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let mut refusals = Vec::new();
    let mut unknown = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for key in keys {
        if !seen.insert(key.as_str()) {
            continue;
        }
        if let Some(r) = excluded.iter().find(|r| &r.key == key) {
            refusals.push(format!("`{key}` is already excluded ({})", r.file));
        } else {
            match bibliography.entry(key) {
                Some((Shelf::Inbox, _)) => {}
                Some((Shelf::Curated, _)) => refusals.push(format!(
                    "`{key}` is a curated reference, not an inbox record"
                )),
                None => unknown.push(format!("`{key}`")),
            }
        }
    }
    if !unknown.is_empty() {
        let waiting = bibliography.keys(Shelf::Inbox);
        let list = if waiting.is_empty() {
            "the inbox is empty".to_owned()
        } else {
            format!("records awaiting assessment: {}", waiting.join(", "))
        };
        let noun = if unknown.len() == 1 {
            "record"
        } else {
            "records"
        };
        refusals.insert(
            0,
            format!("no inbox {noun} {} ({list})", unknown.join(", ")),
        );
    }
    if !refusals.is_empty() {
        refusals.push("nothing was moved".into());
        return Err(InboxError::Refused(refusals.join("; ")));
    }

    // Plan every write before doing any.
    let header = header_lines(today, stage, &reason);
    let mut new_files: Vec<(PathBuf, String)> = Vec::new();
    let mut by_file: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for key in seen {
        let f = bibliography
            .files
            .iter()
            .find(|f| f.shelf == Shelf::Inbox && f.library.get(key).is_some())
            .ok_or_else(|| InboxError::Refused(format!("no inbox record `{key}`")))?;
        by_file.entry(f.file.name.clone()).or_default().push(key);
    }
    let mut inbox_changes: Vec<(PathBuf, Option<String>)> = Vec::new();
    for (name, moving) in &by_file {
        let Some(f) = bibliography.files.iter().find(|f| &f.file.name == name) else {
            continue;
        };
        let text: &str = &f.file.text;
        let spans = entry_spans(text).map_err(|e| InboxError::Refused(format!("{name}: {e}")))?;
        let mut kept = text.to_owned();
        // Remove from the end, so earlier spans stay valid.
        let mut cut: Vec<(&str, std::ops::Range<usize>)> = spans
            .iter()
            .filter(|(k, _)| moving.contains(&k.as_str()))
            .map(|(k, r)| (k.as_str(), r.clone()))
            .collect();
        cut.sort_by_key(|(_, r)| std::cmp::Reverse(r.start));
        for (key, span) in &cut {
            let start = with_leading_comments(text, span.start);
            let moved = if spans.len() == moving.len() && spans.len() == 1 {
                text.trim().to_owned()
            } else {
                text[start..span.end].trim().to_owned()
            };
            new_files.push((
                root.join(EXCLUDED_DIR).join(format!("{key}.bib")),
                format!("{header}{moved}\n"),
            ));
            kept.replace_range(start..span.end, "");
        }
        let path = root.join(name);
        if spans.len() == cut.len() {
            inbox_changes.push((path, None));
        } else {
            inbox_changes.push((path, Some(kept)));
        }
    }
    for (path, _) in &new_files {
        if path.exists() {
            return Err(InboxError::Refused(format!(
                "{} already exists; nothing was moved",
                path.display()
            )));
        }
    }

    // Write the excluded files, then change the inbox; undo the new files on failure.
    let mut written: Vec<PathBuf> = Vec::new();
    let mut changed: Vec<&PathBuf> = Vec::new();
    let result = (|| {
        for (path, text) in &new_files {
            write_atomically(path, text.as_bytes()).map_err(|source| InboxError::Write {
                path: path.display().to_string(),
                source,
            })?;
            written.push(path.clone());
        }
        for (path, kept) in &inbox_changes {
            let done = match kept {
                Some(text) => write_atomically(path, text.as_bytes()),
                None => fs::remove_file(path),
            };
            done.map_err(|source| InboxError::Write {
                path: path.display().to_string(),
                source,
            })?;
            changed.push(path);
        }
        Ok(())
    })();
    if let Err(e) = result {
        // Put the inbox back as it was, then take the new files away.
        for path in changed {
            let original = bibliography
                .files
                .iter()
                .find(|f| root.join(&f.file.name) == *path);
            if let Some(f) = original {
                let _ = write_atomically(path, f.file.text.as_bytes());
            }
        }
        for path in &written {
            let _ = fs::remove_file(path);
        }
        return Err(e);
    }
    let mut done: Vec<ExcludedDone> = new_files
        .into_iter()
        .map(|(file, _)| ExcludedDone {
            key: file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default(),
            file,
        })
        .collect();
    done.sort_by(|a, b| {
        let at = |k: &str| keys.iter().position(|x| x == k);
        at(&a.key).cmp(&at(&b.key))
    });
    Ok(done)
}

/// Every entry of a BibTeX text with its byte range, closing brace included (biblatex's
/// entry span stops before it).
pub(super) fn entry_spans(text: &str) -> Result<Vec<(String, std::ops::Range<usize>)>, String> {
    let raw = biblatex::RawBibliography::parse(text).map_err(|e| e.kind.to_string())?;
    Ok(raw
        .entries
        .iter()
        .map(|e| {
            let rest = &text[e.span.end..];
            let gap = rest.len() - rest.trim_start().len();
            let end = match rest.trim_start().chars().next() {
                Some(c @ ('}' | ')')) => e.span.end + gap + c.len_utf8(),
                _ => e.span.end,
            };
            (e.v.key.v.to_owned(), e.span.start..end)
        })
        .collect())
}

/// The start of the `%` comment lines directly above the entry starting at `start` (the
/// record's provenance moves with it).
fn with_leading_comments(text: &str, start: usize) -> usize {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let mut at = line_start;
    while at > 0 {
        let prev_start = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
        if text[prev_start..at].trim_start().starts_with('%') {
            at = prev_start;
        } else {
            break;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("data/inbox")).unwrap();
        fs::write(dir.path().join("brief.toml"), "title = \"x\"\n").unwrap();
        fs::write(
            dir.path().join("data/references.bib"),
            "@article{smith2019, title = {Small trial}, year = {2019}}\n",
        )
        .unwrap();
        fs::write(
            dir.path().join("data/inbox/two.bib"),
            "% Imported by evbrief on 2026-11-23 from a.ris, line 1; awaiting assessment.\n% Search: weekly (pubmed), run 2026-11-23\n@article{wang2024,\n  title = {Stem cells in mice},\n  year = {2024},\n  journal = {Cells},\n  abstract = {We gave mice cells.},\n}\n\n% Imported by evbrief on 2026-11-23 from b.ris, line 9; awaiting assessment.\n@article{lee2025, title = {A trial}, year = {2025}}\n",
        )
        .unwrap();
        dir
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 4).unwrap()
    }

    #[test]
    fn the_list_shows_origin_journal_and_abstract() {
        let dir = project();
        let items = awaiting(dir.path()).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].key, "wang2024");
        assert_eq!(items[0].journal.as_deref(), Some("Cells"));
        assert_eq!(
            items[0].abstract_text.as_deref(),
            Some("We gave mice cells.")
        );
        assert_eq!(
            items[0].origin_text(),
            "search weekly (PubMed, run 2026-11-23)"
        );
        assert_eq!(items[1].origin_text(), "import b.ris");
    }

    #[test]
    fn one_record_of_a_shared_file_moves_with_its_comments() {
        let dir = project();
        let done = exclude(
            dir.path(),
            &["wang2024".into()],
            "Animal study",
            Stage::TitleAbstract,
            day(),
        )
        .unwrap();
        assert_eq!(done[0].key, "wang2024");
        let moved = fs::read_to_string(dir.path().join("data/excluded/wang2024.bib")).unwrap();
        assert!(moved.starts_with(
            "% Excluded: 2026-12-04\n% Stage: title-abstract\n% Reason: Animal study\n% Imported by evbrief on 2026-11-23 from a.ris"
        ), "{moved}");
        assert!(moved.contains("% Search: weekly (pubmed), run 2026-11-23\n@article{wang2024,"));
        let left = fs::read_to_string(dir.path().join("data/inbox/two.bib")).unwrap();
        assert!(
            !left.contains("wang2024") && !left.contains("a.ris"),
            "{left}"
        );
        assert!(left.contains("b.ris, line 9; awaiting assessment.\n@article{lee2025"));
        let mut problems = Vec::new();
        let excluded = load_excluded(dir.path(), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(excluded[0].origin.search().unwrap().search, "weekly");
        // The last record takes the file with it.
        exclude(dir.path(), &["lee2025".into()], "x", Stage::FullText, day()).unwrap();
        assert!(!dir.path().join("data/inbox/two.bib").exists());
    }

    #[test]
    fn unknown_keys_refuse_everything() {
        let dir = project();
        let err = exclude(
            dir.path(),
            &["wang2024".into(), "nobody".into(), "smith2019".into()],
            "x",
            Stage::TitleAbstract,
            day(),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "no inbox record `nobody` (records awaiting assessment: wang2024, lee2025); `smith2019` is a curated reference, not an inbox record; nothing was moved"
        );
        assert!(!dir.path().join("data/excluded").exists());
        assert_eq!(awaiting(dir.path()).unwrap().len(), 2);
    }
}
