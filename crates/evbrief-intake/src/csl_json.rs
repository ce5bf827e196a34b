//! CSL-JSON: one item as Crossref returns it for
//! `Accept: application/vnd.citationstyles.csl+json`, or an array of items as Zotero
//! and Better CSL JSON export them.
//!
//! Both dialects are accepted: titles and container titles as a string or an array
//! (Crossref), dates as `date-parts` with numbers or strings, or as `raw` / `literal`
//! (Zotero), authors with `family`/`given` or `literal`. A JSON syntax error is
//! reported at its line and column; a value of the wrong shape is reported with its
//! path (`[2].author[0].family`), every one of them.

use serde_json::{Map, Value};

use crate::diagnostic::{Problem, SourceFile};

use super::json_spans::{JsonPath, span_of};
use super::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_pmcid,
    clean_pmid, clean_text, clean_title, mentions_registry, parse_year_month,
};

/// Reads every item; returns the records (titles may be empty) and every problem.
pub(crate) fn read(file: &SourceFile) -> (Vec<Record>, Vec<Problem>) {
    let bom = if file.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let body = &file.text[bom..];
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => return (Vec::new(), vec![syntax_problem(file, bom, &e)]),
    };
    let mut reader = Reader {
        file,
        root: bom,
        problems: Vec::new(),
    };
    let root = JsonPath::default();
    let records = match &value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| reader.item(item, &root.index(i)))
            .collect(),
        Value::Object(obj) => match obj.get("message") {
            // The Crossref REST API wraps the item: {"status": "ok", "message": {...}}.
            Some(inner @ Value::Object(_)) if obj.contains_key("status") => reader
                .item(inner, &root.key("message"))
                .into_iter()
                .collect(),
            _ => reader.item(&value, &root).into_iter().collect(),
        },
        _ => {
            let span = span_of(&file.text, bom, &root);
            reader.problems.push(Problem::new(
                file,
                span,
                "expected a CSL-JSON item (an object) or an array of items",
            ));
            Vec::new()
        }
    };
    (records, reader.problems)
}

/// A problem at the line and column `serde_json` reports.
fn syntax_problem(file: &SourceFile, root: usize, e: &serde_json::Error) -> Problem {
    let text: &str = &file.text;
    let line_start = text[root..]
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>()
        + root;
    let mut at = (line_start + e.column().saturating_sub(1)).min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    Problem::new(file, at..at, format!("invalid JSON: {message}"))
}

/// Reads items and collects shape problems with their paths.
struct Reader<'f> {
    file: &'f SourceFile,
    root: usize,
    problems: Vec<Problem>,
}

