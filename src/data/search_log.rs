//! The search log, `data/search-log.csv`: one row per run of a saved search against one
//! source (PRISMA-S: source, query as sent, date run, date range, records found, new,
//! duplicates). It is an input of the brief like any data file: loaded with the project,
//! checked cell by cell (`path:line:col`), fingerprinted with everything under `data/`.
//!
//! This module reads and formats the log; writing it (appending runs atomically) is
//! [`crate::store`]'s job (`store::search_log::append_search_runs`), as every write is.
//!
//! The file is CSV (RFC 4180: fields with a comma, a quote or a line break are quoted,
//! a quote inside doubled) with exactly the header [`HEADER`].

use std::fmt;
use std::ops::Range;
use std::path::Path;

use chrono::NaiveDate;

use crate::diagnostic::{Problem, SourceFile};

/// The log's place in a project.
pub const SEARCH_LOG: &str = "data/search-log.csv";

/// The log's header, column by column.
pub const HEADER: [&str; 9] = [
    "date",
    "search",
    "source",
    "query",
    "from",
    "to",
    "found",
    "new",
    "duplicates",
];

/// A bibliographic source a saved search can query.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum SearchSource {
    /// PubMed (NCBI E-utilities): a bibliographic database.
    Pubmed,
    /// Europe PMC (REST search): a bibliographic database.
    Europepmc,
    /// Crossref (`works`): a bibliographic database.
    Crossref,
    /// ClinicalTrials.gov (API v2): a trial register.
    Clinicaltrials,
}

impl SearchSource {
    /// Every source, in the order the brief lists them.
    pub const ALL: [SearchSource; 4] = [
        SearchSource::Pubmed,
        SearchSource::Europepmc,
        SearchSource::Crossref,
        SearchSource::Clinicaltrials,
    ];

    /// The name used in `brief.toml` and the log (`pubmed`, `europepmc` …).
    pub fn name(self) -> &'static str {
        match self {
            SearchSource::Pubmed => "pubmed",
            SearchSource::Europepmc => "europepmc",
            SearchSource::Crossref => "crossref",
            SearchSource::Clinicaltrials => "clinicaltrials",
        }
    }

    /// The source as its users know it ("PubMed", "ClinicalTrials.gov"), a proper name in
    /// every language.
    pub fn display_name(self) -> &'static str {
        match self {
            SearchSource::Pubmed => "PubMed",
            SearchSource::Europepmc => "Europe PMC",
            SearchSource::Crossref => "Crossref",
            SearchSource::Clinicaltrials => "ClinicalTrials.gov",
        }
    }

    /// The source named `name` in the log or `brief.toml`.
    pub fn parse(name: &str) -> Option<SearchSource> {
        SearchSource::ALL.into_iter().find(|s| s.name() == name)
    }

    /// True for a trial register (PRISMA 2020 counts registers apart from databases).
    pub fn is_register(self) -> bool {
        matches!(self, SearchSource::Clinicaltrials)
    }
}

impl fmt::Display for SearchSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One finished run of one saved search against one source: a row of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRun {
    /// The day the run finished.
    pub date: NaiveDate,
    /// The saved search's name (`[[searches]] name` in `brief.toml`).
    pub search: String,
    /// The source queried.
    pub source: SearchSource,
    /// The query exactly as sent.
    pub query: String,
    /// First day of the range searched; `None` for "from the beginning".
    pub from: Option<NaiveDate>,
    /// Last day of the range searched.
    pub to: NaiveDate,
    /// Records the source returned.
    pub found: u64,
    /// Records filed into the inbox.
    pub new: u64,
    /// Records already known (`found − new`).
    pub duplicates: u64,
}

impl SearchRun {
    /// The run as one CSV line of the log, with its line break.
    pub fn to_csv_line(&self) -> String {
        let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let cells = [
            date(self.date),
            self.search.clone(),
            self.source.name().to_owned(),
            self.query.clone(),
            self.from.map(date).unwrap_or_default(),
            date(self.to),
            self.found.to_string(),
            self.new.to_string(),
            self.duplicates.to_string(),
        ];
        let mut line = cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",");
        line.push('\n');
        line
    }
}

/// The header line of a new log, with its line break.
pub fn header_line() -> String {
    format!("{}\n", HEADER.join(","))
}

