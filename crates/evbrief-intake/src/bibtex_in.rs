//! BibTeX / BibLaTeX input (Zotero, Better BibTeX, JabRef, and the curated
//! `data/references.bib`), read with the `biblatex` crate so LaTeX accents
//! (`{\"u}`), month macros (`jul`) and braces are resolved the way Typst will
//! resolve them later.
//!
//! A syntax error stops the parser, so only the first one is reported; it is
//! put at the entry holding an unclosed brace when that is the cause, since the
//! parser itself only notices at the next entry or the end of the file.

use std::ops::Range;

use biblatex::{Bibliography, ChunksExt, Entry, RawBibliography};

use crate::diagnostic::{Problem, SourceFile};

use super::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_pmcid,
    clean_pmid, clean_text, clean_title, mentions_registry,
};

/// A record together with the citation key of the entry it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyedRecord {
    /// The entry's citation key, e.g. `lian2023`.
    pub key: String,
    /// The entry as a record; its title is empty when the entry has none.
    pub record: Record,
}

/// Whether text looks like BibTeX: an `@type{` or `@type(` at the start of a line.
pub(crate) fn looks_like_bibtex(text: &str) -> bool {
    text.lines().any(|l| {
        let Some(rest) = l.trim_start().strip_prefix('@') else {
            return false;
        };
        let ident_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        ident_len > 0 && rest[ident_len..].trim_start().starts_with(['{', '('])
    })
}

/// Reads every entry with its key, also those without a title (the curated
/// bibliography has some), so their identities can be compared. The error is the
/// file's syntax problem, or one problem per duplicate key.
pub fn read(file: &SourceFile) -> Result<Vec<KeyedRecord>, Vec<Problem>> {
    let text: &str = &file.text;
    let raw = RawBibliography::parse(text).map_err(|e| vec![syntax_problem(file, &e)])?;
    let spans: Vec<(String, Range<usize>)> = raw
        .entries
        .iter()
        .map(|e| {
            // The entry's span stops before its closing brace; take the brace in.
            let closing = text
                .get(e.span.end..)
                .is_some_and(|rest| rest.starts_with(['}', ')']));
            (
                e.v.key.v.to_string(),
                e.span.start..e.span.end + usize::from(closing),
            )
        })
        .collect();
    let bib = Bibliography::from_raw(raw).map_err(|e| vec![syntax_problem(file, &e)])?;
    Ok(spans
        .into_iter()
        .filter_map(|(key, span)| {
            let entry = bib.get(&key)?;
            Some(KeyedRecord {
                record: record_of(entry, span),
                key,
            })
        })
        .collect())
}

/// A problem for a `biblatex` parse error. An unclosed brace makes the parser
/// stumble only at the next entry or the end of the file, so when braces do not
/// balance the problem is put at the entry holding the unclosed one.
fn syntax_problem(file: &SourceFile, e: &biblatex::ParseError) -> Problem {
    if let Some(at) = unclosed_entry(&file.text) {
        let end = file.text[at..]
            .find('\n')
            .map_or(file.text.len(), |n| at + n);
        return Problem::new(
            file,
            at..end,
            "entry is not closed: a `{` in it has no matching `}`",
        );
    }
    let message = match &e.kind {
        biblatex::ParseErrorKind::DuplicateKey(key) => format!("duplicate entry key `{key}`"),
        kind => format!("malformed BibTeX: {kind}"),
    };
    Problem::new(file, e.span.clone(), message)
}

/// The start (`@`) of the first entry whose braces are still open when the next
/// entry starts at the beginning of a line or the text ends; escaped braces skipped.
fn unclosed_entry(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut entry_start = None;
    let mut escaped = false;
    let mut line_start = true;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            '@' if line_start => {
                if depth > 0 {
                    return entry_start;
                }
                entry_start = Some(i);
            }
            _ => {}
        }
        if c == '\n' {
            line_start = true;
        } else if !c.is_whitespace() {
            line_start = false;
        }
    }
    if depth > 0 { entry_start } else { None }
}

/// The record kind for an entry type.
fn kind_of(entry_type: &str) -> RecordKind {
    match entry_type.to_ascii_lowercase().as_str() {
        "article" | "periodical" => RecordKind::JournalArticle,
        "inproceedings" | "conference" | "proceedings" => RecordKind::ConferencePaper,
        "book" | "mvbook" | "booklet" => RecordKind::Book,
        "incollection" | "inbook" | "bookinbook" => RecordKind::BookChapter,
        "thesis" | "phdthesis" | "mastersthesis" => RecordKind::Thesis,
        "report" | "techreport" => RecordKind::Report,
        "online" | "electronic" | "www" => RecordKind::Web,
        _ => RecordKind::Other,
    }
}

