//! The citation style named in `brief.toml`, resolved to what Typst will load.
//!
//! Typst 0.15's built-in `nlm-citation-sequence` (alias `vancouver`) prints references
//! without authors (a hayagriva bug fixed after that release), so those two names select
//! the Vancouver/NLM style evbrief ships instead.

use std::path::{Component, Path};

/// The default style: Vancouver/NLM, numbered in order of first citation.
pub const DEFAULT_CITATION_STYLE: &str = "nlm-citation-sequence";

/// Short names people use for styles whose Typst names are longer.
const ALIASES: [(&str, &str); 1] = [("ama", "american-medical-association")];

/// A citation style evbrief can hand to Typst.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CitationStyle {
    /// The Vancouver/NLM style shipped with evbrief.
    Bundled,
    /// A style built into Typst, by its Typst name (e.g. `gb-7714-2015-numeric`).
    BuiltIn(String),
    /// A `.csl` file, by its path relative to the project.
    File(String),
}

impl CitationStyle {
    /// Resolves a style name or project-relative `.csl` path; the error says why not.
    ///
    /// A `.csl` path must stay inside the project (relative, no `..`); whether the file
    /// exists and is valid CSL is checked where files are read.
    pub fn resolve(name: &str) -> Result<Self, String> {
        if name.ends_with(".csl") {
            let path = Path::new(name);
            let inside = path.is_relative()
                && path
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
            return if inside {
                Ok(CitationStyle::File(name.to_owned()))
            } else {
                Err("citation-style must be a path inside the project".to_owned())
            };
        }
        if name == DEFAULT_CITATION_STYLE || name == "vancouver" {
            return Ok(CitationStyle::Bundled);
        }
        let typst_name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map_or(name, |(_, full)| full);
        match hayagriva::archive::ArchivedStyle::by_name(typst_name) {
            Some(_) => Ok(CitationStyle::BuiltIn(typst_name.to_owned())),
            None => Err(format!(
                "unknown citation style `{name}` (use nlm-citation-sequence, gb-7714-2015-numeric, ama, apa, another Typst style name, or a .csl file in the project)"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_what_typst_loads() {
        assert_eq!(
            CitationStyle::resolve("nlm-citation-sequence"),
            Ok(CitationStyle::Bundled)
        );
        assert_eq!(
            CitationStyle::resolve("vancouver"),
            Ok(CitationStyle::Bundled)
        );
        assert_eq!(
            CitationStyle::resolve("ama"),
            Ok(CitationStyle::BuiltIn(
                "american-medical-association".into()
            ))
        );
        for name in ["apa", "gb-7714-2015-numeric", "ieee"] {
            assert_eq!(
                CitationStyle::resolve(name),
                Ok(CitationStyle::BuiltIn(name.into()))
            );
        }
        assert_eq!(
            CitationStyle::resolve("styles/my journal.csl"),
            Ok(CitationStyle::File("styles/my journal.csl".into()))
        );
    }

    #[test]
    fn unknown_names_and_outside_paths_are_refused() {
        assert!(
            CitationStyle::resolve("harvard-ish")
                .unwrap_err()
                .starts_with("unknown citation style `harvard-ish`")
        );
        for path in ["../x.csl", "/etc/x.csl", "a/../../x.csl"] {
            assert_eq!(
                CitationStyle::resolve(path),
                Err("citation-style must be a path inside the project".to_owned())
            );
        }
    }
}
