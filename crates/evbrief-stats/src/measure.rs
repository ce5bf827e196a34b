//! Effect measures, pooling methods and test statistics, named as in metafor.

use serde::Serialize;
use std::fmt;
use std::str::FromStr;

use super::error::StatsError;

/// Effect-size measure, with metafor's `escalc(measure=...)` names.
///
/// Why: the names are the contract with users who know metafor, and they
/// select both the input columns and the back-transform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Measure {
    /// Log risk ratio (two groups, binary).
    RR,
    /// Log odds ratio (two groups, binary).
    OR,
    /// Risk difference (two groups, binary).
    RD,
    /// Peto's log odds ratio (Yusuf et al. 1985).
    PETO,
    /// Raw mean difference (two groups, continuous).
    MD,
    /// Standardised mean difference, Hedges' g (Hedges 1981).
    SMD,
    /// Raw proportion (single group).
    PR,
    /// Logit-transformed proportion.
    PLO,
    /// Freeman–Tukey double-arcsine transformed proportion (Freeman & Tukey 1950).
    PFT,
    /// Arcsine square-root transformed proportion (metafor `PAS`).
    PAS,
    /// Raw mean change (single group, pre/post).
    MC,
    /// Standardised mean change with raw-score standardisation (Becker 1988).
    SMCR,
    /// Generic inverse variance: effects `yi` with variances `vi` (or standard
    /// errors `sei`) computed elsewhere (metafor `rma(yi, vi)`).
    GEN,
    /// Log hazard ratio, as studies report it (an estimate with its CI, SE or p,
    /// converted by [`crate::reported`]); metafor has no `escalc` measure for it and
    /// pools it as `rma(yi, vi)` with `transf = exp`. Not in [`Measure::ALL`]: the
    /// CSV analysis takes log hazard ratios as `GEN`.
    HR,
}

/// The kind of per-study data a measure needs.
///
/// Why: it decides which CSV columns are required and which effect module runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum DataKind {
    /// Two-group 2×2 tables (`ai, bi, ci, di`).
    Binary,
    /// Two-group means and SDs (`m1i, sd1i, n1i, m2i, sd2i, n2i`).
    Continuous,
    /// Single-group events out of a total (`xi, ni`).
    Proportion,
    /// Single-group pre/post means (`m1i, m2i, sd1i, sd2i, ni, ri`).
    Change,
    /// Ready-made effects and variances (`yi` with `vi` or `sei`).
    Generic,
}

/// How pooled values on the analysis scale map back to the natural scale.
///
/// Why: metafor reports ratio measures on the log scale and proportions on a
/// transformed scale; the brief shows both (see `crate::transform`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BackTransform {
    /// Already on the natural scale (differences): no back-transform.
    None,
    /// `exp` (log ratio measures).
    Exp,
    /// Identity (raw proportion: reported as the natural scale as well).
    Identity,
    /// Inverse logit, metafor `transf.ilogit`.
    ILogit,
    /// Inverse Freeman–Tukey with harmonic-mean n, metafor `transf.ipft.hm`.
    IpftHm,
    /// `sin(x)²`, metafor `transf.iarcsin`.
    IArcsin,
}

impl Measure {
    /// All measures, in declaration order.
    pub const ALL: [Measure; 13] = [
        Measure::RR,
        Measure::OR,
        Measure::RD,
        Measure::PETO,
        Measure::MD,
        Measure::SMD,
        Measure::PR,
        Measure::PLO,
        Measure::PFT,
        Measure::PAS,
        Measure::MC,
        Measure::SMCR,
        Measure::GEN,
    ];

    /// The kind of data this measure is computed from.
    pub fn data_kind(self) -> DataKind {
        match self {
            Measure::RR | Measure::OR | Measure::RD | Measure::PETO => DataKind::Binary,
            Measure::MD | Measure::SMD => DataKind::Continuous,
            Measure::PR | Measure::PLO | Measure::PFT | Measure::PAS => DataKind::Proportion,
            Measure::MC | Measure::SMCR => DataKind::Change,
            Measure::GEN | Measure::HR => DataKind::Generic,
        }
    }

    /// The back-transform used for reporting on the natural scale.
    pub fn back_transform(self) -> BackTransform {
        match self {
            Measure::RR | Measure::OR | Measure::PETO | Measure::HR => BackTransform::Exp,
            Measure::PR => BackTransform::Identity,
            Measure::PLO => BackTransform::ILogit,
            Measure::PFT => BackTransform::IpftHm,
            Measure::PAS => BackTransform::IArcsin,
            Measure::RD
            | Measure::MD
            | Measure::SMD
            | Measure::MC
            | Measure::SMCR
            | Measure::GEN => BackTransform::None,
        }
    }

