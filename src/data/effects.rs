//! `[[effects]]` in a study file: an effect as the paper reports it (a hazard
//! ratio with its CI, an adjusted odds ratio, a mean difference with a p
//! value), kept exactly as printed. The conversion to the analysis scale is
//! `stats::reported`; validation here checks what can be checked in the file.

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::model::Source;
use crate::stats::reported::{Precision, from_reported};

/// Measures a paper may report an effect in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum ReportedMeasure {
    /// Hazard ratio.
    HR,
    /// Odds ratio.
    OR,
    /// Risk ratio.
    RR,
    /// Risk difference.
    RD,
    /// Mean difference.
    MD,
    /// Standardised mean difference.
    SMD,
}

impl ReportedMeasure {
    /// True for ratio measures (pooled on the log scale).
    pub fn is_ratio(self) -> bool {
        matches!(
            self,
            ReportedMeasure::HR | ReportedMeasure::OR | ReportedMeasure::RR
        )
    }

    /// The measure's name as written in study files.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportedMeasure::HR => "HR",
            ReportedMeasure::OR => "OR",
            ReportedMeasure::RR => "RR",
            ReportedMeasure::RD => "RD",
            ReportedMeasure::MD => "MD",
            ReportedMeasure::SMD => "SMD",
        }
    }
}

/// One reported effect (intervention against control).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReportedEffect {
    /// Outcome id (from `brief.toml`).
    pub outcome: Spanned<String>,
    /// Time point.
    pub time: Spanned<String>,
    /// The two arms compared, intervention first; default: the study's first
    /// intervention and first control arm.
    #[serde(default)]
    pub arms: Option<Spanned<Vec<String>>>,
    /// Measure as reported.
    pub measure: Spanned<ReportedMeasure>,
    /// The estimate as printed (natural scale: a ratio, not its logarithm).
    pub estimate: Spanned<f64>,
    /// Lower limit of the 95% CI as printed.
    #[serde(default)]
    pub ci_lower: Option<Spanned<f64>>,
    /// Upper limit of the 95% CI as printed.
    #[serde(default)]
    pub ci_upper: Option<Spanned<f64>>,
    /// Standard error (of the log ratio for HR, OR, RR).
    #[serde(default)]
    pub se: Option<Spanned<f64>>,
    /// Exact two-sided p value as printed ("0.03"; "<0.05" cannot be used).
    #[serde(default)]
    pub p: Option<Spanned<String>>,
    /// True when the estimate is adjusted for covariates.
    #[serde(default)]
    pub adjusted: bool,
    /// What it was adjusted for, as written.
    #[serde(default)]
    pub adjusted_for: Option<String>,
    /// Participants analysed, if reported (for weights in words only).
    #[serde(default)]
    pub n: Option<Spanned<i64>>,
    /// Where it was read.
    pub source: Source,
    /// Curator's note.
    #[serde(default)]
    pub note: Option<String>,
}

impl ReportedEffect {
    /// The precision the paper gives, or an error message with the span to
    /// point at: exactly one of a CI (both limits), `se` or an exact `p`.
    pub fn precision(&self) -> Result<Precision, (std::ops::Range<usize>, String)> {
        let given = [
            self.ci_lower.is_some() || self.ci_upper.is_some(),
            self.se.is_some(),
            self.p.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err((
                self.estimate.span(),
                "give exactly one of `ci-lower` with `ci-upper`, `se` or `p`".into(),
            ));
        }
        if let Some(se) = &self.se {
            return Ok(Precision::Se { se: *se.get_ref() });
        }
        if let Some(p) = &self.p {
            let text = p.get_ref().trim();
            return match text.parse::<f64>() {
                Ok(v) => Ok(Precision::P { p: v }),
                Err(_) => Err((
                    p.span(),
                    format!(
                        "`{text}` is not an exact p value (a bound like \"<0.05\" gives no standard error)"
                    ),
                )),
            };
        }
        match (&self.ci_lower, &self.ci_upper) {
            (Some(l), Some(u)) => Ok(Precision::Ci {
                lower: *l.get_ref(),
                upper: *u.get_ref(),
            }),
            (Some(l), None) => Err((l.span(), "`ci-lower` needs `ci-upper`".into())),
            (None, Some(u)) => Err((u.span(), "`ci-upper` needs `ci-lower`".into())),
            (None, None) => Err((self.estimate.span(), "no precision given".into())),
        }
    }

    /// Problems with this entry's numbers: (span, message).
    pub fn problems(&self) -> Vec<(std::ops::Range<usize>, String)> {
        match self.precision() {
            Err(p) => vec![p],
            Ok(precision) => {
                match from_reported(
                    *self.estimate.get_ref(),
                    precision,
                    self.measure.get_ref().is_ratio(),
                ) {
                    Ok(_) => Vec::new(),
                    Err(e) => vec![(self.estimate.span(), e.to_string())],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ReportedEffect {
        toml::from_str(text).unwrap()
    }

    const SRC: &str = "source = { report = \"r\", at = \"Table 2\" }\n";

    #[test]
    fn a_hazard_ratio_with_its_ci_is_fine() {
        let e = parse(&format!(
            "outcome = \"death\"\ntime = \"month 12\"\nmeasure = \"HR\"\nestimate = 0.75\nci-lower = 0.6\nci-upper = 0.94\nadjusted = true\nadjusted-for = \"age\"\n{SRC}"
        ));
        assert!(e.problems().is_empty());
        assert!(e.measure.get_ref().is_ratio());
    }

    #[test]
    fn precision_must_be_given_once_and_usable() {
        let both = parse(&format!(
            "outcome = \"o\"\ntime = \"week 4\"\nmeasure = \"MD\"\nestimate = -1\nse = 0.3\np = \"0.01\"\n{SRC}"
        ));
        assert!(both.problems()[0].1.contains("exactly one"));
        let bound = parse(&format!(
            "outcome = \"o\"\ntime = \"week 4\"\nmeasure = \"MD\"\nestimate = -1\np = \"<0.05\"\n{SRC}"
        ));
        assert!(bound.problems()[0].1.contains("not an exact p value"));
        let outside = parse(&format!(
            "outcome = \"o\"\ntime = \"week 4\"\nmeasure = \"OR\"\nestimate = 2.5\nci-lower = 0.5\nci-upper = 2.0\n{SRC}"
        ));
        assert!(outside.problems()[0].1.contains("contain the estimate"));
    }
}
