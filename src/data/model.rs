//! The shape of one study file (`data/studies/*.toml`), kept as reported.
//!
//! Values stay exactly as the paper gives them (mean ± SEM stays SEM, a percentage
//! stays a percentage); conversions belong to `stats`. Fields that validation must
//! point at keep their source span (`Spanned`).

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::risk_of_bias::RiskOfBias;

/// One trial or cohort; several reports (papers) may describe it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Study {
    /// Stable identifier, equal to the file stem.
    pub id: Spanned<String>,
    /// Short label for tables: first author and year of the main report.
    pub label: String,
    /// Study design, which decides how results may be analysed.
    pub design: Design,
    /// Diabetes type of the participants.
    pub condition: String,
    /// Who was studied, in words.
    pub population: String,
    /// Country or countries.
    #[serde(default)]
    pub country: Option<String>,
    /// Centre(s) and setting.
    #[serde(default)]
    pub setting: Option<String>,
    /// Enrolment period as written.
    #[serde(default)]
    pub enrolment: Option<String>,
    /// Total participants as the report states it; must equal the sum of the arm sizes.
    #[serde(default)]
    pub enrolled: Option<Spanned<i64>>,
    /// Length of follow-up as written.
    #[serde(default)]
    pub follow_up: Option<String>,
    /// Blinding as written ("double-blind", "open-label").
    #[serde(default)]
    pub blinding: Option<String>,
    /// Trial registration ids (`NCT01234567`, `ChiCTR2000012345`, `ISRCTN12345678` …),
    /// as the reports give them; the study-identity check compares them.
    #[serde(default)]
    pub registration: Vec<Spanned<String>>,
    /// Curator's notes (overlap with other studies, caveats).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Studies the curator has decided do not share participants with this one, despite
    /// signals of overlap (`[[distinct-from]]`): the identity check no longer reports them.
    #[serde(default)]
    pub distinct_from: Vec<DistinctFrom>,
    /// Named subsets of the participants with their own arm sizes (`[[subpopulations]]`),
    /// for results reported only for a subgroup (e.g. a post hoc analysis of one study).
    #[serde(default)]
    pub subpopulations: Vec<Subpopulation>,
    /// The papers describing this study; results name the one they come from.
    pub reports: Vec<Report>,
    /// Groups of participants.
    pub arms: Vec<Arm>,
    /// Baseline characteristics.
    #[serde(default)]
    pub baseline: Vec<Measurement>,
    /// Outcome values per arm and time point.
    #[serde(default)]
    pub results: Vec<Measurement>,
    /// Reported p-values.
    #[serde(default)]
    pub comparisons: Vec<Comparison>,
    /// Effects between two arms as a report prints them (`[[effects]]`: a hazard ratio
    /// with its CI, an adjusted odds ratio …); see [`super::effects`].
    #[serde(default)]
    pub effects: Vec<super::effects::ReportedEffect>,
    /// Adverse events per arm.
    #[serde(default)]
    pub adverse_events: Vec<AdverseEvent>,
    /// Narrative findings without numbers.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Study-level values for meta-regression (`[covariates]`, e.g. `dose = 1.5`), by
    /// name; `year` is the publication year unless given here.
    #[serde(default)]
    pub covariates: std::collections::BTreeMap<String, Spanned<f64>>,
    /// The curator's risk-of-bias judgements; absent until the study is assessed.
    #[serde(default)]
    pub risk_of_bias: Option<RiskOfBias>,
    /// The curator's answers to the journal-club appraisal checklist; items left out
    /// are printed as "not yet checked".
    #[serde(default)]
    pub appraisal: Appraisal,
}

/// The short critical-appraisal checklist of the journal-club handout. "Randomised" comes
/// from the design and "blinded" from `blinding` unless given here.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Appraisal {
    /// Overrides the answer derived from the design.
    #[serde(default)]
    pub randomised: Option<AppraisalItem>,
    /// Overrides the answer derived from `blinding`.
    #[serde(default)]
    pub blinded: Option<AppraisalItem>,
    /// Was the allocation sequence concealed until assignment?
    #[serde(default)]
    pub allocation_concealed: Option<AppraisalItem>,
    /// Were (nearly) all enrolled participants followed up and analysed?
    #[serde(default)]
    pub follow_up_complete: Option<AppraisalItem>,
    /// Do the reports declare funding and conflicts of interest?
    #[serde(default)]
    pub conflicts_of_interest: Option<AppraisalItem>,
}