    /// metafor's name of the measure.
    pub fn as_str(self) -> &'static str {
        match self {
            Measure::RR => "RR",
            Measure::OR => "OR",
            Measure::RD => "RD",
            Measure::PETO => "PETO",
            Measure::MD => "MD",
            Measure::SMD => "SMD",
            Measure::PR => "PR",
            Measure::PLO => "PLO",
            Measure::PFT => "PFT",
            Measure::PAS => "PAS",
            Measure::GEN => "GEN",
            Measure::MC => "MC",
            Measure::SMCR => "SMCR",
            Measure::HR => "HR",
        }
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Measure {
    type Err = StatsError;
    /// Parses metafor's measure name (case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        Measure::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == up)
            .ok_or_else(|| StatsError::InvalidInput {
                field: "measure".into(),
                message: format!("unknown measure '{s}'"),
            })
    }
}

/// Pooling method, with metafor's `method=` names (`rma.uni`, `rma.mh`, `rma.peto`).
///
/// Why: selects the estimator of tau² or the fixed-effect family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Method {
    /// Common-effect (fixed-effect) inverse variance, metafor `method="FE"`.
    FE,
    /// Random effects, DerSimonian & Laird 1986 tau².
    DL,
    /// Random effects, restricted maximum likelihood tau² (Viechtbauer 2005).
    REML,
    /// Random effects, Paule & Mandel 1982 tau².
    PM,
    /// Mantel–Haenszel 1959 (metafor `rma.mh`), for OR, RR, RD.
    MH,
    /// Peto's one-step odds ratio (Yusuf et al. 1985, metafor `rma.peto`).
    PETO,
}

impl Method {
    /// metafor's name of the method.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::FE => "FE",
            Method::DL => "DL",
            Method::REML => "REML",
            Method::PM => "PM",
            Method::MH => "MH",
            Method::PETO => "PETO",
        }
    }

    /// True for the random-effects methods (those that estimate tau²).
    pub fn is_random(self) -> bool {
        matches!(self, Method::DL | Method::REML | Method::PM)
    }

    /// Checks that this method can pool `measure`; the error is typed.
    ///
    /// Why: MH exists only for OR, RR, RD (metafor `rma.mh`), Peto only for
    /// odds ratios (metafor `rma.peto`); inverse variance works for all.
    pub fn check_measure(self, measure: Measure) -> Result<(), StatsError> {
        let ok = match self {
            Method::FE | Method::DL | Method::REML | Method::PM => true,
            Method::MH => matches!(measure, Measure::OR | Measure::RR | Measure::RD),
            Method::PETO => matches!(measure, Measure::PETO | Measure::OR),
        };
        if ok {
            Ok(())
        } else {
            Err(StatsError::IncompatibleMethod {
                method: self.as_str().into(),
                measure: measure.as_str().into(),
            })
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Method {
    type Err = StatsError;
    /// Parses metafor's method name (case-insensitive; "EE"/"CE" mean FE).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "FE" | "EE" | "CE" => Ok(Method::FE),
            "DL" => Ok(Method::DL),
            "REML" => Ok(Method::REML),
            "PM" => Ok(Method::PM),
            "MH" => Ok(Method::MH),
            "PETO" => Ok(Method::PETO),
            _ => Err(StatsError::InvalidInput {
                field: "method".into(),
                message: format!("unknown method '{s}'"),
            }),
        }
    }
}

/// Test statistic for the pooled estimate, metafor `test=`.
///
/// Why: Hartung & Knapp 2001 (`test="knha"`) widens intervals with few studies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Test {
    /// Standard normal (Wald) test and intervals.
    #[serde(rename = "z")]
    Z,
    /// Hartung & Knapp 2001 adjustment with t(k-1), no truncation (metafor default).
    #[serde(rename = "knha")]
    Knha,
}

impl Test {
    /// metafor's name of the test.
    pub fn as_str(self) -> &'static str {
        match self {
            Test::Z => "z",
            Test::Knha => "knha",
        }
    }
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Test {
    type Err = StatsError;
    /// Parses "z" or "knha" (also "hk", case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "z" => Ok(Test::Z),
            "knha" | "hk" | "hksj" => Ok(Test::Knha),
            _ => Err(StatsError::InvalidInput {
                field: "test".into(),
                message: format!("unknown test '{s}'"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trip() {
        for m in Measure::ALL {
            assert_eq!(m.as_str().parse::<Measure>(), Ok(m));
        }
        assert_eq!("reml".parse::<Method>(), Ok(Method::REML));
        assert_eq!("KNHA".parse::<Test>(), Ok(Test::Knha));
        assert!("xx".parse::<Measure>().is_err());
    }

    #[test]
    fn mh_with_md_is_typed_error() {
        assert!(matches!(
            Method::MH.check_measure(Measure::MD),
            Err(StatsError::IncompatibleMethod { .. })
        ));
        assert!(Method::PETO.check_measure(Measure::OR).is_ok());
    }
}
