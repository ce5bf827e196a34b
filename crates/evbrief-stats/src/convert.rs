//! Conversions of reported statistics into the inputs that effect sizes
//! need, each with an audit-trail entry (a human sentence) for the brief.

use serde::Serialize;

use super::dist;
use super::error::{StatsError, finite, positive};

/// One step of the audit trail: what was derived, from what, and how.
///
/// Why: every number not taken verbatim from a paper must be traceable in
/// the brief, e.g. "SD from SEM × √n (n = 33)".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Short machine-readable kind, e.g. "sd_from_sem".
    pub kind: String,
    /// Human sentence for the brief.
    pub sentence: String,
    /// Method reference (paper or handbook section).
    pub source: String,
    /// The sentence's values by name (`n`, `events`, `printed` …), so a brief in another
    /// language can word the same step from its own label table.
    #[serde(skip)]
    pub params: Vec<(String, String)>,
}

/// A converted value together with its audit entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Converted {
    /// The derived value.
    pub value: f64,
    /// How it was derived.
    pub audit: AuditEntry,
}

fn entry(kind: &str, sentence: String, source: &str) -> AuditEntry {
    AuditEntry {
        kind: kind.into(),
        sentence,
        source: source.into(),
        params: Vec::new(),
    }
}

impl AuditEntry {
    /// This entry with its values by name (see [`AuditEntry::params`]).
    fn with(mut self, params: &[(&str, String)]) -> AuditEntry {
        self.params = params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self
    }
}

fn fmt_n(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// SD from a standard error of the mean: `SD = SEM × √n`
/// (Cochrane Handbook 6.5.2.2).
pub fn sd_from_sem(sem: f64, n: f64) -> Result<Converted, StatsError> {
    finite("sem", sem)?;
    if sem < 0.0 {
        return Err(StatsError::InvalidInput {
            field: "sem".into(),
            message: "must not be negative".into(),
        });
    }
    positive("n", n)?;
    Ok(Converted {
        value: sem * n.sqrt(),
        audit: entry(
            "sd_from_sem",
            format!("SD from SEM × √n (n = {})", fmt_n(n)),
            "Cochrane Handbook 6.5.2.2",
        )
        .with(&[("n", fmt_n(n))]),
    })
}

/// Divisor used to turn the width of a 95% CI of a mean into an SE.
///
/// Choice (Cochrane Handbook 6.5.2.2): with `n < 60` the CI is taken to be
/// t-based, divisor `2·t(0.975, n-1)`; otherwise (or with unknown n) normal,
/// divisor `2·qnorm(0.975) = 3.919928…` — the exact normal quantile rather
/// than the handbook's rounded 3.92, matching metafor `conv.wald`.
fn ci_divisor(n: Option<f64>) -> Result<(f64, String), StatsError> {
    match n {
        Some(n) if n < 60.0 => {
            if n.is_nan() || n < 2.0 {
                return Err(StatsError::InvalidInput {
                    field: "n".into(),
                    message: format!("need n >= 2 for a t-based interval (got {n})"),
                });
            }
            let t = dist::qt(0.975, n - 1.0)?;
            Ok((
                2.0 * t,
                format!("2 × t(0.975, {} df) = {:.4}", fmt_n(n - 1.0), 2.0 * t),
            ))
        }
        _ => {
            let z = dist::qnorm(0.975)?;
            Ok((2.0 * z, format!("2 × z(0.975) = {:.4}", 2.0 * z)))
        }
    }
}

/// SE of a mean from its 95% CI: `(upper - lower)/divisor`, divisor per
/// `ci_divisor`: t with n − 1 df below n = 60, else 2 × z₀.₉₇₅ (Cochrane Handbook 6.5.2.2).
pub fn se_from_mean_ci(lower: f64, upper: f64, n: Option<f64>) -> Result<Converted, StatsError> {
    finite("ci_lower", lower)?;
    finite("ci_upper", upper)?;
    if upper < lower {
        return Err(StatsError::InvalidInput {
            field: "ci_upper".into(),
            message: "upper limit is below the lower limit".into(),
        });
    }
    let (d, how) = ci_divisor(n)?;
    Ok(Converted {
        value: (upper - lower) / d,
        audit: entry(
            "se_from_mean_ci",
            format!("SE from 95% CI width / {how}"),
            "Cochrane Handbook 6.5.2.2",
        ),
    })
}

/// SD of a group from the 95% CI of its mean: `√n × SE` with SE from
/// [`se_from_mean_ci`] (Cochrane Handbook 6.5.2.2).
pub fn sd_from_mean_ci(lower: f64, upper: f64, n: f64) -> Result<Converted, StatsError> {
    positive("n", n)?;
    let se = se_from_mean_ci(lower, upper, Some(n))?;
    Ok(Converted {
        value: se.value * n.sqrt(),
        audit: entry(
            "sd_from_mean_ci",
            format!(
                "SD from 95% CI of the mean: √n × {} (n = {})",
                se.audit.sentence,
                fmt_n(n)
            ),
            "Cochrane Handbook 6.5.2.2",
        ),
    })
}

/// A ratio measure (RR, OR, HR) converted to the log scale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogRatio {
    /// `log(point)`.
    pub yi: Converted,
    /// SE of the log ratio.
    pub se: Converted,
}