/// How a JSON value is described in messages.
fn found(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true or false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl Reader<'_> {
    fn problem(&mut self, path: &JsonPath, message: String) {
        let span = span_of(&self.file.text, self.root, path);
        self.problems.push(Problem::new(self.file, span, message));
    }

    fn wrong(&mut self, path: &JsonPath, expected: &str, v: &Value) {
        let message = format!("`{path}` must be {expected} (found {})", found(v));
        self.problem(path, message);
    }

    /// A text field: a string or a number; with `array_ok`, also an array whose first
    /// element is one (Crossref's `title` and `container-title`).
    fn text(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        at: &JsonPath,
        array_ok: bool,
    ) -> Option<String> {
        let path = at.key(key);
        match obj.get(key)? {
            Value::Null => None,
            Value::String(s) => clean_text(s),
            Value::Number(n) => Some(n.to_string()),
            Value::Array(items) if array_ok => match items.first()? {
                Value::String(s) => clean_text(s),
                other => {
                    let other = other.clone();
                    self.wrong(&path.index(0), "a string", &other);
                    None
                }
            },
            other => {
                let expected = if array_ok {
                    "a string or an array of strings"
                } else {
                    "a string"
                };
                let other = other.clone();
                self.wrong(&path, expected, &other);
                None
            }
        }
    }

    /// The record for one item, or `None` (with a problem) when it is not an object.
    fn item(&mut self, item: &Value, at: &JsonPath) -> Option<Record> {
        let Value::Object(obj) = item else {
            self.wrong(at, "an object (a CSL-JSON item)", item);
            return None;
        };
        let span = span_of(&self.file.text, self.root, at);
        let kind = self
            .text(obj, "type", at, false)
            .map_or(RecordKind::Other, |t| kind_of(&t));
        let mut r = Record::empty(kind, span);
        let title = self
            .text(obj, "title", at, true)
            .and_then(|t| clean_title(&t));
        let subtitle = self.text(obj, "subtitle", at, true);
        r.title = match (title, subtitle) {
            (Some(t), Some(s)) => format!("{t}: {s}"),
            (Some(t), None) => t,
            (None, _) => String::new(),
        };
        r.original_title = self
            .text(obj, "original-title", at, true)
            .and_then(|t| clean_title(&t));
        r.authors = self.authors(obj, at);
        (r.year, r.month) = self.date(obj, "issued", at);
        r.journal = self
            .text(obj, "container-title", at, true)
            .or_else(|| self.text(obj, "container-title-short", at, true))
            .or_else(|| self.text(obj, "journalAbbreviation", at, false));
        r.volume = self.text(obj, "volume", at, false);
        r.issue = self.text(obj, "issue", at, false);
        r.pages = self
            .text(obj, "page", at, false)
            .and_then(|p| clean_pages(&p));
        r.publisher = self.text(obj, "publisher", at, false);
        r.doi = self.text(obj, "DOI", at, false).and_then(|d| clean_doi(&d));
        r.url = self.text(obj, "URL", at, false);
        r.pmid = self
            .text(obj, "PMID", at, false)
            .and_then(|p| clean_pmid(&p));
        r.pmcid = self
            .text(obj, "PMCID", at, false)
            .and_then(|p| clean_pmcid(&p));
        r.language = self
            .text(obj, "language", at, false)
            .and_then(|l| clean_language(&l));
        r.abstract_text = self.text(obj, "abstract", at, false);
        r.keywords = self
            .text(obj, "keyword", at, false)
            .map(|k| k.split([',', ';']).filter_map(clean_text).collect())
            .unwrap_or_default();
        if matches!(r.kind, RecordKind::Web | RecordKind::Other) {
            let mentions = ["URL", "number", "note", "title", "archive_location"]
                .iter()
                .filter_map(|k| obj.get(*k).and_then(Value::as_str))
                .any(mentions_registry);
            if mentions {
                r.kind = RecordKind::RegistryRecord;
            }
        }
        Some(r)
    }

    /// Authors from `family`/`given` (with particles and suffix) or `literal`.
    fn authors(&mut self, obj: &Map<String, Value>, at: &JsonPath) -> Vec<PersonName> {
        let path = at.key("author");
        let list = match obj.get("author") {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(list)) => list,
            Some(other) => {
                let other = other.clone();
                self.wrong(&path, "an array of names", &other);
                return Vec::new();
            }
        };
        let mut names = Vec::new();
        for (i, person) in list.iter().enumerate() {
            let p = path.index(i);
            let Value::Object(person) = person else {
                self.wrong(
                    &p,
                    "an object with `family` and `given`, or `literal`",
                    person,
                );
                continue;
            };
            if let Some(literal) = self.text(person, "literal", &p, false) {
                names.push(PersonName::whole(literal));
                continue;
            }
            let particle = self.text(person, "non-dropping-particle", &p, false);
            let family = self.text(person, "family", &p, false);
            let given = self.text(person, "given", &p, false);
            let dropping = self.text(person, "dropping-particle", &p, false);
            let suffix = self.text(person, "suffix", &p, false);
            let family = [particle, family].into_iter().flatten().collect::<Vec<_>>();
            let given = [given, dropping, suffix]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>();
            let has_name_key = ["family", "given", "literal"]
                .iter()
                .any(|k| person.contains_key(*k));
            match (family.is_empty(), given.is_empty()) {
                (false, _) => names.push(PersonName {
                    family: family.join(" "),
                    given: clean_text(&given.join(" ")),
                }),
                (true, false) => names.push(PersonName::whole(given.join(" "))),
                // A name of the wrong shape has been reported already.
                (true, true) if has_name_key => {}
                (true, true) => self.problem(
                    &p,
                    format!("`{p}` has no `family`, `given` or `literal` name"),
                ),
            }
        }
        names
    }

    /// Year and month of a date variable: `date-parts` first, else `raw` or `literal`.
    fn date(
        &mut self,
        obj: &Map<String, Value>,
        key: &str,
        at: &JsonPath,
    ) -> (Option<i32>, Option<u8>) {
        let path = at.key(key);
        let date = match obj.get(key) {
            None | Some(Value::Null) => return (None, None),
            Some(Value::Object(date)) => date,
            Some(Value::String(raw)) => return parse_year_month(raw),
            Some(other) => {
                let other = other.clone();
                self.wrong(&path, "an object with `date-parts`", &other);
                return (None, None);
            }
        };
        if let Some(parts) = date.get("date-parts") {
            let first = parts.as_array().and_then(|p| p.first());
            let Some(Value::Array(first)) = first else {
                let parts = parts.clone();
                self.wrong(
                    &path.key("date-parts"),
                    "an array of [year, month, day] arrays",
                    &parts,
                );
                return (None, None);
            };
            let number = |v: Option<&Value>| -> Option<i64> {
                match v? {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                }
            };
            let year = number(first.first()).and_then(|y| i32::try_from(y).ok());
            let month = number(first.get(1))
                .and_then(|m| u8::try_from(m).ok())
                .filter(|m| (1..=12).contains(m));
            if year.is_some() {
                return (year, month);
            }
        }
        for alt in ["raw", "literal"] {
            if let Some(text) = self.text(date, alt, &path, false) {
                return parse_year_month(&text);
            }
        }
        (None, None)
    }
}

