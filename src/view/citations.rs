//! Citations and the reference list, formatted by evbrief with hayagriva (the engine Typst
//! uses) and handed to the template as text runs.
//!
//! Typst's own `cite`/`bibliography` cost quadratic time (every citation group queries
//! and hashes all others) and most of the memory of a large brief. Here the document's
//! citation groups ([`super::cite_order`]) go through one [`BibliographyDriver`] exactly
//! as Typst sends them (one citation request per group, in document order, the same style
//! and locale), so numbering, ranges ("[1–3]") and entries are Typst's, in linear time.
//! Unlike Typst's, the citations do not link to their entries (see `show-runs` in
//! `templates/common.typ` for why).
//! Identical groups are formatted once: the first occurrence of a group is where all its
//! keys may first appear, so numbering by first citation is unchanged.
//!
//! Two defects of the GB/T 7714 rendering are mended on the way (the Chinese edition):
//! an entry that is not Chinese takes its terms from English ("et al.", not "等"), as the
//! standard asks, and an entry without a title drops the document-type code ("[J/OL]")
//! that would otherwise stand after nothing.

use std::collections::{BTreeMap, HashSet};

use hayagriva::citationberg::{
    Display, FontStyle, FontVariant, FontWeight, IndependentStyle, LocaleCode, TextDecoration,
    VerticalAlign,
};
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose, ElemChild,
    ElemChildren, Entry, Formatting, Rendered,
};
use serde::Serialize;

use super::cite_order::{CiteForm, CiteGroup};
use super::csl::locales_for;

/// A piece of text with one formatting, as the template prints it (`show-runs` in
/// `templates/common.typ`). Flags that are off are left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Run {
    /// The text.
    pub text: String,
    /// Italic (`emph`).
    #[serde(skip_serializing_if = "is_false")]
    pub italic: bool,
    /// Small capitals.
    #[serde(skip_serializing_if = "is_false")]
    pub smallcaps: bool,
    /// Bold (`strong`).
    #[serde(skip_serializing_if = "is_false")]
    pub bold: bool,
    /// Light weight.
    #[serde(skip_serializing_if = "is_false")]
    pub light: bool,
    /// Underlined.
    #[serde(skip_serializing_if = "is_false")]
    pub underline: bool,
    /// `"super"` or `"sub"` for raised or lowered text (superscript citation numbers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script: Option<&'static str>,
    /// The address the text links to (a DOI or URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !b
}

impl Run {
    fn new(text: &str, f: &Formatting, link: Option<&str>) -> Self {
        Run {
            text: text.to_owned(),
            italic: f.font_style == FontStyle::Italic,
            smallcaps: f.font_variant == FontVariant::SmallCaps,
            bold: f.font_weight == FontWeight::Bold,
            light: f.font_weight == FontWeight::Light,
            underline: f.text_decoration == TextDecoration::Underline,
            script: match f.vertical_align {
                VerticalAlign::Sup => Some("super"),
                VerticalAlign::Sub => Some("sub"),
                VerticalAlign::None | VerticalAlign::Baseline => None,
            },
            link: link.map(str::to_owned),
        }
    }

    /// Whether `other` prints with the same formatting, outside links and raised or
    /// lowered text (each of which Typst sets as an element of its own), so the two join.
    fn joins(&self, other: &Run) -> bool {
        self.link.is_none()
            && other.link.is_none()
            && self.script.is_none()
            && Run {
                text: String::new(),
                ..self.clone()
            } == Run {
                text: String::new(),
                ..other.clone()
            }
    }
}

/// The plain text of runs (tests, diagnostics).
pub fn plain(runs: &[Run]) -> String {
    runs.iter().map(|r| r.text.as_str()).collect()
}

/// One entry of the reference list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReferenceEntry {
    /// Bibliography key.
    pub key: String,
    /// The number column ("1.", "[1]") of styles that align the text after it; `None`
    /// for styles without one (author–date styles).
    pub prefix: Option<Vec<Run>>,
    /// The reference.
    pub body: Vec<Run>,
}

