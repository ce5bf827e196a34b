//! The brief's own settings: `brief.toml` (title, review question, outcomes, style).
//!
//! Owns the file shape only; checks that need the studies live in `data::validate`.

pub mod analyses;
pub mod bottom_line;
pub mod certainty;
pub mod pdf;
pub mod screening;
pub mod searches;
pub mod style;

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use analyses::Proportions;
pub use bottom_line::BottomLineSentence;
pub use certainty::SofRow;
pub use pdf::{PdfA, PdfConformance};
pub use searches::SavedSearch;
pub use style::{CitationStyle, DEFAULT_CITATION_STYLE};

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
    /// Paper size of the PDF.
    #[serde(default)]
    pub paper: Paper,
    /// The language of the brief (`en` or `zh`); `build --lang` overrides it.
    #[serde(default)]
    pub language: crate::i18n::Language,
    /// A citation style: `nlm-citation-sequence` (default), a Typst style name, an alias
    /// such as `ama`, or a `.csl` path relative to the project (see [`CitationStyle`]).
    #[serde(default = "default_style")]
    pub citation_style: Spanned<String>,
    /// People responsible for the brief.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The curated "bottom line": a few sentences a clinician reads first, each a string
    /// or a table naming the results it rests on (see [`BottomLineSentence`]).
    #[serde(default)]
    pub bottom_line: Vec<Spanned<BottomLineSentence>>,
    /// Abbreviations the curated texts use, with their expansions (`T2DM = "type 2
    /// diabetes mellitus"`); the abbreviations list prints those the document uses, next
    /// to the built-in statistics and GRADE terms.
    #[serde(default)]
    pub glossary: std::collections::BTreeMap<String, String>,
    /// The review question in PICO form.
    pub question: Question,
    /// How outcomes are analysed unless an outcome says otherwise.
    #[serde(default)]
    pub analysis: AnalysisDefaults,
    /// Outcomes the brief reports, in reading order.
    #[serde(default)]
    pub outcomes: Vec<Spanned<OutcomeDef>>,
    /// Rows of the GRADE summary-of-findings table: the critical outcomes, with the
    /// curator's certainty judgements.
    #[serde(default)]
    pub summary_of_findings: Vec<Spanned<SofRow>>,
    /// What the journal-club handout and slides show.
    #[serde(default)]
    pub journal_club: JournalClub,
    /// The curated texts in other languages (`[translations.zh]`), used by that edition.
    #[serde(default)]
    pub translations: Translations,
    /// PDF standards every document of the brief conforms to (`["a-2b", "ua-1"]`);
    /// none by default. See [`PdfConformance`].
    #[serde(default)]
    pub pdf_standards: PdfConformance,
    /// How much per-study detail the brief prints (`auto`, `full` or `summary`); see
    /// [`Detail`].
    #[serde(default)]
    pub detail: Detail,
    /// Saved literature searches (`[[searches]]`), run by `evbrief search`.
    #[serde(default)]
    pub searches: Vec<Spanned<SavedSearch>>,
    /// An e-mail address the search sources may reach the curator at (PubMed `email`,
    /// Crossref `mailto`); `EVBRIEF_CONTACT` overrides it.
    #[serde(default)]
    pub contact: Option<Spanned<String>>,
    /// The reasons a record may be excluded for at screening (`[screening] reasons`).
    #[serde(default)]
    pub screening: screening::Screening,
}

impl BriefConfig {
    /// Texts of `brief.toml` that `[translations.zh]` does not translate: outcome labels,
    /// units in words and bottom-line sentences (spans of the outcome or sentence), for
    /// `evbrief check --lang zh`.
    pub fn missing_zh_translations(&self) -> Vec<(std::ops::Range<usize>, String)> {
        let t = self.translations.zh.clone().unwrap_or_default();
        let mut missing = Vec::new();
        for o in &self.outcomes {
            let def = o.get_ref();
            if !t.outcomes.contains_key(&def.id) && crate::i18n::has_words(&def.label) {
                missing.push((
                    o.span(),
                    format!(
                        "outcome `{}` has no label in `[translations.zh.outcomes]`",
                        def.id
                    ),
                ));
            }
            if !t.units.contains_key(&def.id) && unit_has_words(&def.unit) {
                missing.push((
                    o.span(),
                    format!(
                        "outcome `{}` has no unit in `[translations.zh.units]`",
                        def.id
                    ),
                ));
            }
        }
        for s in self.bottom_line.iter().skip(t.bottom_line.len()) {
            missing.push((
                s.span(),
                "bottom-line sentence without a `[translations.zh] bottom-line` translation".into(),
            ));
        }
        missing
    }