/// A CSV cell: quoted when it holds a comma, a quote, a line break or outer spaces.
fn csv_cell(text: &str) -> String {
    let needs = text.contains([',', '"', '\n', '\r']) || text.trim() != text;
    if needs {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

/// One cell as read: its text (quotes removed) and where it is in the file.
#[derive(Debug, Clone, PartialEq)]
struct Cell {
    text: String,
    span: Range<usize>,
}

/// Splits CSV text into rows of cells, each with its byte range (the quotes included);
/// a quote left open is a problem at the quote. Empty lines are skipped.
fn split_rows(file: &SourceFile, problems: &mut Vec<Problem>) -> Vec<(usize, Vec<Cell>)> {
    let text: &str = &file.text;
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let row_start = i;
        let mut cells = Vec::new();
        loop {
            let start = i;
            let mut value = String::new();
            if bytes.get(i) == Some(&b'"') {
                i += 1;
                let mut closed = false;
                while i < bytes.len() {
                    if bytes[i] == b'"' {
                        if bytes.get(i + 1) == Some(&b'"') {
                            value.push('"');
                            i += 2;
                            continue;
                        }
                        i += 1;
                        closed = true;
                        break;
                    }
                    let ch = text[i..].chars().next().unwrap_or('\u{fffd}');
                    value.push(ch);
                    i += ch.len_utf8();
                }
                if !closed {
                    problems.push(Problem::new(
                        file,
                        start..start + 1,
                        "quoted cell is never closed (a quote inside a cell is written \"\")",
                    ));
                    return rows;
                }
                // Anything between the closing quote and the next comma is an error.
                let junk = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b'\n' | b'\r') {
                    i += 1;
                }
                if i > junk {
                    problems.push(Problem::new(
                        file,
                        junk..i,
                        "text after a quoted cell's closing quote",
                    ));
                }
            } else {
                while i < bytes.len() && !matches!(bytes[i], b',' | b'\n' | b'\r') {
                    i += 1;
                }
                value.push_str(&text[start..i]);
            }
            cells.push(Cell {
                text: value,
                span: start..i,
            });
            if bytes.get(i) == Some(&b',') {
                i += 1;
                continue;
            }
            break;
        }
        if bytes.get(i) == Some(&b'\r') {
            i += 1;
        }
        if bytes.get(i) == Some(&b'\n') {
            i += 1;
        }
        let blank = cells.len() == 1 && cells[0].text.trim().is_empty();
        if !blank {
            rows.push((row_start, cells));
        }
    }
    rows
}

/// Reads the log's text, reporting every bad cell as a problem; rows with a problem are
/// left out of the result.
pub fn parse_search_log(file: &SourceFile, problems: &mut Vec<Problem>) -> Vec<SearchRun> {
    let mut rows = split_rows(file, problems).into_iter();
    let expected = HEADER.join(",");
    match rows.next() {
        None => {
            problems.push(Problem::new(
                file,
                0..0,
                format!("the search log is empty; its first line must be `{expected}`"),
            ));
            return Vec::new();
        }
        Some((start, cells)) => {
            let found: Vec<&str> = cells.iter().map(|c| c.text.trim()).collect();
            if found != HEADER {
                let end = cells.last().map_or(start, |c| c.span.end);
                problems.push(Problem::new(
                    file,
                    start..end,
                    format!("the header must be exactly `{expected}`"),
                ));
                return Vec::new();
            }
        }
    }
    let mut runs = Vec::new();
    for (start, cells) in rows {
        if let Some(run) = parse_row(file, start, &cells, problems) {
            runs.push(run);
        }
    }
    runs
}

/// One data row, or `None` with its problems reported.
fn parse_row(
    file: &SourceFile,
    start: usize,
    cells: &[Cell],
    problems: &mut Vec<Problem>,
) -> Option<SearchRun> {
    if cells.len() != HEADER.len() {
        let end = cells.last().map_or(start, |c| c.span.end);
        problems.push(Problem::new(
            file,
            start..end,
            format!(
                "{} cells in this row; the header has {} ({})",
                cells.len(),
                HEADER.len(),
                HEADER.join(",")
            ),
        ));
        return None;
    }
    let before = problems.len();
    let mut bad = |cell: &Cell, message: String| {
        problems.push(Problem::new(file, cell.span.clone(), message));
    };
    let date = |cell: &Cell, column: &str, bad: &mut dyn FnMut(&Cell, String)| {
        let t = cell.text.trim();
        let parsed = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .filter(|d| d.format("%Y-%m-%d").to_string() == t);
        if parsed.is_none() {
            bad(
                cell,
                format!("`{column}` must be a date written YYYY-MM-DD, found `{t}`"),
            );
        }
        parsed
    };
    let count = |cell: &Cell, column: &str, bad: &mut dyn FnMut(&Cell, String)| {
        let t = cell.text.trim();
        let parsed = t.parse::<u64>().ok().filter(|_| !t.starts_with('+'));
        if parsed.is_none() {
            bad(
                cell,
                format!("`{column}` must be a whole number of records, found `{t}`"),
            );
        }
        parsed
    };
    let run_date = date(&cells[0], "date", &mut bad);
    let search = cells[1].text.trim().to_owned();
    if search.is_empty() {
        bad(&cells[1], "`search` must name the saved search".into());
    }
    let source = SearchSource::parse(cells[2].text.trim());
    if source.is_none() {
        bad(
            &cells[2],
            format!(
                "unknown source `{}` (use {})",
                cells[2].text.trim(),
                SearchSource::ALL.map(|s| s.name()).join(", ")
            ),
        );
    }
    let query = cells[3].text.clone();
    if query.trim().is_empty() {
        bad(&cells[3], "`query` must be the query as sent".into());
    }
    let from = if cells[4].text.trim().is_empty() {
        Some(None)
    } else {
        date(&cells[4], "from", &mut bad).map(Some)
    };
    let to = date(&cells[5], "to", &mut bad);
    let found = count(&cells[6], "found", &mut bad);
    let new = count(&cells[7], "new", &mut bad);
    let duplicates = count(&cells[8], "duplicates", &mut bad);
    if let (Some(Some(from)), Some(to)) = (from, to)
        && from > to
    {
        bad(
            &cells[4],
            format!("the range searched starts ({from}) after it ends ({to})"),
        );
    }
    if let (Some(to), Some(run)) = (to, run_date)
        && to > run
    {
        bad(
            &cells[5],
            format!("the range searched ends ({to}) after the day of the run ({run})"),
        );
    }
    if let (Some(found), Some(new), Some(duplicates)) = (found, new, duplicates)
        && new.checked_add(duplicates) != Some(found)
    {
        bad(
            &cells[8],
            format!("`duplicates` must be found − new = {found} − {new}, found {duplicates}"),
        );
    }
    if problems.len() > before {
        return None;
    }
    Some(SearchRun {
        date: run_date?,
        search,
        source: source?,
        query,
        from: from?,
        to: to?,
        found: found?,
        new: new?,
        duplicates: duplicates?,
    })
}

