//! What the template needs to print references: the bibliography files (served by the
//! renderer from the checked texts, see `render::bibliography`), the resolved citation
//! style, and the inbox records listed under "Studies awaiting assessment".
//!
//! The Chinese edition cites in GB/T 7714—2015 (numeric) and prints an entry's Chinese
//! bibliographic data where the curators recorded it ([`CHINESE_FIELDS`]).

use serde::Serialize;

use crate::config::CitationStyle;
use crate::data::Project;
use crate::data::bibliography::Shelf;
use crate::i18n::Language;

/// Where the renderer serves the Vancouver/NLM style evbrief ships inside the Typst world
/// (`render::bibliography`).
pub const BUNDLED_STYLE_PATH: &str = "/evbrief/styles/nlm-citation-sequence.csl";

/// References as the template sees them.
#[derive(Debug, Serialize)]
pub struct ReferencesView {
    /// The `style:` argument of Typst's `bibliography`: a style name or a rooted path.
    pub style: String,
    /// Rooted paths of every bibliography file, curated first, then the inbox.
    pub files: Vec<String>,
    /// Keys of inbox records, cited in full under "Studies awaiting assessment".
    pub awaiting: Vec<String>,
    /// The BibTeX of the methods the brief names (served at [`METHODS_PATH`]).
    #[serde(skip)]
    pub methods_bib: String,
}

/// Where the references of the methods the brief names are served.
pub const METHODS_PATH: &str = "/evbrief/methods.bib";

impl ReferencesView {
    /// Adds the references of `methods` as one more bibliography file.
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
        self.files.push(METHODS_PATH.to_owned());
    }
}

/// The style every Chinese edition cites in: the national standard GB/T 7714—2015.
const CHINESE_STYLE: &str = "gb-7714-2015-numeric";

/// BibTeX fields that hold an entry's Chinese bibliographic data, with the field each
/// one stands for in the Chinese edition.
pub const CHINESE_FIELDS: [(&str, &str); 3] = [
    ("title-zh", "title"),
    ("author-zh", "author"),
    ("journal-zh", "journal"),
];

/// The references view of a validated project, for the edition in `language`: the
/// English edition uses the brief's `citation-style`, the Chinese edition GB/T 7714.
pub fn references_view(project: &Project, language: Language) -> ReferencesView {
    let style = match (
        language,
        CitationStyle::resolve(project.config.citation_style.get_ref()),
    ) {
        (Language::Zh, _) => CHINESE_STYLE.to_owned(),
        (Language::En, Ok(CitationStyle::BuiltIn(name))) => name,
        (Language::En, Ok(CitationStyle::File(path))) => format!("/{path}"),
        // Validation refused anything else; the shipped style is the safe fallback.
        (Language::En, Ok(CitationStyle::Bundled) | Err(_)) => BUNDLED_STYLE_PATH.to_owned(),
    };
    ReferencesView {
        style,
        files: project
            .bibliography
            .files
            .iter()
            .map(|f| format!("/{}", f.file.name))
            .collect(),
        awaiting: project.bibliography.keys(Shelf::Inbox),
        methods_bib: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chinese_edition_cites_in_gb_t_7714() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        assert_eq!(references_view(&project, Language::Zh).style, CHINESE_STYLE);
        assert_ne!(references_view(&project, Language::En).style, CHINESE_STYLE);
    }
}