    /// This configuration as the edition in `language` prints it: every curated text
    /// that has a translation replaced by it; texts without one stay as written.
    pub fn localised(&self, language: crate::i18n::Language) -> BriefConfig {
        let mut config = self.clone();
        config.language = language;
        let translation = match language {
            crate::i18n::Language::En => return config,
            crate::i18n::Language::Zh => self.translations.zh.clone(),
        };
        let Some(t) = translation else { return config };
        let replace = |target: &mut String, value: Option<String>| {
            if let Some(v) = value {
                *target = v;
            }
        };
        replace(&mut config.title, t.title);
        if t.subtitle.is_some() {
            config.subtitle = t.subtitle;
        }
        if !t.authors.is_empty() {
            config.authors = t.authors;
        }
        if !t.bottom_line.is_empty() {
            // A translated sentence without citations rests on what the sentence of the
            // main language at the same place cites.
            let cited: Vec<_> = self
                .bottom_line
                .iter()
                .map(|s| s.get_ref().rests_on.clone())
                .collect();
            config.bottom_line = t.bottom_line;
            for (i, s) in config.bottom_line.iter_mut().enumerate() {
                let s = s.get_mut();
                if s.rests_on.is_empty()
                    && let Some(c) = cited.get(i)
                {
                    s.rests_on.clone_from(c);
                }
            }
        }
        for (abbreviation, expansion) in t.glossary {
            config.glossary.insert(abbreviation, expansion);
        }
        if !t.discussion_questions.is_empty() {
            config.journal_club.discussion_questions = t.discussion_questions;
        }
        let q = t.question;
        replace(&mut config.question.population, q.population);
        replace(&mut config.question.intervention, q.intervention);
        replace(&mut config.question.comparison, q.comparison);
        replace(
            &mut config.question.intervention_short,
            q.intervention_short,
        );
        replace(&mut config.question.comparison_short, q.comparison_short);
        replace(&mut config.question.outcomes, q.outcomes);
        for o in &mut config.outcomes {
            let o = o.get_mut();
            if let Some(label) = t.outcomes.get(&o.id) {
                o.label = label.get_ref().clone();
            }
            if let Some(unit) = t.units.get(&o.id) {
                o.unit = unit.get_ref().clone();
            }
        }
        for row in &mut config.summary_of_findings {
            let row = row.get_mut();
            if let Some(id) = row.adverse_event.as_ref()
                && let Some(label) = t.adverse_events.get(id.get_ref())
            {
                row.label = Some(label.get_ref().clone());
            }
        }
        config
    }
}

/// True when a unit is words to translate ("% of patients", "index"), not symbols every
/// language shares ("mmol/L", "mL/min/1.73 m²").
fn unit_has_words(unit: &str) -> bool {
    const SYMBOLS: [&str; 6] = ["mmol", "mol", "pmol", "nmol", "min", "umol"];
    unit.split(|c: char| !c.is_ascii_alphabetic())
        .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()) && !SYMBOLS.contains(&w))
}

/// `[journal-club]`: choices for the handout and the slides.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct JournalClub {
    /// The outcome whose forest plot the handout shows; default: the first
    /// summary-of-findings outcome that has one.
    #[serde(default)]
    pub key_outcome: Option<Spanned<String>>,
    /// Questions to discuss (three read best); default: three general appraisal questions.
    #[serde(default)]
    pub discussion_questions: Vec<String>,
}

/// `[translations]`: curated texts per language.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Translations {
    /// Simplified Chinese.
    #[serde(default)]
    pub zh: Option<Translation>,
}

