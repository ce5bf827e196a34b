//! The abbreviations list: which abbreviations a document uses, with their expansions in
//! its language.
//!
//! Two sources: the built-in glossary of evbrief's own words (`glossary.toml`: statistics,
//! risk-of-bias tools, GRADE) and the brief's `[glossary]` for clinical terms (with
//! `[translations.zh.glossary]` for their Chinese expansions). A term counts as used when
//! it stands in the document's text as a word of its own: not inside a longer word of
//! ASCII letters and digits (so "MD" is not found in "MDS" and "UC-MSC" not in
//! "hUC-MSC"), while Chinese characters next to it do not join it ("T2DM合并NAFLD").

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::Language;

/// One line of the abbreviations list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GlossaryEntry {
    /// The abbreviation as printed ("HOMA-IR").
    pub term: String,
    /// Its expansion in the document's language.
    pub expansion: String,
}

#[derive(Deserialize)]
struct Expansions {
    en: String,
    zh: String,
}

fn builtin() -> &'static BTreeMap<String, Expansions> {
    static TABLE: OnceLock<BTreeMap<String, Expansions>> = OnceLock::new();
    TABLE.get_or_init(|| {
        // A test parses the shipped file; an empty table is the only fallback needed.
        toml::from_str(include_str!("glossary.toml")).unwrap_or_default()
    })
}

/// The built-in expansion of `term` in `language`, if evbrief knows it.
pub fn builtin_expansion(term: &str, language: Language) -> Option<&'static str> {
    builtin().get(term).map(|e| match language {
        Language::En => e.en.as_str(),
        Language::Zh => e.zh.as_str(),
    })
}

/// True when `term` stands in `text` as a word of its own (see the module header).
pub fn uses_term(text: &str, term: &str) -> bool {
    let joins = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(term).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + term.len()..].chars().next();
        // "hUC-MSC" holds "UC-MSC" but not as a word; "-" before a term joins it too.
        !joins(before) && before != Some('-') && !joins(after)
    })
}

/// The abbreviations list of a document in `language` whose printed texts are `texts`:
/// every built-in or brief-defined term the texts use, sorted case-insensitively. The
/// brief's `glossary` (already localised) wins over a built-in expansion of the same term.
pub fn abbreviations<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    glossary: &BTreeMap<String, String>,
    language: Language,
) -> Vec<GlossaryEntry> {
    let texts: Vec<&str> = texts.into_iter().collect();
    let mut entries: BTreeMap<String, GlossaryEntry> = BTreeMap::new();
    let mut add = |term: &str, expansion: &str| {
        if texts.iter().any(|t| uses_term(t, term)) {
            entries.insert(
                term.to_owned(),
                GlossaryEntry {
                    term: term.to_owned(),
                    expansion: expansion.to_owned(),
                },
            );
        }
    };
    for term in builtin().keys() {
        if let Some(expansion) = builtin_expansion(term, language) {
            add(term, expansion);
        }
    }
    for (term, expansion) in glossary {
        add(term, expansion);
    }
    let mut list: Vec<GlossaryEntry> = entries.into_values().collect();
    list.sort_by(|a, b| {
        a.term
            .to_lowercase()
            .cmp(&b.term.to_lowercase())
            .then(a.term.cmp(&b.term))
    });
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_glossary_parses_and_has_both_languages() {
        let table: BTreeMap<String, Expansions> =
            toml::from_str(include_str!("glossary.toml")).expect("glossary.toml parses");
        assert!(table.len() >= 15);
        for (term, e) in &table {
            assert!(!e.en.is_empty() && !e.zh.is_empty(), "{term}");
        }
        assert_eq!(builtin_expansion("CI", Language::Zh), Some("置信区间"));
        assert_eq!(
            builtin_expansion("RoB 2", Language::En).map(|e| e.starts_with("Cochrane")),
            Some(true)
        );
    }

    #[test]
    fn terms_are_found_as_words_only() {
        assert!(uses_term("RR 3.88 (95% CI 1.45 to 10.35)", "CI"));
        assert!(uses_term("T2DM合并NAFLD", "T2DM"));
        assert!(uses_term("T2DM合并NAFLD", "NAFLD"));
        assert!(!uses_term("hUC-MSC 1×10⁶ cells", "UC-MSC"));
        assert!(uses_term("hUC-MSC 1×10⁶ cells", "hUC-MSC"));
        assert!(!uses_term("MDS and CIs", "MD"));
        assert!(uses_term("MSC-treated group", "MSC"));
        assert!(!uses_term("UC-MSC", "MSC"));
        assert!(!uses_term("Oral drugs or insulin", "OR"));
    }

    #[test]
    fn the_list_holds_what_the_text_uses_with_the_brief_winning() {
        let mut glossary = BTreeMap::new();
        glossary.insert("T2DM".to_owned(), "type 2 diabetes mellitus".to_owned());
        glossary.insert(
            "NAFLD".to_owned(),
            "non-alcoholic fatty liver disease".to_owned(),
        );
        glossary.insert("CI".to_owned(), "confidence interval (95%)".to_owned());
        let list = abbreviations(
            [
                "Adults with T2DM: MD −1.59 (95% CI −2.73 to −0.45)",
                "GRADE: very low",
            ],
            &glossary,
            Language::En,
        );
        let terms: Vec<&str> = list.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(terms, ["CI", "GRADE", "MD", "T2DM"]);
        assert_eq!(list[0].expansion, "confidence interval (95%)");
        let zh = abbreviations(["均数差（MD）"], &BTreeMap::new(), Language::Zh);
        assert_eq!(zh[0].expansion, "均数差");
    }
}
