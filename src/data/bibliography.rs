//! The brief's references: the curated bibliography (`data/references.bib` and/or
//! `data/references.yaml`) and the inbox of records awaiting assessment
//! (`data/inbox/*.bib`).
//!
//! Every file is read here with the same parser Typst uses (hayagriva), so a malformed
//! entry or a key defined twice is a `file:line` problem before any PDF is made, and the
//! texts handed to Typst are exactly the texts that were checked.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diagnostic::{Problem, SourceFile};

/// Where a bibliography file sits, which decides how its entries are used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shelf {
    /// Curated references: the reports that studies cite.
    Curated,
    /// Imported records not yet assessed ("Studies awaiting assessment").
    Inbox,
}

/// One bibliography file and its entries.
#[derive(Debug, Clone)]
pub struct BibFile {
    /// Path and text, as read and checked.
    pub file: SourceFile,
    /// Curated or inbox.
    pub shelf: Shelf,
    /// The entries as Typst will read them.
    pub library: hayagriva::Library,
}

/// All bibliography files of a project.
#[derive(Debug, Clone, Default)]
pub struct Bibliography {
    /// Curated files first, then inbox files sorted by name.
    pub files: Vec<BibFile>,
    /// True when a bibliography file is missing, unreadable or malformed (a problem
    /// already reported): a key not found may then be in that file, so it is not
    /// reported as unknown a second time.
    pub incomplete: bool,
    /// The style `citation-style` names (a built-in style such as `ama`, or the project's
    /// own `styles/x.csl`), parsed where validation checked it; `None` for the bundled
    /// NLM style.
    pub style: Option<std::sync::Arc<hayagriva::citationberg::IndependentStyle>>,
}

impl Bibliography {
    /// Whether `key` is a curated reference.
    pub fn is_curated(&self, key: &str) -> bool {
        self.entry(key)
            .is_some_and(|(shelf, _)| shelf == Shelf::Curated)
    }

    /// The entry with this key and the shelf it is on.
    pub fn entry(&self, key: &str) -> Option<(Shelf, &hayagriva::Entry)> {
        self.files
            .iter()
            .find_map(|f| f.library.get(key).map(|e| (f.shelf, e)))
    }

    /// Keys on a shelf, in file order.
    pub fn keys(&self, shelf: Shelf) -> Vec<String> {
        self.files
            .iter()
            .filter(|f| f.shelf == shelf)
            .flat_map(|f| f.library.keys().map(str::to_owned))
            .collect()
    }

    /// Treats the inbox entry `key` as curated: it moves to a curated file of its own,
    /// as it will when `evbrief new-study` files it into `data/references.bib`.
    pub fn curate(&mut self, key: &str) {
        for f in &mut self.files {
            if f.shelf == Shelf::Inbox
                && let Some(entry) = f.library.remove(key)
            {
                let mut library = hayagriva::Library::new();
                library.push(&entry);
                let moved = BibFile {
                    file: f.file.clone(),
                    shelf: Shelf::Curated,
                    library,
                };
                self.files.insert(0, moved);
                return;
            }
        }
    }

    /// Number of entries on a shelf.
    pub fn len(&self, shelf: Shelf) -> usize {
        self.files
            .iter()
            .filter(|f| f.shelf == shelf)
            .map(|f| f.library.len())
            .sum()
    }
}

/// Parses one bibliography file (BibTeX/BibLaTeX by default, hayagriva YAML for
/// `.yaml`/`.yml`), reporting every problem with its place. `None` when the file cannot
/// be read at all; a malformed field is a problem but keeps the entry's key known.
pub fn parse_bib_file(
    file: &SourceFile,
    problems: &mut Vec<Problem>,
) -> Option<hayagriva::Library> {
    if file.name.ends_with(".yaml") || file.name.ends_with(".yml") {
        return match hayagriva::io::from_yaml_str(&file.text) {
            Ok(library) => Some(library),
            Err(e) => {
                let at = e.location().map_or(0, |l| l.index());
                let message = e.to_string();
                // serde_yaml appends " at line L column C": the location is shown anyway.
                let message = message.split(" at line ").next().unwrap_or(&message);
                problems.push(Problem::new(
                    file,
                    at..at,
                    format!("malformed hayagriva YAML: {message}"),
                ));
                None
            }
        };
    }
    let raw = match biblatex::Bibliography::parse(&file.text) {
        Ok(raw) => raw,
        Err(e) => {
            problems.push(Problem::new(
                file,
                e.span.clone(),
                format!("malformed BibTeX: {}", e.kind),
            ));
            return None;
        }
    };
    // Entry by entry, so one bad entry does not hide the others' keys (which would make
    // every study citing them fail too). hayagriva drops a date it cannot read without a
    // word; a reference without its year is a silent loss, so that is an error here.
    let mut library = hayagriva::Library::new();
    for entry in raw.iter() {
        check_date(file, entry, problems);
        match hayagriva::Entry::try_from(entry) {
            Ok(converted) => library.push(&converted),
            Err(e) => {
                // Keep the key known, so studies citing it are not reported as well.
                library.push(&hayagriva::Entry::new(
                    &entry.key,
                    hayagriva::types::EntryType::Misc,
                ));
                if !problems
                    .iter()
                    .any(|p| p.file.name == file.name && p.span.start == e.span.start)
                {
                    problems.push(Problem::new(
                        file,
                        e.span.clone(),
                        format!("malformed BibTeX field in `{}`: {}", entry.key, e.kind),
                    ));
                }
            }
        }
    }
    Some(library)
}

