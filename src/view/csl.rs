//! The citation style a document is formatted in, and the CSL locales, each parsed once
//! per process.
//!
//! The English edition uses the brief's `citation-style`: the Vancouver/NLM style evbrief
//! ships (`styles/nlm-citation-sequence.csl`; the one built into Typst 0.15's hayagriva
//! prints no authors), a style of hayagriva's archive (the styles Typst knows by name), or
//! the project's own `.csl` file (both parsed by `data` where `citation-style` was
//! checked). The Chinese edition cites in GB/T 7714—2015 (numeric) whatever
//! `citation-style` says.
//!
//! Parsing a CSL style from XML is slow (serde tries variant after variant, formatting an
//! error for each); a `watch` session formats many builds, so parsed styles are kept.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use hayagriva::citationberg::{IndependentStyle, Locale, Style};

use crate::config::CitationStyle;
use crate::data::Project;
use crate::i18n::Language;

/// The Vancouver/NLM style evbrief ships.
const BUNDLED_STYLE: &str = include_str!("styles/nlm-citation-sequence.csl");

/// The style every Chinese edition cites in: the national standard GB/T 7714—2015.
pub const CHINESE_STYLE: &str = "gb-7714-2015-numeric";

/// Every CSL locale of hayagriva's archive (its terms: "et al.", "等", "ed." …).
pub fn locales() -> &'static [Locale] {
    static LOCALES: LazyLock<Vec<Locale>> = LazyLock::new(hayagriva::archive::locales);
    &LOCALES
}

/// Styles parsed so far, by name ("" for the bundled style).
static PARSED: LazyLock<Mutex<HashMap<String, Arc<IndependentStyle>>>> =
    LazyLock::new(Default::default);

/// A built-in style by name (`""`: the bundled NLM style), parsed at its first use.
fn built_in(name: &str) -> Result<Arc<IndependentStyle>, String> {
    let mut parsed = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(style) = parsed.get(name) {
        return Ok(style.clone());
    }
    let style = if name.is_empty() {
        IndependentStyle::from_xml(BUNDLED_STYLE)
            .map_err(|e| format!("the bundled citation style is not valid CSL ({e})"))?
    } else {
        match hayagriva::archive::ArchivedStyle::by_name(name).map(|s| s.get()) {
            Some(Style::Independent(style)) => style,
            Some(Style::Dependent(_)) => {
                return Err(format!("citation style `{name}` is a dependent style"));
            }
            None => return Err(format!("unknown citation style `{name}`")),
        }
    };
    let style = Arc::new(style);
    parsed.insert(name.to_owned(), style.clone());
    Ok(style)
}

/// The style the edition in `language` cites in (see the module header). An error only
/// for a project that skipped validation; validated projects always have their style.
pub fn document_style(
    project: &Project,
    language: Language,
) -> Result<Arc<IndependentStyle>, String> {
    if language == Language::Zh {
        return built_in(CHINESE_STYLE);
    }
    match CitationStyle::resolve(project.config.citation_style.get_ref())? {
        CitationStyle::Bundled => built_in(""),
        // Parsed by validation already, unless the project skipped it.
        CitationStyle::BuiltIn(name) => project
            .bibliography
            .style
            .clone()
            .map_or_else(|| built_in(&name), Ok),
        CitationStyle::File(path) => project
            .bibliography
            .style
            .clone()
            .ok_or_else(|| format!("citation style `{path}` was not loaded")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_are_parsed_once_and_shared() {
        let a = built_in("").unwrap();
        let b = built_in("").unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.info.title.value, "evbrief Vancouver (NLM-like)");
        let gb = built_in(CHINESE_STYLE).unwrap();
        assert!(Arc::ptr_eq(&gb, &built_in(CHINESE_STYLE).unwrap()));
        assert!(built_in("no-such-style").is_err());
    }

    #[test]
    fn the_chinese_edition_cites_in_gb_t_7714() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        let zh = document_style(&project, Language::Zh).unwrap();
        let en = document_style(&project, Language::En).unwrap();
        assert!(
            zh.info.title.value.contains("7714"),
            "{}",
            zh.info.title.value
        );
        assert!(!Arc::ptr_eq(&zh, &en));
    }
}
