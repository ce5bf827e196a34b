//! What the template needs to print citations and references: the label of every
//! citation, the reference list and the records listed under "Studies awaiting
//! assessment", formatted by evbrief ([`super::citations`]) in the document's style.
//!
//! The Chinese edition cites in GB/T 7714—2015 (numeric) and prints an entry's Chinese
//! bibliographic data where the curators recorded it
//! ([`crate::data::chinese_bib::CHINESE_FIELDS`]).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::citations::{self, Formatted, ReferenceEntry, Run};
use super::cite_order::CiteGroup;
use crate::data::Project;
use crate::data::bibliography::Shelf;
use crate::data::chinese_bib::chinese_bibtex;
use crate::i18n::Language;

/// References as the template sees them.
#[derive(Debug, Serialize)]
pub struct ReferencesView {
    /// The label of every citation the document prints, by the cited keys joined with
    /// `,` (`cites(keys)` and `cite-key(key)` in `templates/common.typ` look them up).
    pub citations: BTreeMap<String, Vec<Run>>,
    /// The reference list, in the style's order (numbered styles: order of first
    /// citation): each entry's `key`, its number column `prefix` (or `none`) and `body`.
    pub entries: Vec<ReferenceEntry>,
    /// Whether the style sets the list with a hanging indent (author–date styles).
    pub hanging_indent: bool,
    /// Inbox records, cited in full under "Studies awaiting assessment".
    pub awaiting: Vec<AwaitingView>,
    /// The BibTeX of the methods the brief names.
    #[serde(skip)]
    pub methods_bib: String,
}

/// A record awaiting assessment, as the reference list would print it.
#[derive(Debug, Serialize)]
pub struct AwaitingView {
    /// Bibliography key.
    pub key: String,
    /// The whole reference, formatted when the citations are ([`ReferencesView::format`]).
    pub text: Vec<Run>,
}

impl ReferencesView {
    /// Adds the references of `methods`, cited where the methods are listed.
    pub fn add_methods(&mut self, methods: &[super::vocabulary::MethodRefView]) {
        let named: Vec<crate::analysis::methods::NamedMethod> =
            crate::analysis::methods::NamedMethod::ALL
                .into_iter()
                .filter(|m| methods.iter().any(|v| v.key == m.key()))
                .collect();
        if named.is_empty() {
            return;
        }
        self.methods_bib = crate::analysis::methods::methods_bib(&named);
    }

    /// Formats `groups` (the document's citations in order) and the reference list in
    /// the style of the edition in `language`.
    pub fn format(&mut self, project: &Project, language: Language, groups: &[CiteGroup]) {
        let style = match super::csl::document_style(project, language) {
            Ok(style) => style,
            // Validation refused anything else; the shipped style is the safe fallback.
            Err(_) => match super::csl::document_style(project, Language::En) {
                Ok(style) => style,
                Err(_) => return,
            },
        };
        let libraries = libraries(project, language, &self.methods_bib);
        let index: HashMap<&str, &hayagriva::Entry> = libraries
            .iter()
            .flat_map(|l| l.iter().map(|e| (e.key(), e)))
            .collect();
        let lookup = |key: &str| index.get(key).copied();
        let formatted: Formatted = citations::format(
            &citations::Request {
                entry: &lookup,
                style: &style,
                locale: language.code(),
                english_for_foreign: language == Language::Zh,
            },
            groups,
        );
        self.citations = formatted.labels;
        self.entries = formatted.entries;
        self.hanging_indent = formatted.hanging_indent;
        for a in &mut self.awaiting {
            a.text = formatted.full.get(&a.key).cloned().unwrap_or_default();
        }
    }
}

/// The entries the edition in `language` cites from: the checked bibliography files (in
/// the Chinese edition, BibTeX files with their Chinese fields in place) and the methods'
/// references.
fn libraries(project: &Project, language: Language, methods_bib: &str) -> Vec<hayagriva::Library> {
    let mut out: Vec<hayagriva::Library> = project
        .bibliography
        .files
        .iter()
        .map(|f| {
            let is_bibtex = !(f.file.name.ends_with(".yaml") || f.file.name.ends_with(".yml"));
            if language == Language::Zh && is_bibtex {
                let zh = chinese_bibtex(&f.file.text);
                if zh != *f.file.text {
                    // Keys the checked library holds only: a curated inbox record lives
                    // in a library of its own, and its file's other keys stay out.
                    if let Ok(parsed) = hayagriva::io::from_biblatex_str(&zh) {
                        let mut library = hayagriva::Library::new();
                        for e in parsed.iter().filter(|e| f.library.get(e.key()).is_some()) {
                            library.push(e);
                        }
                        return library;
                    }
                }
            }
            f.library.clone()
        })
        .collect();
    if !methods_bib.is_empty()
        && let Ok(methods) = hayagriva::io::from_biblatex_str(methods_bib)
    {
        out.push(methods);
    }
    out
}

/// The references view of a validated project, before its citations are formatted: the
/// inbox records awaiting assessment.
pub fn references_view(project: &Project) -> ReferencesView {
    ReferencesView {
        citations: BTreeMap::new(),
        entries: Vec::new(),
        hanging_indent: false,
        awaiting: project
            .bibliography
            .keys(Shelf::Inbox)
            .into_iter()
            .map(|key| AwaitingView {
                key,
                text: Vec::new(),
            })
            .collect(),
        methods_bib: String::new(),
    }
}