/// The record kind for a CSL `type` (Crossref's own names included).
fn kind_of(csl_type: &str) -> RecordKind {
    match csl_type {
        "article-journal" | "journal-article" | "article-magazine" | "article-newspaper" => {
            RecordKind::JournalArticle
        }
        "paper-conference" | "proceedings-article" => RecordKind::ConferencePaper,
        "book" | "monograph" | "edited-book" | "reference-book" => RecordKind::Book,
        "chapter" | "book-chapter" | "book-section" | "book-part" | "entry-encyclopedia" => {
            RecordKind::BookChapter
        }
        "thesis" | "dissertation" => RecordKind::Thesis,
        "report" => RecordKind::Report,
        "webpage" | "post-weblog" | "post" => RecordKind::Web,
        _ => RecordKind::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "t.json".into(),
            text: text.into(),
        }
    }

    #[test]
    fn crossref_arrays_and_zotero_strings_both_work() {
        let f = file(
            r#"[{"type": "journal-article", "title": ["Main"], "subtitle": ["Sub"],
                 "container-title": ["J"], "issued": {"date-parts": [["2021", "7"]]},
                 "author": [{"family": "Berg", "non-dropping-particle": "van den", "given": "A", "suffix": "Jr."}],
                 "volume": 12, "page": "415–427", "DOI": "doi:10.1/X"},
                {"type": "webpage", "title": "Trial", "URL": "https://www.chictr.org.cn/showproj.html?proj=1",
                 "issued": {"raw": "2020-03-05"}, "author": [{"literal": "赵健"}], "PMID": "123", "keyword": "a, b"}]"#,
        );
        let (records, problems) = read(&f);
        assert!(problems.is_empty(), "{problems:?}");
        let a = &records[0];
        assert_eq!(a.title, "Main: Sub");
        assert_eq!(a.journal.as_deref(), Some("J"));
        assert_eq!((a.year, a.month), (Some(2021), Some(7)));
        assert_eq!(a.authors[0].family, "van den Berg");
        assert_eq!(a.authors[0].given.as_deref(), Some("A Jr."));
        assert_eq!(a.volume.as_deref(), Some("12"));
        assert_eq!(a.pages.as_deref(), Some("415-427"));
        assert_eq!(a.doi.as_deref(), Some("10.1/X"));
        let b = &records[1];
        assert_eq!(b.kind, RecordKind::RegistryRecord);
        assert_eq!((b.year, b.month), (Some(2020), Some(3)));
        assert_eq!(b.authors, [PersonName::whole("赵健")]);
        assert_eq!(b.pmid.as_deref(), Some("123"));
        assert_eq!(b.keywords, ["a", "b"]);
    }

    #[test]
    fn wrong_shapes_are_reported_with_paths_and_lines() {
        let f = file(
            "[\n  {\"title\": \"A\", \"author\": [{\"family\": [\"Li\"]}, {\"x\": 1}]},\n  {\"title\": {\"x\": 1}},\n  3\n]\n",
        );
        let (records, problems) = read(&f);
        assert_eq!(records.len(), 2);
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.line_col(), p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    (2, 40),
                    "`[0].author[0].family` must be a string (found an array)"
                ),
                (
                    (2, 49),
                    "`[0].author[1]` has no `family`, `given` or `literal` name"
                ),
                (
                    (3, 13),
                    "`[1].title` must be a string or an array of strings (found an object)"
                ),
                (
                    (4, 3),
                    "`[2]` must be an object (a CSL-JSON item) (found a number)"
                ),
            ]
        );
    }

    #[test]
    fn syntax_errors_point_at_line_and_column() {
        let f = file("\u{feff}{\n  \"title\": \"x\",\n  \"DOI\" \"10.1/x\"\n}\n");
        let (_, problems) = read(&f);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line_col(), (3, 9));
        assert_eq!(problems[0].message, "invalid JSON: expected `:`");
    }
}