/// Log ratio and its SE from a point estimate and 95% CI:
/// `yi = log(point)`, `se = (log(upper) - log(lower)) / (2·qnorm(0.975))`
/// (metafor `conv.wald` with `transf=log`; Cochrane Handbook 6.3.2).
pub fn log_ratio_from_ci(point: f64, lower: f64, upper: f64) -> Result<LogRatio, StatsError> {
    positive("estimate", point)?;
    positive("ci_lower", lower)?;
    positive("ci_upper", upper)?;
    if !(lower <= point && point <= upper) {
        return Err(StatsError::InvalidInput {
            field: "estimate".into(),
            message: format!("point estimate {point} is not inside its CI [{lower}, {upper}]"),
        });
    }
    let z = dist::qnorm(0.975)?;
    Ok(LogRatio {
        yi: Converted {
            value: point.ln(),
            audit: entry(
                "log_ratio",
                format!("log of the reported ratio {point}"),
                "metafor conv.wald",
            ),
        },
        se: Converted {
            value: (upper.ln() - lower.ln()) / (2.0 * z),
            audit: entry(
                "se_from_ratio_ci",
                format!(
                    "SE of log ratio from 95% CI: (ln {upper} - ln {lower}) / {:.4}",
                    2.0 * z
                ),
                "metafor conv.wald; Cochrane Handbook 6.3.2",
            ),
        },
    })
}

/// Events recovered from a printed percentage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PercentEvents {
    /// Exactly one integer count reproduces the printed percentage.
    Exact {
        /// The event count.
        events: u64,
        /// Audit entry.
        audit: AuditEntry,
    },
    /// Several integer counts reproduce it: the caller must choose or ask.
    Ambiguous {
        /// All candidate counts, ascending.
        candidates: Vec<u64>,
        /// Audit entry.
        audit: AuditEntry,
    },
}

