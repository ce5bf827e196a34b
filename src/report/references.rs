//! What the template needs to print references: the bibliography files (served from the
//! checked texts), the resolved citation style, and the inbox records listed under
//! "Studies awaiting assessment".

use serde::Serialize;

use super::world::BriefWorld;
use crate::config::CitationStyle;
use crate::data::Project;
use crate::data::bibliography::Shelf;

/// The Vancouver/NLM style evbrief ships (Typst 0.15's built-in one drops authors).
const BUNDLED_STYLE: &str = include_str!("styles/nlm-citation-sequence.csl");

/// Where the shipped style is served inside the Typst world.
const BUNDLED_STYLE_PATH: &str = "/evbrief/styles/nlm-citation-sequence.csl";

/// References as the template sees them.
#[derive(Debug, Serialize)]
pub struct ReferencesView {
    /// The `style:` argument of Typst's `bibliography`: a style name or a rooted path.
    pub style: String,
    /// Rooted paths of every bibliography file, curated first, then the inbox.
    pub files: Vec<String>,
    /// Keys of inbox records, cited in full under "Studies awaiting assessment".
    pub awaiting: Vec<String>,
}

/// The references view of a validated project.
pub fn references_view(project: &Project) -> ReferencesView {
    let style = match CitationStyle::resolve(project.config.citation_style.get_ref()) {
        Ok(CitationStyle::BuiltIn(name)) => name,
        Ok(CitationStyle::File(path)) => format!("/{path}"),
        // Validation refused anything else; the shipped style is the safe fallback.
        Ok(CitationStyle::Bundled) | Err(_) => BUNDLED_STYLE_PATH.to_owned(),
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
    }
}

/// Serves the checked bibliography texts and the shipped style to Typst, so the PDF is
/// made from exactly what was validated.
pub fn serve(world: &mut BriefWorld, project: &Project) {
    for f in &project.bibliography.files {
        world.set_virtual(
            &format!("/{}", f.file.name),
            f.file.text.as_bytes().to_vec(),
        );
    }
    world.set_virtual(BUNDLED_STYLE_PATH, BUNDLED_STYLE.as_bytes().to_vec());
}
