//! Which document a build makes: the brief, the handout or the slides.

/// The documents evbrief makes from one analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentFormat {
    /// The full evidence brief (`templates/brief.typ`).
    #[default]
    Brief,
    /// A two-page journal-club handout (`templates/handout.typ`).
    Handout,
    /// A 16:9 slide deck (`templates/slides.typ`).
    Slides,
}

impl DocumentFormat {
    /// Every format.
    pub const ALL: [DocumentFormat; 3] = [
        DocumentFormat::Brief,
        DocumentFormat::Handout,
        DocumentFormat::Slides,
    ];

    /// The name used on the command line and as the output file's stem.
    pub fn name(self) -> &'static str {
        match self {
            DocumentFormat::Brief => "brief",
            DocumentFormat::Handout => "handout",
            DocumentFormat::Slides => "slides",
        }
    }

    /// The main template, relative to the project root.
    pub fn template(self) -> &'static str {
        match self {
            DocumentFormat::Brief => MAIN_TEMPLATE,
            DocumentFormat::Handout => "/templates/handout.typ",
            DocumentFormat::Slides => "/templates/slides.typ",
        }
    }
}

impl std::str::FromStr for DocumentFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown format `{s}` (expected brief, handout or slides)"))
    }
}

/// The brief's main template, relative to the project root.
pub const MAIN_TEMPLATE: &str = "/templates/brief.typ";

/// The version of the view model's shape, which every template names in its first line
/// (`// evbrief-schema: 1`) and the view model carries as `schema`. Raise it when a change
/// to the view model would break a template written for the previous shape (a field
/// renamed, removed or changed in meaning); adding a field does not need it.
pub const VIEW_SCHEMA: u32 = 2;