/// The curated texts of `brief.toml` in one other language; anything left out is printed
/// as written in the main language.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Translation {
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Line under the title.
    #[serde(default)]
    pub subtitle: Option<String>,
    /// People responsible, as written in this language.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The bottom line, sentence by sentence in the order of the main language's.
    #[serde(default)]
    pub bottom_line: Vec<Spanned<BottomLineSentence>>,
    /// Expansions of `[glossary]` abbreviations in this language.
    #[serde(default)]
    pub glossary: std::collections::BTreeMap<String, String>,
    /// The review question.
    #[serde(default)]
    pub question: QuestionTranslation,
    /// Discussion questions for the journal club.
    #[serde(default)]
    pub discussion_questions: Vec<String>,
    /// Outcome labels by outcome id.
    #[serde(default)]
    pub outcomes: std::collections::BTreeMap<String, Spanned<String>>,
    /// Outcome units by outcome id, where the unit is words ("% of patients") rather than
    /// a symbol every language shares ("mmol/L").
    #[serde(default)]
    pub units: std::collections::BTreeMap<String, Spanned<String>>,
    /// Labels of adverse-event rows of the summary of findings, by category id.
    #[serde(default)]
    pub adverse_events: std::collections::BTreeMap<String, Spanned<String>>,
}

/// The review question in another language; any part may be left out.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct QuestionTranslation {
    /// Population.
    #[serde(default)]
    pub population: Option<String>,
    /// Intervention.
    #[serde(default)]
    pub intervention: Option<String>,
    /// Comparison.
    #[serde(default)]
    pub comparison: Option<String>,
    /// Short name of the intervention.
    #[serde(default)]
    pub intervention_short: Option<String>,
    /// Short name of the comparison.
    #[serde(default)]
    pub comparison_short: Option<String>,
    /// Outcomes in words.
    #[serde(default)]
    pub outcomes: Option<String>,
}

fn default_intervention_short() -> String {
    "intervention".to_owned()
}

fn default_comparison_short() -> String {
    "control".to_owned()
}

fn default_style() -> Spanned<String> {
    Spanned::new(0..0, DEFAULT_CITATION_STYLE.to_owned())
}

/// How much per-study detail the brief prints.
///
/// A brief of a few dozen studies prints every extracted value, comparison, risk-of-bias
/// support and adverse-event row, and one forest-plot row per study. Those parts grow with
/// studies × outcomes: at 1000 studies × 20 outcomes they would fill some 2,000 pages that
/// nobody reads and take minutes to typeset. The summary keeps everything that is pooled or
/// judged (summary of findings, pooled estimates and subgroups, risk-of-bias summary,
/// pooled adverse events, the table of included studies and the references) and draws each
/// forest plot's studies as a caterpillar band (every study's estimate and CI, sorted) in
/// place of one labelled row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Detail {
    /// Full detail up to [`Detail::SUMMARY_ABOVE_STUDIES`] included studies, the summary
    /// above.
    #[default]
    Auto,
    /// Every per-study row, however many studies.
    Full,
    /// The summary, however few studies.
    Summary,
}

impl Detail {
    /// With `auto`, briefs of more included studies than this print the summary: a forest
    /// plot of 50 labelled rows still fits one page.
    pub const SUMMARY_ABOVE_STUDIES: usize = 50;

    /// Whether a brief of `studies` included studies prints the summary.
    pub fn is_summary(self, studies: usize) -> bool {
        match self {
            Detail::Auto => studies > Self::SUMMARY_ABOVE_STUDIES,
            Detail::Full => false,
            Detail::Summary => true,
        }
    }
}

/// Paper sizes the template lays out for; figures fit both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    /// ISO A4, 210 × 297 mm.
    #[default]
    A4,
    /// US Letter, 8.5 × 11 in.
    UsLetter,
}

