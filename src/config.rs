//! The brief's own settings: `brief.toml` (title, review question, outcomes, style).
//!
//! Owns the file shape only; checks that need the studies live in `data::validate`.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// Everything `brief.toml` says about the brief as a whole.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BriefConfig {
    /// Title printed on the first page and in the PDF metadata.
    pub title: String,
    /// Optional line under the title.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// The date the evidence was last searched and curated; fixes the PDF timestamp.
    pub as_of: Spanned<toml::value::Datetime>,
    /// Two-letter language code of the brief ("en" or "zh").
    #[serde(default = "default_language")]
    pub language: String,
    /// A CSL style name built into Typst or a `.csl` path relative to the project.
    #[serde(default = "default_style")]
    pub citation_style: Spanned<String>,
    /// People responsible for the brief.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The curated "bottom line": a few sentences a clinician reads first.
    #[serde(default)]
    pub bottom_line: Vec<String>,
    /// The review question in PICO form.
    pub question: Question,
    /// Outcomes the brief reports, in reading order.
    #[serde(default)]
    pub outcomes: Vec<Spanned<OutcomeDef>>,
}

fn default_language() -> String {
    "en".to_owned()
}

/// The shipped Vancouver-like style: Typst 0.15's built-in NLM style drops authors.
pub const DEFAULT_CITATION_STYLE: &str = "templates/vancouver.csl";

fn default_style() -> Spanned<String> {
    Spanned::new(0..0, DEFAULT_CITATION_STYLE.to_owned())
}

/// Population, intervention, comparison and outcomes of the review question.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Question {
    /// Who the evidence is about.
    pub population: String,
    /// The treatment assessed.
    pub intervention: String,
    /// What it is compared with.
    pub comparison: String,
    /// The outcomes that matter, in words.
    pub outcomes: String,
}

/// One outcome the brief reports on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct OutcomeDef {
    /// Identifier used by study files (`outcome = "fpg"`).
    pub id: String,
    /// Human label ("Fasting plasma glucose").
    pub label: String,
    /// Unit of the reported values ("mmol/L", "% of patients").
    pub unit: String,
    /// Continuous measurements or binary events.
    pub kind: OutcomeKind,
    /// Which direction is good for patients.
    pub better: Direction,
}

/// Whether an outcome is measured on a scale or counted as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    /// Measured values (mean, SD, median …).
    Continuous,
    /// Events out of participants.
    Binary,
}

/// Which direction of an outcome favours the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Larger values or more events are better.
    Higher,
    /// Smaller values or fewer events are better.
    Lower,
}