/// One answer of the appraisal checklist, with what it rests on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AppraisalItem {
    /// The answer.
    pub answer: AppraisalAnswer,
    /// A few words of support ("65 of 65 analysed").
    #[serde(default)]
    pub note: Option<String>,
    /// Where the answer was read; absent when the reports are silent.
    #[serde(default)]
    pub source: Option<Source>,
}

/// Answers of the appraisal checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AppraisalAnswer {
    /// The reports say so.
    Yes,
    /// The reports say otherwise.
    No,
    /// Partly (some arms, some outcomes).
    Partly,
    /// The reports say something, but not enough to decide.
    Unclear,
    /// The reports are silent.
    NotReported,
    /// The question does not apply to this design.
    NotApplicable,
}

impl AppraisalAnswer {
    /// The key of this answer in the label tables (`appraisal.<key>`).
    pub fn key(self) -> &'static str {
        match self {
            AppraisalAnswer::Yes => "yes",
            AppraisalAnswer::No => "no",
            AppraisalAnswer::Partly => "partly",
            AppraisalAnswer::Unclear => "unclear",
            AppraisalAnswer::NotReported => "not-reported",
            AppraisalAnswer::NotApplicable => "not-applicable",
        }
    }
}

impl Study {
    /// Results that enter the analysis: not marked `analyse = false`, not read second hand
    /// (see [`Study::is_second_hand`]), and of the population analysed for their outcome ([`Study::analysed_population`]), so a
    /// whole-trial result and a subgroup's are never both analysed.
    pub fn analysed_results(&self) -> impl Iterator<Item = &Measurement> {
        self.results.iter().filter(|m| self.is_analysed(m))
    }

    /// Whether a result enters the analysis: not marked `analyse = false`, not read second
    /// hand, and of the population analysed for its outcome.
    pub fn is_analysed(&self, m: &Measurement) -> bool {
        m.analyse
            && !self.is_second_hand(&m.source)
            && self.analysed_population(m.outcome_id())
                == m.subpopulation.as_ref().map(|s| s.get_ref().as_str())
    }

    /// Which participants are analysed for `outcome`: the whole study (`None`) when any
    /// analysed result of the outcome is for all its participants, otherwise the first
    /// subpopulation (in file order) with an analysed result of the outcome.
    pub fn analysed_population(&self, outcome: Option<&str>) -> Option<&str> {
        let of_outcome = || {
            self.results.iter().filter(move |m| {
                m.analyse && !self.is_second_hand(&m.source) && m.outcome_id() == outcome
            })
        };
        if of_outcome().any(|m| m.subpopulation.is_none()) {
            return None;
        }
        self.subpopulations
            .iter()
            .map(|p| p.id.get_ref().as_str())
            .find(|id| {
                of_outcome()
                    .any(|m| m.subpopulation.as_ref().map(|s| s.get_ref().as_str()) == Some(*id))
            })
    }

    /// The subpopulation with this id.
    pub fn subpopulation(&self, id: &str) -> Option<&Subpopulation> {
        self.subpopulations.iter().find(|p| p.id.get_ref() == id)
    }

    /// Participants in `arm` for a value of `subpopulation` (the whole arm for `None`).
    pub fn arm_size(&self, arm: &str, subpopulation: Option<&str>) -> Option<i64> {
        match subpopulation {
            None => self
                .arms
                .iter()
                .find(|a| a.id.get_ref() == arm)
                .map(|a| *a.n.get_ref()),
            Some(id) => self
                .subpopulation(id)?
                .arms
                .get_ref()
                .get(arm)
                .map(|n| *n.get_ref()),
        }
    }

    /// Adverse events that enter the safety counts (not marked `analyse = false`, not read
    /// second hand).
    pub fn analysed_adverse_events(&self) -> impl Iterator<Item = &AdverseEvent> {
        self.adverse_events
            .iter()
            .filter(|a| a.analyse && !self.is_second_hand(&a.source))
    }

    /// The role of the report with `key`, if the study lists it.
    pub fn report_role(&self, key: &str) -> Option<ReportRole> {
        self.reports
            .iter()
            .find(|r| r.key.get_ref() == key)
            .map(|r| r.role)
    }

    /// True when a value or finding was read in a report that only mentions this study
    /// (role `mention`): it is shown as reported by that report ("as reported in [3]") and
    /// never counted as the study's own data.
    pub fn is_second_hand(&self, source: &Source) -> bool {
        self.report_role(source.report.get_ref())
            .is_some_and(ReportRole::is_second_hand)
    }