/// Everything the template prints of the bibliography.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Formatted {
    /// The label of every citation group, by its keys joined with `,` ("zang2022" →
    /// "[1]", "zhao2024,zhao2024-news" → "[2,3]").
    pub labels: BTreeMap<String, Vec<Run>>,
    /// The whole reference of every key cited in full, by key.
    pub full: BTreeMap<String, Vec<Run>>,
    /// The reference list: every cited entry, in the style's order.
    pub entries: Vec<ReferenceEntry>,
    /// Whether the style sets the list with a hanging indent.
    pub hanging_indent: bool,
}

/// What to format, and how.
pub struct Request<'a> {
    /// The entry of a key (`None`: not in the bibliography; its citations are skipped).
    pub entry: &'a dyn Fn(&str) -> Option<&'a Entry>,
    /// The style.
    pub style: &'a IndependentStyle,
    /// The document's language as Typst names it (`en`, `zh`): the locale of the terms.
    pub locale: &'a str,
    /// Whether entries that are not in the document's language take their terms from
    /// English (the Chinese edition's GB/T 7714: "et al." for English entries).
    pub english_for_foreign: bool,
}

/// Formats the citation groups `groups` (in document order) and the reference list.
pub fn format(request: &Request, groups: &[CiteGroup]) -> Formatted {
    // Distinct groups, in order of first occurrence, with their entries.
    let mut seen = HashSet::new();
    let mut distinct: Vec<(&CiteGroup, Vec<&Entry>)> = Vec::new();
    for g in groups {
        if !seen.insert(g) {
            continue;
        }
        let entries: Vec<&Entry> = g.keys.iter().filter_map(|k| (request.entry)(k)).collect();
        if !entries.is_empty() {
            distinct.push((g, entries));
        }
    }
    let native = drive(&distinct, request.style, request.locale);
    let chinese = |e: &Entry| is_chinese(e);
    let foreign: Option<Rendered> = (request.english_for_foreign
        && distinct.iter().flat_map(|(_, es)| es).any(|e| !chinese(e)))
    .then(|| drive(&distinct, request.style, "en"));
    let pick = |e: &Entry| match &foreign {
        Some(english) if !chinese(e) => english,
        _ => &native,
    };

    let mut out = Formatted::default();
    for (i, (g, entries)) in distinct.iter().enumerate() {
        match g.form {
            CiteForm::Label => {
                let runs = citation_runs(&native.citations[i].citation);
                out.labels.insert(g.keys.join(","), runs);
            }
            CiteForm::Full => {
                let Some(entry) = entries.first() else {
                    continue;
                };
                let mut runs = citation_runs(&pick(entry).citations[i].citation);
                mend(entry, &mut runs);
                out.full.insert(g.keys.join(","), runs);
            }
        }
    }
    if let Some(bib) = &native.bibliography {
        out.hanging_indent = bib.hanging_indent;
        let english = foreign.as_ref().and_then(|r| r.bibliography.as_ref());
        for (k, item) in bib.items.iter().enumerate() {
            let Some(entry) = (request.entry)(&item.key) else {
                continue;
            };
            // Both renderings list the same entries in the same order (the order does
            // not depend on terms), so the English item is at the same place.
            let item = match english {
                Some(english) if !chinese(entry) => english.items.get(k).unwrap_or(item),
                _ => item,
            };
            let mut prefix = item.first_field.as_ref().map(|f| {
                let mut runs = Vec::new();
                push_child(f, &mut runs, None, false);
                runs
            });
            let mut body = Vec::new();
            for child in &item.content.0 {
                push_child(child, &mut body, Some(&mut prefix), false);
            }
            mend(entry, &mut body);
            out.entries.push(ReferenceEntry {
                key: item.key.clone(),
                prefix,
                body,
            });
        }
    }
    out
}

/// One pass of hayagriva's driver over the distinct groups, as Typst makes it.
fn drive(groups: &[(&CiteGroup, Vec<&Entry>)], style: &IndependentStyle, locale: &str) -> Rendered {
    let locale = LocaleCode(locale.to_owned());
    let locale_files = locales_for(&locale);
    let mut driver = BibliographyDriver::new();
    for (g, entries) in groups {
        let purpose = match g.form {
            CiteForm::Label => None,
            CiteForm::Full => Some(CitePurpose::Full),
        };
        let items = entries
            .iter()
            .map(|e| CitationItem::new(*e, None, None, false, purpose))
            .collect();
        driver.citation(CitationRequest::new(
            items,
            style,
            Some(locale.clone()),
            &locale_files,
            None,
        ));
    }
    driver.finish(BibliographyRequest {
        style,
        locale: Some(locale),
        locale_files: &locale_files,
    })
}

