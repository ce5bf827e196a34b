//! The summary-of-findings rows of `brief.toml` and the curator's GRADE judgements.
//!
//! GRADE (Guyatt et al. 2008, BMJ 336:924; GRADE Handbook, Schünemann et al. 2013) rates
//! the certainty of a body of evidence per outcome: it starts high for randomised trials
//! and low for non-randomised studies, drops one or two levels for each serious or very
//! serious concern in five domains, and may rise for a large effect, a dose–response
//! gradient or confounding that would reduce the effect. The judgements are the
//! curator's; evbrief suggests imprecision and inconsistency from the analysis and shows
//! where the curator departed from its suggestion.

use serde::{Deserialize, Serialize};
use toml::Spanned;

/// One row of the summary-of-findings table (`[[summary-of-findings]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SofRow {
    /// Outcome id from `[[outcomes]]` (give this or `adverse-event`).
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// Adverse-event category from the safety data, e.g. `serious` (give this or `outcome`).
    #[serde(default)]
    pub adverse_event: Option<Spanned<String>>,
    /// Time point of the outcome's analysis the row reports ("week 48").
    #[serde(default)]
    pub time: Option<Spanned<String>>,
    /// Label shown in the table instead of the outcome's own ("Serious adverse events").
    #[serde(default)]
    pub label: Option<String>,
    /// Risk without the intervention, when the control arms are not the right baseline.
    #[serde(default)]
    pub baseline_risk: Option<BaselineRisk>,
    /// The curator's judgements per GRADE domain.
    pub certainty: Certainty,
    /// Free comment for the table's last column.
    #[serde(default)]
    pub comment: Option<String>,
}

/// An assumed risk without the intervention, from outside the included studies.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BaselineRisk {
    /// Events per 1000 people without the intervention.
    pub per_1000: Spanned<f64>,
    /// Where the figure comes from.
    pub source: String,
}

/// The curator's GRADE judgements for one outcome.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Certainty {
    /// Limitations of the studies (from the risk-of-bias judgements).
    pub risk_of_bias: DomainRating,
    /// Unexplained differences between study results.
    pub inconsistency: DomainRating,
    /// Population, intervention, comparison or outcome differ from the question.
    pub indirectness: DomainRating,
    /// Few participants or events, or a CI compatible with benefit and harm.
    pub imprecision: DomainRating,
    /// Studies or results missing because of their findings.
    pub publication_bias: DomainRating,
    /// Rating up (non-randomised evidence only): large effect, dose–response, confounding.
    #[serde(default)]
    pub upgrade: Option<Upgrade>,
}

/// A judgement in one GRADE domain.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DomainRating {
    /// How serious the concern is.
    pub rating: Spanned<Concern>,
    /// Why; required for a downgrade, and printed as its footnote.
    #[serde(default)]
    pub reason: Option<String>,
}

/// How serious a concern in a GRADE domain is; each step costs one level of certainty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Concern {
    /// No downgrade.
    NotSerious,
    /// Down one level.
    Serious,
    /// Down two levels.
    VerySerious,
}

impl Concern {
    /// Levels of certainty this concern removes.
    pub fn levels(self) -> u8 {
        match self {
            Concern::NotSerious => 0,
            Concern::Serious => 1,
            Concern::VerySerious => 2,
        }
    }

    /// The concern in words ("very serious").
    pub fn label(self) -> &'static str {
        match self {
            Concern::NotSerious => "not serious",
            Concern::Serious => "serious",
            Concern::VerySerious => "very serious",
        }
    }
}

/// Rating up the certainty of non-randomised evidence.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Upgrade {
    /// One or two levels.
    pub levels: Spanned<u8>,
    /// Why (large effect, dose–response, plausible confounding).
    pub reason: String,
}

/// The five GRADE domains, in the order GRADEpro lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GradeDomain {
    /// Risk of bias.
    RiskOfBias,
    /// Inconsistency.
    Inconsistency,
    /// Indirectness.
    Indirectness,
    /// Imprecision.
    Imprecision,
    /// Publication bias.
    PublicationBias,
}

impl GradeDomain {
    /// The domain in words.
    pub fn label(self) -> &'static str {
        match self {
            GradeDomain::RiskOfBias => "risk of bias",
            GradeDomain::Inconsistency => "inconsistency",
            GradeDomain::Indirectness => "indirectness",
            GradeDomain::Imprecision => "imprecision",
            GradeDomain::PublicationBias => "publication bias",
        }
    }
}

impl Certainty {
    /// The five domain ratings in GRADEpro's order.
    pub fn domains(&self) -> [(GradeDomain, &DomainRating); 5] {
        [
            (GradeDomain::RiskOfBias, &self.risk_of_bias),
            (GradeDomain::Inconsistency, &self.inconsistency),
            (GradeDomain::Indirectness, &self.indirectness),
            (GradeDomain::Imprecision, &self.imprecision),
            (GradeDomain::PublicationBias, &self.publication_bias),
        ]
    }
}