    /// True when the study has data of its own (a result or a finding not read second
    /// hand) for `outcome`: what "N studies with data" counts.
    pub fn has_own_data(&self, outcome: &str) -> bool {
        let is = |o: &Option<Spanned<String>>| o.as_ref().is_some_and(|o| o.get_ref() == outcome);
        self.results
            .iter()
            .any(|m| is(&m.outcome) && !self.is_second_hand(&m.source))
            || self
                .findings
                .iter()
                .any(|f| is(&f.outcome) && !self.is_second_hand(&f.source))
            || self
                .effects
                .iter()
                .any(|e| e.outcome.get_ref() == outcome && !self.is_second_hand(&e.source))
    }
}

/// The curator's decision that another study does not share participants with this one.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DistinctFrom {
    /// The other study's id.
    pub study: Spanned<String>,
    /// Why the two are taken to be different participants.
    pub reason: String,
}

/// A named subset of a study's participants with its own arm sizes, such as the
/// "T2DM with NAFLD" subgroup of a trial in T2DM that a post hoc analysis reports on.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Subpopulation {
    /// Identifier that results name in `subpopulation`.
    pub id: Spanned<String>,
    /// Who they are, in words ("T2DM with NAFLD"); shown beside results analysed for them.
    pub population: String,
    /// Participants of this subset in each arm, by arm id.
    pub arms: Spanned<std::collections::BTreeMap<String, Spanned<i64>>>,
    /// Where the subset and its sizes are described.
    pub source: Source,
}

/// Study designs evbrief distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Design {
    /// Randomised controlled trial.
    Rct,
    /// Controlled study without randomisation.
    NonRandomisedControlled,
    /// Registry or cohort without a control group.
    Registry,
    /// A single patient.
    CaseReport,
}

impl Design {
    /// Every design, in the order the brief lists them.
    pub const ALL: [Design; 4] = [
        Design::Rct,
        Design::NonRandomisedControlled,
        Design::Registry,
        Design::CaseReport,
    ];

    /// The name written in study files (`non-randomised-controlled`), also the key of its
    /// label in each language's table (`design.rct`).
    pub fn key(self) -> &'static str {
        match self {
            Design::Rct => "rct",
            Design::NonRandomisedControlled => "non-randomised-controlled",
            Design::Registry => "registry",
            Design::CaseReport => "case-report",
        }
    }

    /// Label for tables.
    pub fn label(self) -> &'static str {
        match self {
            Design::Rct => "Randomised controlled trial",
            Design::NonRandomisedControlled => "Non-randomised controlled study",
            Design::Registry => "Retrospective registry",
            Design::CaseReport => "Case report",
        }
    }
}

/// A paper (or record) that reports on the study.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Report {
    /// Key in `data/references.bib`.
    pub key: Spanned<String>,
    /// How this report relates to the study.
    pub role: ReportRole,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// The relation of a report to its study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReportRole {
    /// The main publication.
    Primary,
    /// A post hoc or subgroup analysis of the same participants.
    PostHoc,
    /// A secondary account (news summary, translation).
    Secondary,
    /// A conference abstract or other preliminary report of the same participants.
    Abstract,
    /// A trial-registry record (ClinicalTrials.gov, ChiCTR …), possibly with posted results.
    Registration,
    /// A document that only mentions the study.
    Mention,
}

impl ReportRole {
    /// Every role.
    pub const ALL: [ReportRole; 6] = [
        ReportRole::Primary,
        ReportRole::PostHoc,
        ReportRole::Secondary,
        ReportRole::Abstract,
        ReportRole::Registration,
        ReportRole::Mention,
    ];

    /// The name written in study files (`post-hoc`), also the key of its label in each
    /// language's table (`report-role.post-hoc`).
    pub fn key(self) -> &'static str {
        match self {
            ReportRole::Primary => "primary",
            ReportRole::PostHoc => "post-hoc",
            ReportRole::Secondary => "secondary",
            ReportRole::Abstract => "abstract",
            ReportRole::Registration => "registration",
            ReportRole::Mention => "mention",
        }
    }

    /// True for a document that only mentions the study: what it says about the study is
    /// second-hand, shown as reported by that document and not counted as the study's data.
    pub fn is_second_hand(self) -> bool {
        self == ReportRole::Mention
    }

    /// How the brief names the role ("post hoc analysis").
    pub fn label(self) -> &'static str {
        match self {
            ReportRole::Primary => "main report",
            ReportRole::PostHoc => "post hoc analysis",
            ReportRole::Secondary => "secondary account",
            ReportRole::Abstract => "conference abstract",
            ReportRole::Registration => "registry record",
            ReportRole::Mention => "mention",
        }
    }
}