/// Reads `data/search-log.csv` of the project at `root` (no runs when there is none).
pub fn load_search_log(root: &Path, problems: &mut Vec<Problem>) -> Vec<SearchRun> {
    let path = root.join(SEARCH_LOG);
    if !path.exists() {
        return Vec::new();
    }
    match super::read_text_file(&path, SEARCH_LOG.into(), super::MAX_FILE_BYTES, problems) {
        Some(file) => parse_search_log(&file, problems),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: SEARCH_LOG.into(),
            text: Arc::from(text),
        }
    }

    fn run() -> SearchRun {
        SearchRun {
            date: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            search: "pubmed-ucmsc".into(),
            source: SearchSource::Pubmed,
            query:
                r#"("mesenchymal stem cells"[MeSH] OR "umbilical cord"[tiab]) AND diabetes, type 1"#
                    .into(),
            from: None,
            to: NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            found: 12,
            new: 9,
            duplicates: 3,
        }
    }

    #[test]
    fn a_written_run_reads_back_the_same() {
        let mut second = run();
        second.source = SearchSource::Clinicaltrials;
        second.from = NaiveDate::from_ymd_opt(2026, 11, 27);
        second.query = "  spaces, \"quotes\"\nand a line break ".into();
        let text = format!(
            "{}{}{}",
            header_line(),
            run().to_csv_line(),
            second.to_csv_line()
        );
        let mut problems = Vec::new();
        let runs = parse_search_log(&file(&text), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(runs, vec![run(), second]);
        assert!(runs[1].source.is_register() && !runs[0].source.is_register());
    }

    #[test]
    fn every_bad_cell_is_reported_at_its_place() {
        let text = "date,search,source,query,from,to,found,new,duplicates\n\
                    2026-12-4,s,pubmed,q,,2026-12-04,3,2,1\n\
                    2026-12-04,s,scopus,q,,2026-12-04,3,2,1\n\
                    2026-12-04,s,crossref,q,2026-12-05,2026-12-04,3,x,1\n\
                    2026-12-04,s,crossref,q,,2026-12-04,3,1,1\n\
                    2026-12-04,s,crossref,q\n\
                    2026-12-04,s,crossref,\"q,,2026-12-04,3,1,1\n";
        let mut problems = Vec::new();
        let runs = parse_search_log(&file(text), &mut problems);
        assert!(runs.is_empty());
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "data/search-log.csv:7:23: quoted cell is never closed (a quote inside a cell is written \"\")",
                "data/search-log.csv:2:1: `date` must be a date written YYYY-MM-DD, found `2026-12-4`",
                "data/search-log.csv:3:14: unknown source `scopus` (use pubmed, europepmc, crossref, clinicaltrials)",
                "data/search-log.csv:4:49: `new` must be a whole number of records, found `x`",
                "data/search-log.csv:4:25: the range searched starts (2026-12-05) after it ends (2026-12-04)",
                "data/search-log.csv:5:41: `duplicates` must be found − new = 3 − 1, found 1",
                "data/search-log.csv:6:1: 4 cells in this row; the header has 9 (date,search,source,query,from,to,found,new,duplicates)",
            ]
        );
    }

    #[test]
    fn a_wrong_header_is_refused() {
        let mut problems = Vec::new();
        parse_search_log(&file("date,search,source\n"), &mut problems);
        assert_eq!(
            problems[0].to_string(),
            "data/search-log.csv:1:1: the header must be exactly `date,search,source,query,from,to,found,new,duplicates`"
        );
        let mut problems = Vec::new();
        parse_search_log(&file(""), &mut problems);
        assert_eq!(problems.len(), 1);
    }
}