/// Event count from a percentage of `n`, honouring the precision of the
/// printed value: `literal` is the decimal string as printed ("25.00",
/// optionally with "%"). Every integer `x ≤ n` with `|100x/n - p| ≤ half a
/// unit of the last digit` fits (checked in exact integer arithmetic).
///
/// Precision: the printed digits are tried first ("25.00" of 32 is 8 at
/// ± 0.005%). Only when no count fits are trailing zeros read as padding,
/// one at a time: papers that print one real decimal padded to two ("60.60"
/// for 20/33 = 60.606…, which two real decimals would print as 60.61) are
/// read at ± 0.05%. The audit sentence gives the literal as printed and the
/// precision used. No fit at any reading is an error; several are
/// `Ambiguous`.
pub fn events_from_percentage(literal: &str, n: u64) -> Result<PercentEvents, StatsError> {
    let bad = |m: &str| StatsError::InvalidInput {
        field: "percentage".into(),
        message: format!("'{literal}': {m}"),
    };
    if n == 0 {
        return Err(StatsError::InvalidInput {
            field: "n".into(),
            message: "must be greater than zero".into(),
        });
    }
    let s = literal.trim().trim_end_matches('%').trim();
    let (int_part, frac_raw) = match s.split_once('.') {
        Some((a, b)) => (a, b),
        None => (s, ""),
    };
    if int_part.is_empty() && frac_raw.is_empty() {
        return Err(bad("not a number"));
    }
    if !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_raw.chars().all(|c| c.is_ascii_digit())
    {
        return Err(bad("must be a plain non-negative decimal such as 28.1"));
    }
    if frac_raw.len() > 12 || int_part.len() > 6 {
        return Err(bad("too many digits"));
    }
    let printed = if frac_raw.is_empty() {
        int_part.to_string()
    } else {
        format!("{int_part}.{frac_raw}")
    };
    let half_of = |d: usize| {
        if d == 0 {
            "0.5".to_string()
        } else {
            format!("0.{}5", "0".repeat(d))
        }
    };
    let padding = frac_raw.len() - frac_raw.trim_end_matches('0').len();
    let mut last: Option<(String, String)> = None;
    for stripped in 0..=padding {
        let frac = &frac_raw[..frac_raw.len() - stripped];
        let d = frac.len() as u32;
        let digits = format!("{int_part}{frac}");
        let p_scaled: u128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| bad("not a number"))?
        };
        let scale: u128 = 10u128.pow(d);
        if p_scaled > 100 * scale {
            return Err(bad("percentage above 100"));
        }
        let nn = n as u128;
        // |100x/n - P/10^d| <= 0.5/10^d  <=>  |200·x·10^d - 2·P·n| <= n
        let target = 2 * p_scaled * nn;
        let candidates: Vec<u64> = (0..=n)
            .filter(|&x| {
                let lhs = 200 * (x as u128) * scale;
                lhs.abs_diff(target) <= nn
            })
            .collect();
        let half = half_of(d as usize);
        let read = if frac.is_empty() {
            int_part.to_string()
        } else {
            format!("{int_part}.{frac}")
        };
        // How the literal was read, for the audit sentence.
        let reading = if stripped == 0 {
            format!("printed precision ± {half}%")
        } else {
            format!(
                "no count fits at the printed ± {}%; read as {read}% ± {half}%, the trailing \
                 zero{} taken as padding",
                half_of(frac_raw.len()),
                if stripped > 1 { "s" } else { "" }
            )
        };
        match candidates.as_slice() {
            [] => last = Some((read, half)),
            [x] => {
                return Ok(PercentEvents::Exact {
                    events: *x,
                    audit: entry(
                        "events_from_percentage",
                        format!("events = {x} from {printed}% of n = {n} ({reading})"),
                        "evbrief: exact integer search",
                    )
                    .with(&[
                        ("events", x.to_string()),
                        ("printed", printed.clone()),
                        ("n", n.to_string()),
                        ("half", half.clone()),
                        ("printed-half", half_of(frac_raw.len())),
                        ("read", read.clone()),
                        (
                            "reading",
                            match stripped {
                                0 => "printed",
                                1 => "padded-one",
                                _ => "padded-many",
                            }
                            .to_owned(),
                        ),
                    ]),
                });
            }
            many => {
                return Ok(PercentEvents::Ambiguous {
                    candidates: many.to_vec(),
                    audit: entry(
                        "events_from_percentage",
                        format!(
                            "{printed}% of n = {n} is ambiguous: {} events all round to it ({reading})",
                            many.iter()
                                .map(|x| x.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        "evbrief: exact integer search",
                    ),
                });
            }
        }
    }
    let (read, half) = last.unwrap_or_else(|| (printed.clone(), half_of(0)));
    Err(StatsError::Conversion(format!(
        "no whole number of events out of {n} gives {read}% (± {half})"
    )))
}

/// A five-number summary (any of: min/median/max; q1/median/q3; all five).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FiveNumber {
    /// Minimum.
    pub min: Option<f64>,
    /// First quartile.
    pub q1: Option<f64>,
    /// Median.
    pub median: f64,
    /// Third quartile.
    pub q3: Option<f64>,
    /// Maximum.
    pub max: Option<f64>,
    /// Sample size.
    pub n: f64,
}

/// Mean and SD estimated from a five-number summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeanSd {
    /// Estimated mean.
    pub mean: Converted,
    /// Estimated SD.
    pub sd: Converted,
    /// Shi et al. 2023 skewness test statistic.
    pub skew_statistic: f64,
    /// Its critical value at n.
    pub skew_critical: f64,
}