impl Paper {
    /// The name in `brief.toml`, on the command line and in Typst (`a4`, `us-letter`).
    pub fn name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::UsLetter => "us-letter",
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "us-letter" | "letter" => Ok(Paper::UsLetter),
            _ => Err(format!("unknown paper `{s}` (expected a4 or us-letter)")),
        }
    }
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
    /// Short name of the intervention for figure labels ("Favours UC-MSC").
    #[serde(default = "default_intervention_short")]
    pub intervention_short: String,
    /// Short name of the comparison for figure labels ("Favours control").
    #[serde(default = "default_comparison_short")]
    pub comparison_short: String,
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
    /// Continuous measurements, binary events, or time to an event (hazard ratios as the
    /// studies report them, `[[effects]]` only).
    pub kind: OutcomeKind,
    /// Which direction is good for patients.
    pub better: Direction,
    /// Effect measure; default RR for binary, MD for continuous and HR for time-to-event
    /// outcomes.
    #[serde(default)]
    pub measure: Option<Spanned<EffectMeasure>>,
    /// Pooling method for this outcome; default from `[analysis]`.
    #[serde(default)]
    pub method: Option<Spanned<PoolMethod>>,
    /// Test and CI for the pooled estimate; default from `[analysis]`.
    #[serde(default)]
    pub test: Option<PoolTest>,
    /// Show the 95% prediction interval when k ≥ 3; default from `[analysis]`.
    #[serde(default)]
    pub prediction: Option<bool>,
    /// Also show the common-effect estimate; default from `[analysis]`.
    #[serde(default)]
    pub common_effect: Option<bool>,
    /// Study attribute to form subgroups by; default from `[analysis]`.
    #[serde(default)]
    pub subgroup: Option<SubgroupBy>,
}

/// Analysis settings for all outcomes (`[analysis]` in `brief.toml`).
///
/// Why: the defaults follow the Cochrane Handbook (chapter 10.10.4): random effects with
/// REML τ² and the Hartung–Knapp–Sidik–Jonkman interval, prediction interval when k ≥ 3.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AnalysisDefaults {
    /// Pooling method.
    #[serde(default = "default_method")]
    pub method: Spanned<PoolMethod>,
    /// Test and CI for the pooled estimate.
    #[serde(default = "default_test")]
    pub test: PoolTest,
    /// Show the 95% prediction interval when k ≥ 3.
    #[serde(default = "yes")]
    pub prediction: bool,
    /// Also show the common-effect (inverse-variance) estimate beside the random-effects one.
    #[serde(default)]
    pub common_effect: bool,
    /// Study attribute to form subgroups by.
    #[serde(default)]
    pub subgroup: SubgroupBy,
    /// What to do with studies without events in either arm (ratio measures).
    #[serde(default)]
    pub double_zero: DoubleZero,
    /// How single-arm proportions are pooled (`logit` or `freeman-tukey`).
    #[serde(default)]
    pub proportions: Proportions,
    /// Study-level covariates for meta-regression (`year`, or names of the study files'
    /// `[covariates]`).
    #[serde(default)]
    pub covariates: Vec<String>,
}

impl Default for AnalysisDefaults {
    fn default() -> Self {
        AnalysisDefaults {
            method: default_method(),
            test: default_test(),
            prediction: true,
            common_effect: false,
            subgroup: SubgroupBy::None,
            double_zero: DoubleZero::Drop,
            proportions: Proportions::Logit,
            covariates: Vec::new(),
        }
    }
}

fn default_method() -> Spanned<PoolMethod> {
    Spanned::new(0..0, PoolMethod::Reml)
}

fn default_test() -> PoolTest {
    PoolTest::Knha
}

fn yes() -> bool {
    true
}

/// Effect measures a brief outcome can use (metafor `escalc` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum EffectMeasure {
    /// Risk ratio (binary).
    RR,
    /// Odds ratio (binary).
    OR,
    /// Risk difference (binary).
    RD,
    /// Mean difference (continuous).
    MD,
    /// Standardised mean difference, Hedges' g (continuous).
    SMD,
    /// Hazard ratio (time-to-event; only from effects the studies report).
    HR,
}

impl EffectMeasure {
    /// The name as written in `brief.toml`.
    pub fn name(self) -> &'static str {
        match self {
            EffectMeasure::RR => "RR",
            EffectMeasure::OR => "OR",
            EffectMeasure::RD => "RD",
            EffectMeasure::MD => "MD",
            EffectMeasure::SMD => "SMD",
            EffectMeasure::HR => "HR",
        }
    }

    /// True for ratio measures (RR, OR, HR), which are pooled on the log scale.
    pub fn is_ratio(self) -> bool {
        matches!(
            self,
            EffectMeasure::RR | EffectMeasure::OR | EffectMeasure::HR
        )
    }
}

