//! Where a bibliography record came from, as the `%` comment lines above its entry say:
//! `% Imported by evbrief on DATE from FILE, line N; …` (a hand import), and
//! `% Search: NAME (SOURCE), run YYYY-MM-DD` (filed by a saved search). The comments move
//! with a record from the inbox to `data/references.bib` or `data/excluded/`, so a
//! record's origin is known wherever it is (for `evbrief screen` and the PRISMA counts).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::search_log::SearchSource;

/// The saved search that filed a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOrigin {
    /// The saved search's name.
    pub search: String,
    /// The source it queried.
    pub source: SearchSource,
    /// The day of the run.
    pub date: NaiveDate,
}

impl SearchOrigin {
    /// The comment line a search writes above each record it files (without line break):
    /// `% Search: NAME (SOURCE), run YYYY-MM-DD`.
    pub fn comment_line(&self) -> String {
        format!(
            "% Search: {} ({}), run {}",
            self.search,
            self.source.name(),
            self.date.format("%Y-%m-%d")
        )
    }

    /// Reads a [`SearchOrigin::comment_line`]; `None` for any other line.
    pub fn parse(line: &str) -> Option<SearchOrigin> {
        let rest = line.trim().strip_prefix('%')?.trim_start();
        let rest = rest.strip_prefix("Search:")?.trim();
        let (head, date) = rest.rsplit_once(", run ")?;
        let (search, source) = head.trim_end().strip_suffix(')')?.rsplit_once(" (")?;
        let date = date.trim().trim_end_matches('.');
        let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
        let search = search.trim();
        let source = SearchSource::parse(source.trim())?;
        (!search.is_empty()).then(|| SearchOrigin {
            search: search.to_owned(),
            source,
            date,
        })
    }
}

/// How a record reached the project, for the screening list and PRISMA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Filed by a saved search.
    Search(SearchOrigin),
    /// Imported by hand with `evbrief import` from this file.
    Import(String),
    /// Neither comment: added by hand.
    Hand,
}

impl Origin {
    /// The origin told by a record's comment lines.
    pub fn of(comments: &[String]) -> Origin {
        if let Some(s) = comments.iter().find_map(|c| SearchOrigin::parse(c)) {
            return Origin::Search(s);
        }
        comments
            .iter()
            .find_map(|c| {
                let rest = c.trim().strip_prefix('%')?.trim_start();
                let rest = rest.strip_prefix("Imported by evbrief on ")?;
                let (_, from) = rest.split_once(" from ")?;
                let file = from.split(", line ").next()?.split(';').next()?.trim();
                Some(Origin::Import(file.to_owned()))
            })
            .unwrap_or(Origin::Hand)
    }

    /// The search that filed the record, if one did.
    pub fn search(&self) -> Option<&SearchOrigin> {
        match self {
            Origin::Search(s) => Some(s),
            _ => None,
        }
    }
}

/// The `%` comment lines directly above each BibTeX entry of `text`, by entry key (a blank
/// or other line between a comment and the entry detaches it).
pub fn comments_by_key(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut pending: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('%') {
            pending.push(trimmed.trim_end().to_owned());
        } else if let Some(key) = entry_key(trimmed) {
            out.insert(key, std::mem::take(&mut pending));
        } else {
            pending.clear();
        }
    }
    out
}

/// The key of a line that opens an entry (`@article{key,`).
fn entry_key(line: &str) -> Option<String> {
    let rest = line.strip_prefix('@')?;
    let (kind, rest) = rest.split_once(['{', '('])?;
    let kind = kind.trim();
    if kind.is_empty()
        || !kind.chars().all(|c| c.is_ascii_alphabetic())
        || ["comment", "string", "preamble"].contains(&kind.to_ascii_lowercase().as_str())
    {
        return None;
    }
    let key = rest.split(',').next()?.trim();
    (!key.is_empty()).then(|| key.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_line_reads_back() {
        let origin = SearchOrigin {
            search: "pubmed ucmsc".into(),
            source: SearchSource::Europepmc,
            date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
        };
        let line = origin.comment_line();
        assert_eq!(line, "% Search: pubmed ucmsc (europepmc), run 2026-12-04");
        assert_eq!(SearchOrigin::parse(&line), Some(origin));
        assert_eq!(
            SearchOrigin::parse("% Search: x (scopus), run 2026-12-04"),
            None
        );
        assert_eq!(
            SearchOrigin::parse("% Search: (pubmed), run 2026-12-04"),
            None
        );
    }

    #[test]
    fn comments_attach_to_the_entry_below_them() {
        let text = "% Imported by evbrief on 2026-11-23 from export.ris, line 7; awaiting assessment.\n\
                    % Search: weekly (pubmed), run 2026-11-23\n\
                    @article{wang2024,\n  title = {A},\n}\n\n\
                    % a stray note\n\n\
                    @misc{lee2025, title = {B}}\n\
                    % Imported by evbrief on 2026-11-23 from cnki.ris, line 1; awaiting assessment.\n\
                    @article{zhao2023,\n}\n";
        let comments = comments_by_key(text);
        assert_eq!(comments.len(), 3);
        assert!(comments["lee2025"].is_empty());
        let wang = Origin::of(&comments["wang2024"]);
        assert_eq!(wang.search().map(|s| s.search.as_str()), Some("weekly"));
        assert_eq!(
            Origin::of(&comments["zhao2023"]),
            Origin::Import("cnki.ris".into())
        );
        assert_eq!(Origin::of(&comments["lee2025"]), Origin::Hand);
    }
}
