//! The fixed words of every format, one table per language.
//!
//! `en.toml` and `zh.toml` hold every label the templates print and every phrase the view
//! model composes, under the same keys; a test keeps the two tables in step. Templates read
//! the table as `d.labels` (e.g. `d.labels.brief.references`); Rust code asks for a dotted
//! key (`"brief.references"`) and fills `{placeholders}`. Dates follow each language's
//! convention ("22 November 2026", "2026年11月22日").

pub mod glossary;

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Languages a brief can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Simplified Chinese.
    Zh,
}

impl Language {
    /// Every language, in the order the README lists them.
    pub const ALL: [Language; 2] = [Language::En, Language::Zh];

    /// The two-letter code ("en", "zh"), also Typst's `lang`.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }

    /// True when the language is written in CJK characters and needs a CJK font.
    pub fn needs_cjk_font(self) -> bool {
        matches!(self, Language::Zh)
    }

    /// This language's table of labels.
    pub fn labels(self) -> &'static Labels {
        static TABLES: OnceLock<[Labels; 2]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            [
                Labels::parse(Language::En, include_str!("en.toml")),
                Labels::parse(Language::Zh, include_str!("zh.toml")),
            ]
        });
        &tables[self as usize]
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Language {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Language::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown language `{s}` (expected `en` or `zh`)"))
    }
}

/// One language's labels: a TOML table of strings (and a few string lists), nested by
/// where they appear.
#[derive(Debug)]
pub struct Labels {
    language: Language,
    table: toml::Table,
}

impl Serialize for Labels {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.table.serialize(serializer)
    }
}

impl Labels {
    /// Parses a bundled table; the tables are part of the program, so a syntax error is
    /// a bug that the tests catch, not a user error.
    fn parse(language: Language, text: &str) -> Labels {
        let table = text
            .parse::<toml::Table>()
            .unwrap_or_else(|e| panic!("the bundled {language} label table is invalid: {e}"));
        Labels { language, table }
    }

    /// The language of this table.
    pub fn language(&self) -> Language {
        self.language
    }

    fn lookup(&self, key: &str) -> Option<&toml::Value> {
        let mut parts = key.split('.');
        let mut value = self.table.get(parts.next()?)?;
        for part in parts {
            value = value.as_table()?.get(part)?;
        }
        Some(value)
    }

    /// The label at a dotted `key`. A key missing here falls back to English, then to a visible
    /// `[missing label]`, so a gap shows up in the PDF rather than crashing a build (the tests
    /// keep the tables complete).
    pub fn text(&self, key: &str) -> &str {
        match self.lookup(key).and_then(toml::Value::as_str) {
            Some(s) => s,
            None if self.language != Language::En => Language::En.labels().text(key),
            None => {
                debug_assert!(false, "label `{key}` is missing");
                "[missing label]"
            }
        }
    }

    /// A list of labels at `key` (month names, default discussion questions).
    pub fn list(&self, key: &str) -> Vec<&str> {
        match self.lookup(key).and_then(toml::Value::as_array) {
            Some(items) => items.iter().filter_map(toml::Value::as_str).collect(),
            None if self.language != Language::En => Language::En.labels().list(key),
            None => Vec::new(),
        }
    }

    /// The label at `key` with each `{name}` replaced by its value.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        fill(self.text(key), args)
    }

    /// A date in this language's convention: "22 November 2026", "2026年11月22日".
    pub fn date(&self, date: NaiveDate) -> String {
        let months = self.list("date.months");
        let month = months
            .get(date.month0() as usize)
            .map(|m| m.to_string())
            .unwrap_or_else(|| date.month().to_string());
        self.fill(
            "date.format",
            &[
                ("day", &date.day().to_string()),
                ("month", &month),
                ("year", &date.year().to_string()),
            ],
        )
    }

    /// "3 studies" / "3 项研究": a count with the singular or plural noun at `key`
    /// (`key.one`, `key.other`).
    pub fn count(&self, n: usize, key: &str) -> String {
        let form = if n == 1 { "one" } else { "other" };
        self.fill(&format!("{key}.{form}"), &[("n", &n.to_string())])
    }
}