/// Where a value was read: which report and where in it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Source {
    /// Report key (must be one of the study's reports).
    pub report: Spanned<String>,
    /// Location in the report ("English abstract, Results").
    pub at: String,
}

/// A group of participants.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Arm {
    /// Identifier used by results.
    pub id: Spanned<String>,
    /// Label for tables.
    pub label: String,
    /// Intervention, control or the only arm.
    pub role: ArmRole,
    /// Participants in the arm.
    pub n: Spanned<i64>,
    /// Treatment and dose as written.
    pub intervention: String,
    /// Where the arm is described.
    pub source: Source,
    /// Conflicting statements about the arm.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

/// The part an arm plays in comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ArmRole {
    /// Receives the intervention under review.
    Intervention,
    /// Placebo or standard care.
    Control,
    /// The only arm of an uncontrolled study.
    Single,
}

/// A value reported for one arm at one time (outcome result or baseline item).
///
/// Exactly one value form must be given; `data::validate` checks which.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Measurement {
    /// Outcome id (results only).
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// Baseline characteristic name (baseline only).
    #[serde(default)]
    pub characteristic: Option<String>,
    /// Unit, for baseline characteristics (outcomes take theirs from `brief.toml`).
    #[serde(default)]
    pub unit: Option<String>,
    /// Time point: "baseline", "week 9", "month 6" …
    #[serde(default)]
    pub time: Option<Spanned<String>>,
    /// Arm id.
    pub arm: Spanned<String>,
    /// Mean.
    #[serde(default)]
    pub mean: Option<Spanned<f64>>,
    /// Standard deviation.
    #[serde(default)]
    pub sd: Option<Spanned<f64>>,
    /// Standard error of the mean.
    #[serde(default)]
    pub sem: Option<Spanned<f64>>,
    /// Median.
    #[serde(default)]
    pub median: Option<Spanned<f64>>,
    /// Width of the interquartile range, as in "7.50 [1.40]".
    #[serde(default)]
    pub iqr: Option<Spanned<f64>>,
    /// First quartile.
    #[serde(default)]
    pub q1: Option<Spanned<f64>>,
    /// Third quartile.
    #[serde(default)]
    pub q3: Option<Spanned<f64>>,
    /// Number of participants with the event.
    #[serde(default)]
    pub events: Option<Spanned<i64>>,
    /// Percentage of participants with the event, as printed.
    #[serde(default)]
    pub percent: Option<Spanned<f64>>,
    /// Count for a count characteristic (e.g. men).
    #[serde(default)]
    pub count: Option<Spanned<i64>>,
    /// Participants analysed, when it differs from the arm's n.
    #[serde(default)]
    pub n: Option<Spanned<i64>>,
    /// The report does not say how many were analysed: the arm size is then not assumed
    /// (so no SD is derived from an SEM with a guessed n).
    #[serde(default)]
    pub n_unknown: Option<Spanned<bool>>,
    /// A result given only in words.
    #[serde(default)]
    pub text: Option<String>,
    /// The subpopulation (an id of `[[subpopulations]]`) this value is for; absent for
    /// all the study's participants.
    #[serde(default)]
    pub subpopulation: Option<Spanned<String>>,
    /// Whether the value enters the analysis. `false` keeps a value from a second report
    /// of the same participants on record without pooling it twice.
    #[serde(default = "yes")]
    pub analyse: bool,
    /// Where the value was read.
    pub source: Source,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A p-value as reported, between arms or within one arm over time.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Comparison {
    /// Outcome id.
    pub outcome: Spanned<String>,
    /// Time point of the comparison.
    pub time: Spanned<String>,
    /// Two arms compared at `time`.
    #[serde(default)]
    pub arms: Option<Spanned<Vec<String>>>,
    /// One arm compared with itself at `from`.
    #[serde(default)]
    pub arm: Option<Spanned<String>>,
    /// Earlier time point of a within-arm comparison.
    #[serde(default)]
    pub from: Option<Spanned<String>>,
    /// The p-value exactly as written ("0.008", "<0.05").
    pub p: Spanned<String>,
    /// The effect estimate and its 95% CI printed beside the p-value, if any; the p-value
    /// is checked against it too.
    #[serde(default)]
    pub ci: Option<PrintedCi>,
    /// Where it was read.
    pub source: Source,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
    /// Other places that state a different value.
    #[serde(default)]
    pub conflicts: Vec<Conflict>,
}