/// Pooling methods (metafor `method=` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum PoolMethod {
    /// Common effect, inverse variance.
    FE,
    /// Random effects, DerSimonian–Laird τ².
    DL,
    /// Random effects, REML τ².
    #[serde(rename = "REML")]
    Reml,
    /// Random effects, Paule–Mandel τ².
    PM,
    /// Mantel–Haenszel (binary measures).
    MH,
    /// Peto one-step odds ratio (OR only).
    #[serde(rename = "PETO")]
    Peto,
}

impl PoolMethod {
    /// The name as written in `brief.toml`.
    pub fn name(self) -> &'static str {
        match self {
            PoolMethod::FE => "FE",
            PoolMethod::DL => "DL",
            PoolMethod::Reml => "REML",
            PoolMethod::PM => "PM",
            PoolMethod::MH => "MH",
            PoolMethod::Peto => "PETO",
        }
    }
}

/// Test and CI for the pooled estimate (metafor `test=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PoolTest {
    /// Normal (Wald) intervals.
    Z,
    /// Hartung–Knapp–Sidik–Jonkman t intervals.
    Knha,
}

/// Which study attribute forms subgroups in forest plots and pooled results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubgroupBy {
    /// No subgroups.
    #[default]
    None,
    /// The study's `condition` (e.g. T1D / T2DM).
    Condition,
    /// The study's design (randomised, non-randomised …).
    Design,
}

/// Handling of double-zero studies for ratio measures (metafor `drop00`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoubleZero {
    /// Shown as "not estimable" and left out of pooling (Cochrane's default).
    #[default]
    Drop,
    /// Kept with the 1/2 correction (metafor `drop00 = FALSE`).
    Keep,
}

/// The analysis settings of one outcome, with brief-wide defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutcomeSettings {
    /// Effect measure.
    pub measure: EffectMeasure,
    /// Pooling method.
    pub method: PoolMethod,
    /// Test and CI.
    pub test: PoolTest,
    /// Show the prediction interval when k ≥ 3.
    pub prediction: bool,
    /// Also show the common-effect estimate.
    pub common_effect: bool,
    /// Subgroups.
    pub subgroup: SubgroupBy,
    /// Double-zero studies.
    pub double_zero: DoubleZero,
}

impl OutcomeDef {
    /// This outcome's settings: its own where given, else the brief's `[analysis]` defaults.
    pub fn settings(&self, defaults: &AnalysisDefaults) -> OutcomeSettings {
        OutcomeSettings {
            measure: self.measure.as_ref().map_or(
                match self.kind {
                    OutcomeKind::Binary => EffectMeasure::RR,
                    OutcomeKind::Continuous => EffectMeasure::MD,
                    OutcomeKind::TimeToEvent => EffectMeasure::HR,
                },
                |m| *m.get_ref(),
            ),
            method: *self.method.as_ref().unwrap_or(&defaults.method).get_ref(),
            test: self.test.unwrap_or(defaults.test),
            prediction: self.prediction.unwrap_or(defaults.prediction),
            common_effect: self.common_effect.unwrap_or(defaults.common_effect),
            subgroup: self.subgroup.unwrap_or(defaults.subgroup),
            double_zero: defaults.double_zero,
        }
    }
}

/// Whether an outcome is measured on a scale or counted as events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutcomeKind {
    /// Measured values (mean, SD, median …).
    Continuous,
    /// Events out of participants.
    Binary,
    /// Time to an event, compared by hazard ratios the studies report (`[[effects]]`).
    TimeToEvent,
}

impl OutcomeKind {
    /// The name written in `brief.toml` (`time-to-event`).
    pub fn key(self) -> &'static str {
        match self {
            OutcomeKind::Continuous => "continuous",
            OutcomeKind::Binary => "binary",
            OutcomeKind::TimeToEvent => "time-to-event",
        }
    }
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