/// Replaces each `{name}` in `pattern` with its value; unknown names stay as written.
pub fn fill(pattern: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// A curated time point ("week 9", "baseline") in the language of `labels` ("第 9 周",
/// "基线"). Text that is not a time point stays as written, and so does a time point the
/// table would only re-case (the English edition prints the curated text).
pub fn time_label(text: &str, labels: &Labels) -> String {
    let lower = text.trim().to_lowercase();
    let mut parts = lower.split_whitespace();
    let translated = match (parts.next(), parts.next(), parts.next()) {
        (Some("baseline"), None, None) => labels.text("time.baseline").to_owned(),
        _ if lower.split_whitespace().collect::<Vec<_>>() == ["end", "of", "follow-up"] => {
            labels.text("time.end-of-follow-up").to_owned()
        }
        (Some(unit @ ("day" | "week" | "month" | "year")), Some(n), None) => {
            labels.fill(&format!("time.{unit}"), &[("n", n)])
        }
        _ => return text.to_owned(),
    };
    if translated.eq_ignore_ascii_case(text.trim()) {
        text.to_owned()
    } else {
        translated
    }
}

/// True when `text` holds a Latin word of three or more letters with at least two
/// lower-case letters: a sentence or a term a reader of another language needs translated,
/// not an abbreviation such as "T2DM" or "HbA1c <7.0%".
pub fn has_words(text: &str) -> bool {
    text.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3 && w.chars().filter(|c| c.is_ascii_lowercase()).count() >= 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every dotted key with its value's shape and placeholders.
    fn shape(table: &toml::Table, prefix: &str, out: &mut Vec<(String, String)>) {
        for (k, v) in table {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            match v {
                toml::Value::Table(t) => shape(t, &key, out),
                toml::Value::String(s) => out.push((key, placeholders(s))),
                toml::Value::Array(a) => out.push((key, format!("list of {}", a.len()))),
                other => panic!("label `{key}` is a {}, not text", other.type_str()),
            }
        }
    }

    fn placeholders(s: &str) -> String {
        let set: BTreeSet<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        set.into_iter().collect::<Vec<_>>().join(",")
    }

    #[test]
    fn every_language_has_the_same_keys_and_placeholders() {
        let mut en = Vec::new();
        shape(&Language::En.labels().table, "", &mut en);
        assert!(en.len() > 50, "the English table looks truncated");
        for language in Language::ALL {
            let mut other = Vec::new();
            shape(&language.labels().table, "", &mut other);
            // Lists of defaults (discussion questions) may differ in length only if both
            // are non-empty; month lists must have 12 entries.
            let en_keys: BTreeSet<_> = en.iter().map(|(k, _)| k.as_str()).collect();
            let keys: BTreeSet<_> = other.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(
                en_keys.symmetric_difference(&keys).collect::<Vec<_>>(),
                Vec::<&&str>::new(),
                "{language} differs from en in keys"
            );
            for ((k, a), (_, b)) in en.iter().zip(&other) {
                assert_eq!(
                    a, b,
                    "{language}: `{k}` has other placeholders or list length"
                );
            }
        }
    }

    #[test]
    fn dates_follow_each_language() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(Language::En.labels().date(d), "22 November 2026");
        assert_eq!(Language::Zh.labels().date(d), "2026年11月22日");
    }

    #[test]
    fn fill_replaces_known_placeholders_only() {
        assert_eq!(fill("{a} and {b}", &[("a", "x")]), "x and {b}");
        assert_eq!(fill("no braces", &[]), "no braces");
        assert_eq!(fill("open { only", &[]), "open { only");
        assert_eq!(fill("{n}{n}", &[("n", "2")]), "22");
    }

    #[test]
    fn counts_choose_the_form() {
        let en = Language::En.labels();
        assert_eq!(en.count(1, "words.studies"), "1 study");
        assert_eq!(en.count(3, "words.studies"), "3 studies");
        assert_eq!(Language::Zh.labels().count(3, "words.studies"), "3 项研究");
    }

    #[test]
    fn languages_parse_from_codes() {
        assert_eq!("zh".parse::<Language>(), Ok(Language::Zh));
        assert_eq!(" EN ".parse::<Language>(), Ok(Language::En));
        assert!(
            "fr".parse::<Language>()
                .unwrap_err()
                .contains("`en` or `zh`")
        );
    }
}