/// An effect estimate with its 95% confidence interval, as printed beside a p-value
/// ("MD −0.73 (95% CI −1.64 to 0.18)"); kept with the digits as printed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PrintedCi {
    /// The estimate (a difference, or a ratio when `ratio`).
    pub estimate: Spanned<f64>,
    /// Lower 95% limit.
    pub lower: Spanned<f64>,
    /// Upper 95% limit.
    pub upper: Spanned<f64>,
    /// True for a ratio (RR, OR, HR), which is tested on the log scale.
    #[serde(default)]
    pub ratio: bool,
}

/// A disagreement between two places of the sources, recorded, not resolved.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Conflict {
    /// The other p-value, if the conflict is about a p-value.
    #[serde(default)]
    pub p: Option<Spanned<String>>,
    /// The other statement, in words.
    #[serde(default)]
    pub text: Option<String>,
    /// Where the other statement stands.
    pub source: Source,
    /// What differs.
    pub note: String,
}

/// An adverse event in one arm.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct AdverseEvent {
    /// Event name.
    pub event: String,
    /// Kind of event, which orders the safety table.
    pub category: AeCategory,
    /// Arm id.
    pub arm: Spanned<String>,
    /// Whether events were counted, none seen, or nothing said.
    pub status: AeStatus,
    /// Participants with the event (status "events" only).
    #[serde(default)]
    pub events: Option<Spanned<i64>>,
    /// Percentage as printed.
    #[serde(default)]
    pub percent: Option<Spanned<f64>>,
    /// Where it was read.
    pub source: Source,
    /// Whether the entry enters the safety counts (see [`Measurement::analyse`]).
    #[serde(default = "yes")]
    pub analyse: bool,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Adverse-event categories, in the order the safety table shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AeCategory {
    /// Deaths.
    Death,
    /// Serious adverse events.
    Serious,
    /// Infusion reactions (fever …).
    InfusionReaction,
    /// Hypoglycaemia.
    Hypoglycaemia,
    /// Laboratory abnormalities.
    Laboratory,
    /// Anything else.
    Other,
}

impl AeCategory {
    /// Every category, in table order.
    pub const ALL: [AeCategory; 6] = [
        AeCategory::Death,
        AeCategory::Serious,
        AeCategory::InfusionReaction,
        AeCategory::Hypoglycaemia,
        AeCategory::Laboratory,
        AeCategory::Other,
    ];

    /// The key written in data files (`infusion-reaction`).
    pub fn key(self) -> &'static str {
        match self {
            AeCategory::Death => "death",
            AeCategory::Serious => "serious",
            AeCategory::InfusionReaction => "infusion-reaction",
            AeCategory::Hypoglycaemia => "hypoglycaemia",
            AeCategory::Laboratory => "laboratory",
            AeCategory::Other => "other",
        }
    }

    /// Parses a key written in a data file.
    pub fn from_key(key: &str) -> Option<AeCategory> {
        AeCategory::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Heading for the safety table.
    pub fn label(self) -> &'static str {
        match self {
            AeCategory::Death => "Deaths",
            AeCategory::Serious => "Serious adverse events",
            AeCategory::InfusionReaction => "Infusion reactions",
            AeCategory::Hypoglycaemia => "Hypoglycaemia",
            AeCategory::Laboratory => "Laboratory abnormalities",
            AeCategory::Other => "Other adverse events",
        }
    }
}

/// Whether an adverse event was counted: "none observed" is not "not reported".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AeStatus {
    /// Events were counted (possibly zero).
    Events,
    /// The report says none occurred, for arms it counted: printed as 0/n.
    NoneObserved,
    /// The report says none occurred without saying how events were ascertained or in how
    /// many participants (a promotional "no adverse reactions"): printed as a statement,
    /// never as 0/n with an interval, and not counted.
    NoneReported,
    /// The report does not say.
    NotReported,
}

/// A narrative result without numbers.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Finding {
    /// The finding in words.
    pub text: String,
    /// Outcome it belongs to, if any.
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// A harm or safety observation (laboratory changes, imaging): listed in the safety
    /// summary rather than among other findings.
    #[serde(default)]
    pub safety: bool,
    /// Where it was read.
    pub source: Source,
}

impl Measurement {
    /// The outcome id, for results.
    pub fn outcome_id(&self) -> Option<&str> {
        self.outcome.as_ref().map(|o| o.get_ref().as_str())
    }
}

fn yes() -> bool {
    true
}
