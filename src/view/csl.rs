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

use hayagriva::citationberg::{IndependentStyle, Locale, LocaleCode, Style};

use crate::config::CitationStyle;
use crate::data::Project;
use crate::i18n::Language;

/// The Vancouver/NLM style evbrief ships.
const BUNDLED_STYLE: &str = include_str!("styles/nlm-citation-sequence.csl");

/// The style every Chinese edition cites in: the national standard GB/T 7714—2015.
pub const CHINESE_STYLE: &str = "gb-7714-2015-numeric";

/// The CSL locale files of hayagriva's archive (their terms: "et al.", "等", "ed." …) that
/// a request in `locale` can use, parsed once per process.
///
/// hayagriva looks a term up in the style's own locales, then in the locale file of exactly
/// `locale`, then in that of its primary dialect ([`LocaleCode::fallback`]: "zh" → "zh-CN"),
/// then in en-US, and in no other file (`StyleContext::lookup_locale` in hayagriva 0.10).
/// So these files give the same output as all of them, and deserialising 3 of the
/// archive's 60 takes a few milliseconds instead of ~70 (serde formats an error for every
/// variant it tries).
pub fn locales_for(locale: &LocaleCode) -> Arc<[Locale]> {
    static PARSED: LazyLock<Mutex<HashMap<String, Arc<[Locale]>>>> =
        LazyLock::new(Default::default);
    let mut parsed = PARSED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(found) = parsed.get(&locale.0) {
        return found.clone();
    }
    let wanted: Vec<String> = [
        Some(locale.clone()),
        locale.fallback(),
        Some(LocaleCode::en_us()),
    ]
    .into_iter()
    .flatten()
    .map(|code| code.0)
    .collect();
    let files: Arc<[Locale]> = archive_tags()
        .iter()
        .zip(hayagriva::archive::LOCALES)
        .filter(|(tag, _)| tag.as_ref().is_some_and(|t| wanted.contains(t)))
        .filter_map(|(_, bytes)| ciborium::de::from_reader::<Locale, _>(*bytes).ok())
        .collect();
    parsed.insert(locale.0.clone(), files.clone());
    files
}

/// The language tag (`xml:lang`) of each locale file of hayagriva's archive, in archive
/// order, read without deserialising the terms.
fn archive_tags() -> &'static [Option<String>] {
    /// Only the tag of a locale file; serde skips everything else.
    #[derive(serde::Deserialize)]
    struct Tag {
        #[serde(rename = "@xml:lang")]
        lang: Option<String>,
    }
    static TAGS: LazyLock<Vec<Option<String>>> = LazyLock::new(|| {
        hayagriva::archive::LOCALES
            .iter()
            .map(|bytes| {
                ciborium::de::from_reader::<Tag, _>(*bytes)
                    .ok()
                    .and_then(|t| t.lang)
            })
            .collect()
    });
    &TAGS
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
    fn a_locale_gets_its_own_file_its_primary_dialect_and_en_us() {
        let langs = |code: &str| -> Vec<String> {
            let mut l: Vec<String> = locales_for(&LocaleCode(code.into()))
                .iter()
                .filter_map(|l| l.lang.as_ref().map(|c| c.0.clone()))
                .collect();
            l.sort();
            l
        };
        assert_eq!(langs("zh"), ["en-US", "zh-CN"]);
        assert_eq!(langs("en"), ["en-US"]);
        assert_eq!(langs("de-AT"), ["de-AT", "de-DE", "en-US"]);
        // Every file of the archive has a tag, and the subset is parsed once.
        assert!(archive_tags().iter().all(Option::is_some));
        let a = locales_for(&LocaleCode("zh".into()));
        assert!(Arc::ptr_eq(&a, &locales_for(&LocaleCode("zh".into()))));
    }

    #[test]
    fn the_subset_formats_as_the_whole_archive_does() {
        use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest};
        let library = hayagriva::io::from_biblatex_str(
            "@article{a, author = {Zhao, Jian and Wang, Yu and Li, Na and Chen, Bo}, title = {A trial}, journal = {J}, year = {2024}}",
        )
        .unwrap();
        let entry = library.get("a").unwrap();
        let all = hayagriva::archive::locales();
        for (style, code) in [("", "en"), (CHINESE_STYLE, "zh"), (CHINESE_STYLE, "en")] {
            let style = built_in(style).unwrap();
            let render = |files: &[Locale]| {
                let mut driver = BibliographyDriver::new();
                let locale = LocaleCode(code.into());
                driver.citation(CitationRequest::new(
                    vec![CitationItem::with_entry(entry)],
                    &style,
                    Some(locale.clone()),
                    files,
                    None,
                ));
                let done = driver.finish(BibliographyRequest {
                    style: &style,
                    locale: Some(locale),
                    locale_files: files,
                });
                let mut text = String::new();
                for item in done.bibliography.map(|b| b.items).unwrap_or_default() {
                    item.content
                        .write_buf(&mut text, hayagriva::BufWriteFormat::Plain)
                        .unwrap();
                }
                text
            };
            let subset = locales_for(&LocaleCode(code.into()));
            let text = render(&subset);
            assert!(text.to_lowercase().contains("zhao"), "{text}");
            assert_eq!(text, render(&all), "{code}");
        }
    }

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