/// Whether an entry is Chinese: its language says so, or its title or authors are
/// written in Chinese characters.
fn is_chinese(entry: &Entry) -> bool {
    if let Some(language) = entry.language() {
        return language.language.as_str() == "zh";
    }
    let title = entry.title().map(|t| t.value.to_str().into_owned());
    let authors = entry
        .authors()
        .map(|a| a.iter().map(|p| p.name.as_str()).collect::<String>());
    [title, authors]
        .iter()
        .flatten()
        .any(|t| crate::text::has_cjk(t))
}

/// Mends what GB/T 7714 prints for an entry without a title: the document-type code
/// ("[J/OL]") that follows the title, which would stand after nothing, goes with the
/// separator before it.
fn mend(entry: &Entry, runs: &mut Vec<Run>) {
    if entry.title().is_some() {
        return;
    }
    let Some(i) = runs.iter().position(|r| type_code_at(&r.text).is_some()) else {
        return;
    };
    let (start, end) = type_code_at(&runs[i].text).unwrap_or_default();
    let text = &runs[i].text;
    // "…, 等. [J/OL]. World J…" → "…, 等. World J…": the code and the ". " after it.
    let rest = text[end..].strip_prefix(". ").unwrap_or(&text[end..]);
    let mut mended = text[..start].to_owned();
    mended.push_str(rest);
    runs[i].text = mended;
    if runs[i].text.is_empty() {
        runs.remove(i);
    }
}

/// The byte range of a GB/T 7714 document-type code ("[J]", "[J/OL]", "[EB/OL]", "[Z]")
/// in `text`, if it has one.
fn type_code_at(text: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| i + from) {
        let close = text[open..].find(']').map(|i| i + open)?;
        let code = &text[open + 1..close];
        let is_code = !code.is_empty()
            && code.len() <= 6
            && code.chars().all(|c| c.is_ascii_uppercase() || c == '/');
        if is_code {
            return Some((open, close + 1));
        }
        from = close;
    }
    None
}

/// A rendered citation as runs; leading space of the citation is dropped, as Typst does.
fn citation_runs(children: &ElemChildren) -> Vec<Run> {
    let mut runs = Vec::new();
    for (i, child) in children.0.iter().enumerate() {
        push_child(child, &mut runs, None, i == 0);
    }
    runs
}

/// Appends `child` to `out` as Typst shows it; `left-margin` parts of a reference go to
/// its number column (`prefix`), as Typst's bibliography does.
fn push_child(
    child: &ElemChild,
    out: &mut Vec<Run>,
    mut prefix: Option<&mut Option<Vec<Run>>>,
    trim_start: bool,
) {
    match child {
        ElemChild::Text(t) => {
            let text = if trim_start {
                t.text.trim_start()
            } else {
                &t.text
            };
            push_run(out, Run::new(text, &t.formatting, None));
        }
        ElemChild::Elem(e) => {
            let block = matches!(e.display, Some(Display::Block | Display::Indent));
            let mut inner = Vec::new();
            for c in &e.children.0 {
                let p = if block { None } else { prefix.as_deref_mut() };
                push_child(c, &mut inner, p, false);
            }
            if e.display == Some(Display::LeftMargin)
                && let Some(prefix) = prefix
            {
                let column = prefix.get_or_insert_with(Vec::new);
                for r in inner {
                    push_run(column, r);
                }
                return;
            }
            for r in inner {
                push_run(out, r);
            }
        }
        ElemChild::Markup(m) => push_run(out, Run::new(m, &Formatting::default(), None)),
        ElemChild::Link { text, url } => {
            push_run(out, Run::new(&text.text, &text.formatting, Some(url)));
        }
        // Supplements ("p. 3") are not used.
        ElemChild::Transparent { .. } => {}
    }
}

/// Appends a run, joining it to the last one when they print alike.
fn push_run(out: &mut Vec<Run>, run: Run) {
    if run.text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.joins(&run) => last.text.push_str(&run.text),
        _ => out.push(run),
    }
}

#[cfg(test)]
#[path = "citations_tests.rs"]
mod tests;