/// A `date` or `year` field must be a date (`2023`, `2023-07`, `2023-07-26`, ranges).
fn check_date(file: &SourceFile, entry: &biblatex::Entry, problems: &mut Vec<Problem>) {
    let Some(chunks) = entry.get("date").or_else(|| entry.get("year")) else {
        return;
    };
    let span = chunks.first().map_or(0..0, |c| c.span.clone());
    let error = match entry.date() {
        Ok(biblatex::PermissiveType::Typed(_)) | Err(biblatex::RetrievalError::Missing(_)) => {
            return;
        }
        Ok(biblatex::PermissiveType::Chunks(_)) => "not a date such as 2023 or 2023-07-26".into(),
        Err(biblatex::RetrievalError::TypeError(e)) => e.kind.to_string(),
    };
    problems.push(Problem::new(
        file,
        span,
        format!("malformed date or year in `{}`: {error}", entry.key),
    ));
}

/// Checks that no key is defined in two files (Typst refuses duplicate keys).
pub fn check_unique_keys(files: &[BibFile], problems: &mut Vec<Problem>) {
    let mut seen: BTreeMap<&str, &SourceFile> = BTreeMap::new();
    for f in files {
        for key in f.library.keys() {
            if let Some(first) = seen.insert(key, &f.file) {
                problems.push(Problem::new(
                    &f.file,
                    key_span(&f.file.text, key),
                    format!("reference key `{key}` is already defined in {}", first.name),
                ));
            }
        }
    }
}

/// The byte range of an entry's key in BibTeX (`@type{key,`) or YAML (`key:`) text,
/// or the start of the file when it cannot be found.
fn key_span(text: &str, key: &str) -> Range<usize> {
    let bib = text
        .match_indices(key)
        .find(|(at, _)| {
            let before = text[..*at].trim_end();
            let after = text[at + key.len()..].trim_start();
            (before.ends_with('{') || before.ends_with('(')) && after.starts_with(',')
                || (before.is_empty() || before.ends_with('\n')) && after.starts_with(':')
        })
        .map(|(at, _)| at);
    bib.map_or(0..0, |at| at..at + key.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn file(name: &str, text: &str) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: Arc::from(text),
        }
    }

    fn lines(problems: &[Problem]) -> Vec<String> {
        problems.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn bibtex_syntax_and_field_errors_have_places() {
        let mut problems = Vec::new();
        let f = file(
            "refs.bib",
            "@article{a,\n  title = {T},\n  date = {20x3},\n}\n",
        );
        let library = parse_bib_file(&f, &mut problems).unwrap();
        assert_eq!(library.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(lines(&problems).len(), 1);
        assert!(
            lines(&problems)[0].starts_with("refs.bib:3:11: malformed date or year in `a`"),
            "{:?}",
            lines(&problems)
        );
        let mut problems = Vec::new();
        let f = file("refs.bib", "@article{a,\n  title = {T,\n}\n");
        assert!(parse_bib_file(&f, &mut problems).is_none());
        assert!(
            lines(&problems)[0].contains("malformed BibTeX"),
            "{problems:?}"
        );
    }

    #[test]
    fn yaml_bibliographies_are_read_and_errors_located() {
        let mut problems = Vec::new();
        let f = file(
            "refs.yaml",
            "smith2020:\n  type: article\n  title: A trial\n  author: Smith, Jane\n  date: 2020\n",
        );
        let lib = parse_bib_file(&f, &mut problems).unwrap();
        assert_eq!(lib.keys().collect::<Vec<_>>(), ["smith2020"]);
        let f = file(
            "refs.yaml",
            "smith2020:\n  type: article\n  title: [unclosed\n",
        );
        assert!(parse_bib_file(&f, &mut problems).is_none());
        assert!(
            lines(&problems)[0].starts_with("refs.yaml:"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_key_in_two_files_is_reported_at_the_second() {
        let mut problems = Vec::new();
        let a = file("data/references.bib", "@misc{k, title = {A}}\n");
        let b = file("data/inbox/k.bib", "\n@misc{k, title = {B}}\n");
        let files: Vec<BibFile> = [(a, Shelf::Curated), (b, Shelf::Inbox)]
            .into_iter()
            .map(|(file, shelf)| BibFile {
                library: parse_bib_file(&file, &mut problems).unwrap(),
                file,
                shelf,
            })
            .collect();
        check_unique_keys(&files, &mut problems);
        assert_eq!(
            lines(&problems),
            ["data/inbox/k.bib:2:7: reference key `k` is already defined in data/references.bib"]
        );
    }
}