/// Mean and SD from median with range and/or IQR, exactly as metafor
/// `conv.fivenum` with its defaults (`method="default"`, `dist="norm"`,
/// `test=TRUE`):
///
/// - min/median/max: mean by Luo et al. 2018 (eq. 7)
///   `w(a+b)/2 + (1-w)m`, `w = 4/(4+n^0.75)`; SD by Wan et al. 2014 (eq. 9)
///   `(b-a)/(2Φ⁻¹((n-0.375)/(n+0.25)))`.
/// - q1/median/q3: mean by Luo et al. 2018 (eq. 11), `w = 0.7 + 0.39/n`;
///   SD by Wan et al. 2014 (eq. 16) `(q3-q1)/(2Φ⁻¹((0.75n-0.125)/(n+0.25)))`.
/// - all five: mean by Luo et al. 2018 (eq. 15), SD by Shi et al. 2020 (eq. 10).
///
/// Skewness (Shi et al. 2023): the data are refused as [`StatsError::TooSkewed`]
/// when the test statistic reaches the critical value, where metafor returns NA.
/// metafor also skips n < 5; here that is an error.
pub fn mean_sd_from_five_number(f: &FiveNumber) -> Result<MeanSd, StatsError> {
    let n = f.n;
    positive("n", n)?;
    if n < 5.0 {
        return Err(StatsError::Conversion(format!(
            "n = {} is below 5; metafor conv.fivenum does not convert such summaries",
            fmt_n(n)
        )));
    }
    let m = finite("median", f.median)?;
    let vals = [f.min, f.q1, Some(m), f.q3, f.max];
    let present: Vec<f64> = vals.iter().flatten().copied().collect();
    for v in &present {
        finite("five-number summary", *v)?;
    }
    if present.windows(2).any(|w| w[0] > w[1]) {
        return Err(StatsError::InvalidInput {
            field: "five-number summary".into(),
            message: "min <= q1 <= median <= q3 <= max does not hold".into(),
        });
    }
    let ratio = |num: f64, den: f64| if den > 0.0 { (num / den).abs() } else { 0.0 };
    let xi = || -> Result<f64, StatsError> { Ok(2.0 * dist::qnorm((n - 0.375) / (n + 0.25))?) };
    let eta =
        || -> Result<f64, StatsError> { Ok(2.0 * dist::qnorm((0.75 * n - 0.125) / (n + 0.25))?) };
    let ns = fmt_n(n);
    let (t, crit, mean, sd, mean_s, sd_s) = match (f.min, f.q1, f.q3, f.max) {
        (Some(a), None, None, Some(b)) => {
            let t = ratio(a + b - 2.0 * m, b - a);
            let crit = 1.0 / (n + 9.0).ln() + 2.5 / (n + 1.0);
            let w = 4.0 / (4.0 + n.powf(0.75));
            (
                t,
                crit,
                w * (a + b) / 2.0 + (1.0 - w) * m,
                (b - a) / xi()?,
                format!("mean from median and range by Luo et al. 2018 (n = {ns})"),
                format!("SD from range by Wan et al. 2014 (n = {ns})"),
            )
        }
        (None, Some(q1), Some(q3), None) => {
            let t = ratio(q1 + q3 - 2.0 * m, q3 - q1);
            let crit = 2.65 / n.sqrt() - 6.0 / (n * n);
            let w = 0.7 + 0.39 / n;
            (
                t,
                crit,
                w * (q1 + q3) / 2.0 + (1.0 - w) * m,
                (q3 - q1) / eta()?,
                format!("mean from median and IQR by Luo et al. 2018 (n = {ns})"),
                format!("SD from IQR by Wan et al. 2014 (n = {ns})"),
            )
        }
        (Some(a), Some(q1), Some(q3), Some(b)) => {
            let t = (2.65 * (0.6 * n).ln() / n.sqrt() * ratio(a + b - 2.0 * m, b - a))
                .max(ratio(q1 + q3 - 2.0 * m, q3 - q1));
            let crit = 3.0 / n.sqrt() - 40.0 / n.powi(3);
            let w1 = 2.2 / (2.2 + n.powf(0.75));
            let w2 = 0.7 - 0.72 / n.powf(0.55);
            let w = 1.0 / (1.0 + 0.07 * n.powf(0.6));
            (
                t,
                crit,
                w1 * (a + b) / 2.0 + w2 * (q1 + q3) / 2.0 + (1.0 - w1 - w2) * m,
                w * (b - a) / xi()? + (1.0 - w) * (q3 - q1) / eta()?,
                format!("mean from median, IQR and range by Luo et al. 2018 (n = {ns})"),
                format!("SD from IQR and range by Shi et al. 2020 (n = {ns})"),
            )
        }
        _ => {
            return Err(StatsError::Conversion(
                "need min and max, or q1 and q3, or all five values (with the median)".into(),
            ));
        }
    };
    if t >= crit {
        return Err(StatsError::TooSkewed {
            statistic: t,
            critical: crit,
        });
    }
    Ok(MeanSd {
        mean: Converted {
            value: mean,
            audit: entry(
                "mean_from_five_number",
                mean_s,
                "Luo et al. 2018; metafor conv.fivenum",
            ),
        },
        sd: Converted {
            value: sd,
            audit: entry(
                "sd_from_five_number",
                sd_s,
                "Wan et al. 2014; Shi et al. 2020; metafor conv.fivenum",
            ),
        },
        skew_statistic: t,
        skew_critical: crit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::assert_close;

    #[test]
    fn sem_to_sd_sentence() {
        let c = sd_from_sem(2.0, 33.0).unwrap();
        assert_close(c.value, 2.0 * 33f64.sqrt(), "sd");
        assert_eq!(c.audit.sentence, "SD from SEM × √n (n = 33)");
    }

    #[test]
    fn ci_to_se_small_and_large_n() {
        // R: (12 - 8) / (2 * qt(.975, 19)) and (12 - 8) / (2 * qnorm(.975))
        assert_close(
            se_from_mean_ci(8.0, 12.0, Some(20.0)).unwrap().value,
            0.9555551909628641,
            "t",
        );
        assert_close(
            se_from_mean_ci(8.0, 12.0, Some(100.0)).unwrap().value,
            1.020426913849308,
            "z",
        );
        assert!(se_from_mean_ci(12.0, 8.0, None).is_err());
    }

    #[test]
    fn ratio_ci_to_log_se() {
        let r = log_ratio_from_ci(0.8, 0.6, 1.2).unwrap();
        assert_close(
            r.se.value,
            (1.2f64.ln() - 0.6f64.ln()) / 3.919927969080108,
            "se",
        );
        assert!(log_ratio_from_ci(2.0, 0.6, 1.2).is_err());
    }

    #[test]
    fn percentage_precision() {
        // 28.1% of 57 = 16.02 -> 16 is the only count within 28.05..28.15
        match events_from_percentage("28.10", 57).unwrap() {
            PercentEvents::Exact { events, .. } => assert_eq!(events, 16),
            other => panic!("{other:?}"),
        }
        // 50% of 1000 with integer precision: 495..=505 all fit
        match events_from_percentage("50", 1000).unwrap() {
            PercentEvents::Ambiguous { candidates, .. } => assert_eq!(candidates.len(), 11),
            other => panic!("{other:?}"),
        }
        // 33.3% of 10 -> 3.33 events: nothing fits
        assert!(events_from_percentage("33.3", 10).is_err());
        assert!(events_from_percentage("-3", 10).is_err());
        // Zhao 2024 prints 25.00% of 32: 8 at the printed two decimals, said as printed
        match events_from_percentage("25.00", 32).unwrap() {
            PercentEvents::Exact { events, audit } => {
                assert_eq!(events, 8);
                assert_eq!(
                    audit.sentence,
                    "events = 8 from 25.00% of n = 32 (printed precision ± 0.005%)"
                );
            }
            other => panic!("{other:?}"),
        }
        // ... and 60.60% of 33: 20/33 = 60.606 needs the padding reading
        match events_from_percentage("60.60", 33).unwrap() {
            PercentEvents::Exact { events, audit } => {
                assert_eq!(events, 20);
                assert_eq!(
                    audit.sentence,
                    "events = 20 from 60.60% of n = 33 (no count fits at the printed ± 0.005%; \
                     read as 60.6% ± 0.05%, the trailing zero taken as padding)"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(events_from_percentage("abc", 10).is_err());
    }
}