/// The record for one resolved entry.
fn record_of(entry: &Entry, span: Range<usize>) -> Record {
    let text = |name: &str| {
        entry
            .get(name)
            .and_then(|chunks| clean_text(&chunks.format_verbatim()))
    };
    let first = |names: &[&str]| names.iter().find_map(|n| text(n));
    let mut r = Record::empty(kind_of(&entry.entry_type.to_string()), span);
    r.title = entry
        .get("title")
        .and_then(|c| clean_title(&c.format_verbatim()))
        .unwrap_or_default();
    r.original_title = first(&["titleaddon", "origtitle"]);
    r.authors = entry
        .author()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| {
            let family = clean_text(&format!("{} {}", p.prefix, p.name))?;
            let given = clean_text(&format!("{} {}", p.given_name, p.suffix));
            Some(PersonName { family, given })
        })
        .collect();
    if let Ok(biblatex::PermissiveType::Typed(date)) = entry.date() {
        let at = match date.value {
            biblatex::DateValue::At(d)
            | biblatex::DateValue::After(d)
            | biblatex::DateValue::Before(d)
            | biblatex::DateValue::Between(d, _) => d,
        };
        r.year = Some(at.year);
        r.month = at.month.map(|m| m + 1).filter(|m| (1..=12).contains(m));
    } else if let Some(year) = text("year") {
        (r.year, r.month) = super::record::parse_year_month(&year);
    }
    // The container fields `to_bibtex` writes for each kind, read back the same way.
    r.journal = match r.kind {
        RecordKind::JournalArticle => first(&["journaltitle", "journal"]),
        RecordKind::BookChapter | RecordKind::ConferencePaper => first(&["booktitle"]),
        RecordKind::Web | RecordKind::RegistryRecord => first(&["organization"]),
        RecordKind::Book | RecordKind::Thesis | RecordKind::Report => first(&["series"]),
        RecordKind::Other => first(&["journaltitle", "journal", "howpublished"]),
    };
    r.volume = text("volume");
    r.issue = first(&["number", "issue"]);
    r.pages = first(&["pages"]).and_then(|p| clean_pages(&p));
    r.publisher = first(&["publisher", "institution", "school"]);
    r.doi = first(&["doi"]).and_then(|d| clean_doi(&d));
    let eprint_type = first(&["eprinttype", "archiveprefix"]).map(|t| t.to_ascii_lowercase());
    r.pmid = first(&["pmid"])
        .or_else(|| {
            matches!(eprint_type.as_deref(), Some("pubmed" | "pmid"))
                .then(|| text("eprint"))
                .flatten()
        })
        .and_then(|p| clean_pmid(&p));
    r.pmcid = first(&["pmcid"]).and_then(|p| clean_pmcid(&p));
    r.url = first(&["url"]);
    r.language = first(&["langid", "language"]).and_then(|l| clean_language(&l));
    r.abstract_text = first(&["abstract"]);
    r.keywords = text("keywords")
        .map(|k| {
            k.split([',', ';'])
                .filter_map(clean_text)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    if matches!(r.kind, RecordKind::Web | RecordKind::Other)
        && ["url", "number", "eprint", "title", "note"]
            .iter()
            .filter_map(|n| text(n))
            .any(|v| mentions_registry(&v))
    {
        r.kind = RecordKind::RegistryRecord;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "t.bib".into(),
            text: text.into(),
        }
    }

    #[test]
    fn fields_resolve_accents_months_and_ranges() {
        let f = file(
            "@article{m,\n  author = {M{\\\"u}ller, J{\\\"o}rg and van der Berg, Anna and {张帆}},\n  \
             title = {The {UC-MSC} trial},\n  journal = {J \\& K},\n  year = 2023,\n  month = jul,\n  \
             pages = {571--577, 583},\n  number = {6},\n  doi = {https://doi.org/10.1/X},\n  \
             eprint = {37583848},\n  eprinttype = {pubmed},\n  langid = {english},\n  \
             keywords = {stem cells, diabetes}\n}\n",
        );
        let entries = read(&f).unwrap();
        let r = &entries[0].record;
        assert_eq!(entries[0].key, "m");
        assert_eq!(r.title, "The UC-MSC trial");
        let names: Vec<_> = r
            .authors
            .iter()
            .map(|a| (a.family.as_str(), a.given.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Müller", Some("Jörg")),
                ("van der Berg", Some("Anna")),
                ("张帆", None)
            ]
        );
        assert_eq!(r.journal.as_deref(), Some("J & K"));
        assert_eq!((r.year, r.month), (Some(2023), Some(7)));
        assert_eq!(r.pages.as_deref(), Some("571-577, 583"));
        assert_eq!(r.issue.as_deref(), Some("6"));
        assert_eq!(r.doi.as_deref(), Some("10.1/X"));
        assert_eq!(r.pmid.as_deref(), Some("37583848"));
        assert_eq!(r.keywords, ["stem cells", "diabetes"]);
        assert_eq!(r.span, 0..f.text.len() - 1);
    }

    #[test]
    fn unclosed_brace_is_reported_where_it_opens() {
        let f = file("@article{a,\n  title = {Fine}\n}\n\n@article{b,\n  title = {Broken\n}\n");
        let problems = read(&f).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line_col(), (5, 1));
        assert_eq!(
            problems[0].message,
            "entry is not closed: a `{` in it has no matching `}`"
        );
    }

    #[test]
    fn duplicate_keys_are_reported() {
        let f = file("@misc{a, title = {x}}\n@misc{a, title = {y}}\n");
        let problems = read(&f).unwrap_err();
        assert_eq!(problems[0].message, "duplicate entry key `a`");
        assert_eq!(problems[0].line_col().0, 2);
    }

    #[test]
    fn bibtex_is_recognised_by_an_entry_line() {
        assert!(looks_like_bibtex("% x\n  @Article{key,\n"));
        assert!(!looks_like_bibtex("mail me @ home {x}"));
    }
}
