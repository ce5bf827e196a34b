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
    text.match_indices(term)
        .any(|(at, _)| is_word_at(text, at, at + term.len()))
}

/// For each of `terms`, whether any of `texts` uses it as a word: the answers of
/// [`uses_term`], found in one pass over each text for all terms together (an Aho–Corasick
/// automaton) instead of one substring search per term and text. A brief's view has
/// thousands of short texts, and building a substring searcher for each was most of the
/// cost of the abbreviations list (about 15 million instructions, 4 ms, per rebuild of the
/// bundled brief).
///
/// Like `str::match_indices`, which [`uses_term`] tries, the occurrences of one term are
/// taken leftmost first and without overlapping each other; the automaton reports every
/// occurrence, so the ones that would overlap the last one taken are skipped.
pub fn terms_used(texts: &[&str], terms: &[&str]) -> Vec<bool> {
    let mut used = vec![false; terms.len()];
    // An empty term matches everywhere; it keeps the plain search's answer.
    for (i, term) in terms.iter().enumerate() {
        if term.is_empty() {
            used[i] = texts.iter().any(|t| uses_term(t, term));
        }
    }
    let searched: Vec<usize> = (0..terms.len()).filter(|&i| !terms[i].is_empty()).collect();
    let Ok(automaton) = aho_corasick::AhoCorasick::new(searched.iter().map(|&i| terms[i])) else {
        // Too many or too long terms for the automaton: search term by term.
        for &i in &searched {
            used[i] = texts.iter().any(|t| uses_term(t, terms[i]));
        }
        return used;
    };
    let mut next_allowed = vec![0usize; searched.len()];
    for text in texts {
        next_allowed.iter_mut().for_each(|n| *n = 0);
        for m in automaton.find_overlapping_iter(*text) {
            let k = m.pattern().as_usize();
            if used[searched[k]] || m.start() < next_allowed[k] {
                continue;
            }
            next_allowed[k] = m.end();
            if is_word_at(text, m.start(), m.end()) {
                used[searched[k]] = true;
            }
        }
        if used.iter().all(|u| *u) {
            break;
        }
    }
    used
}

/// Whether `text[start..end]` stands as a word of its own (see [`uses_term`]).
fn is_word_at(text: &str, start: usize, end: usize) -> bool {
    let joins = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    // "hUC-MSC" holds "UC-MSC" but not as a word; "-" before a term joins it too.
    !joins(before) && before != Some('-') && !joins(after)
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
    // The brief's own expansion comes last, so it wins over a built-in one.
    let candidates: Vec<(&str, &str)> = builtin()
        .keys()
        .filter_map(|term| Some((term.as_str(), builtin_expansion(term, language)?)))
        .chain(glossary.iter().map(|(t, e)| (t.as_str(), e.as_str())))
        .collect();
    let terms: Vec<&str> = candidates.iter().map(|(term, _)| *term).collect();
    let used = terms_used(&texts, &terms);
    let mut entries: BTreeMap<String, GlossaryEntry> = BTreeMap::new();
    for ((term, expansion), used) in candidates.into_iter().zip(used) {
        if used {
            entries.insert(
                term.to_owned(),
                GlossaryEntry {
                    term: term.to_owned(),
                    expansion: expansion.to_owned(),
                },
            );
        }
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
    fn all_terms_at_once_agree_with_one_term_at_a_time() {
        assert!(!uses_term("a!!! ", "!!"));
        let texts = [
            "RR 3.88 (95% CI 1.45 to 10.35)",
            "T2DM合并NAFLD",
            "hUC-MSC 1×10⁶ cells",
            "MDS and CIs",
            "UC-MSC",
            "Oral drugs or insulin",
            "RRR RR-",
            "aaa",
            "a.a.a b",
            // "!!" at 1 is taken (and is no word); the overlapping one at 2 would be.
            "a!!! ",
            "",
        ];
        let terms = [
            "CI", "T2DM", "NAFLD", "UC-MSC", "hUC-MSC", "MD", "MSC", "OR", "RR", "aa", "a.a",
            "RRR", "CIs", "", "NAFLD", "x", "!!",
        ];
        // Every subset of texts, so a term found in one text and not another is covered.
        for mask in 0u32..(1 << texts.len()) {
            let some: Vec<&str> = (0..texts.len())
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| texts[i])
                .collect();
            let expected: Vec<bool> = terms
                .iter()
                .map(|term| some.iter().any(|t| uses_term(t, term)))
                .collect();
            assert_eq!(terms_used(&some, &terms), expected, "{some:?}");
        }
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
