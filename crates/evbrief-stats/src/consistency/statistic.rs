//! p-values from a printed test statistic (statcheck's check) and from a printed 95%
//! confidence interval.
//!
//! - t, z and χ²: the two-sided p of the printed statistic with its df (χ² upper tail),
//!   over the statistic's rounding interval, as statcheck does (Nuijten et al. 2016; R
//!   package statcheck by Epskamp & Nuijten: "t(28) = 2.0, p < .05" is consistent because
//!   t may have been 2.049).
//! - A confidence interval (Altman & Bland 2011, BMJ 343:d2090, "How to obtain the P value
//!   from a confidence interval"): `SE = (upper − lower) / (2 · 1.96)`, `z = estimate /
//!   SE`, two-sided normal p; a ratio (RR, OR, HR) is taken on the log scale. Over the
//!   rounding box of the three printed numbers.

use super::super::dist::{p_two_sided_t, p_two_sided_z, pchisq_upper, qnorm};
use super::super::error::StatsError;
use super::{PRange, Printed, TestKind};

/// p at both ends of a printed statistic's rounding interval (and at the print).
fn over_statistic(
    test: TestKind,
    x: Printed,
    p_of: impl Fn(f64) -> Result<f64, StatsError>,
) -> Result<PRange, StatsError> {
    let (lo, hi) = x.range();
    Ok(PRange::over(test, p_of(x.value)?, [p_of(lo)?, p_of(hi)?]))
}

/// Two-sided p of a printed t statistic with `df` degrees of freedom.
///
/// Errors: df not positive and finite ([`StatsError::InvalidInput`]).
pub fn p_from_t(t: Printed, df: f64) -> Result<PRange, StatsError> {
    over_statistic(TestKind::T, t, |x| p_two_sided_t(x, df))
}

/// Two-sided p of a printed z statistic.
///
/// Errors: a non-finite statistic.
pub fn p_from_z(z: Printed) -> Result<PRange, StatsError> {
    over_statistic(TestKind::Z, z, p_two_sided_z)
}

/// Upper-tail p of a printed χ² statistic with `df` degrees of freedom.
///
/// Errors: a negative statistic or df not positive ([`StatsError::InvalidInput`]).
pub fn p_from_chi2(x: Printed, df: f64) -> Result<PRange, StatsError> {
    if x.value < 0.0 {
        return Err(StatsError::InvalidInput {
            field: "chi-square".into(),
            message: format!("must not be negative (got {})", x.value),
        });
    }
    over_statistic(TestKind::Chi2, x, |v| pchisq_upper(v.max(0.0), df))
}

/// Two-sided p from a printed estimate and 95% CI; `ratio` for ratio measures, which are
/// taken on the log scale (Altman & Bland 2011).
///
/// Errors: limits not ordered around the estimate, or a ratio that is not positive
/// ([`StatsError::InvalidInput`]).
pub fn p_from_ci(
    estimate: Printed,
    lower: Printed,
    upper: Printed,
    ratio: bool,
) -> Result<PRange, StatsError> {
    if !(lower.value < upper.value
        && lower.value <= estimate.value
        && estimate.value <= upper.value)
        || (ratio && lower.value <= 0.0)
    {
        return Err(StatsError::InvalidInput {
            field: "confidence interval".into(),
            message: format!(
                "need lower < upper around the estimate{} (got {} ({} to {}))",
                if ratio { ", all positive" } else { "" },
                estimate.value,
                lower.value,
                upper.value
            ),
        });
    }
    let z975 = qnorm(0.975)?;
    let scale = |x: f64| if ratio { x.ln() } else { x };
    let p_of = |e: f64, l: f64, u: f64| -> Result<f64, StatsError> {
        let se = (scale(u) - scale(l)) / (2.0 * z975);
        p_two_sided_z(scale(e) / se)
    };
    let p = p_of(estimate.value, lower.value, upper.value)?;
    let mut corners = Vec::with_capacity(8);
    for e in <[f64; 2]>::from(estimate.range()) {
        for l in <[f64; 2]>::from(lower.range()) {
            for u in <[f64; 2]>::from(upper.range()) {
                if l < u && (!ratio || (l > 0.0 && e > 0.0)) {
                    corners.push(p_of(e, l, u)?);
                }
            }
        }
    }
    Ok(PRange::over(TestKind::CiZ, p, corners))
}

#[cfg(test)]
mod tests {
    use super::super::super::testutil::assert_close;
    use super::super::{PrintedP, check_p};
    use super::*;

    fn n(s: &str) -> Printed {
        Printed::parse(s).unwrap()
    }

    /// (printed statistic result, printed p) → (error, decision error), the cases of
    /// statcheck's own tests (tests/testthat/test-error.R and test-decisionerror.R).
    fn verdict(r: PRange, p: &str) -> (bool, bool) {
        let c = check_p(PrintedP::parse(p).unwrap(), &[r]).unwrap();
        (!c.consistent(), c.decision_error)
    }

    #[test]
    fn statcheck_errors_and_decision_errors() {
        let t28 = |t: &str| p_from_t(n(t), 28.0).unwrap();
        // "t(28) = 2.20, p = .03": error, not a decision error
        assert_eq!(verdict(t28("2.20"), ".03"), (true, false));
        // "t(28) = 2.20, p = .06" and "t(28) = 1.20, p = .03": decision errors
        assert_eq!(verdict(t28("2.20"), ".06"), (true, true));
        assert_eq!(verdict(t28("1.20"), ".03"), (true, true));
        // "t(28) = 2.0, p < .05": consistent, t may have been 2.049
        assert_eq!(verdict(t28("2.0"), "<.05"), (false, false));
        // "t(28) = 2.20, p > .05": error
        assert!(verdict(t28("2.20"), ">.05").0);
        // "z = 2.20, p = .04": error; "Z = -2.42, p = 0.016": consistent
        assert_eq!(verdict(p_from_z(n("2.20")).unwrap(), ".04"), (true, false));
        assert_eq!(
            verdict(p_from_z(n("-2.42")).unwrap(), "0.016"),
            (false, false)
        );
        // "z = 1.20, p = .03", "z = 2.20, p = .06": decision errors
        assert_eq!(verdict(p_from_z(n("1.20")).unwrap(), ".03"), (true, true));
        assert_eq!(verdict(p_from_z(n("2.20")).unwrap(), ".06"), (true, true));
        // "chi2(28) = 22.20, p = .79": error; "chi2(28) = 2.20, p = .03" and
        // "chi2(28) = 52.20, p = .06": decision errors
        let c28 = |x: &str| p_from_chi2(n(x), 28.0).unwrap();
        assert_eq!(verdict(c28("22.20"), ".79"), (true, false));
        assert_eq!(verdict(c28("2.20"), ".03"), (true, true));
        assert_eq!(verdict(c28("52.20"), ".06"), (true, true));
    }

    #[test]
    fn statistic_p_values_match_r() {
        // R: 2 * pt(-2.2, 28) = 0.03622548; 2 * pnorm(-2.42) = 0.01552051;
        // pchisq(22.2, 28, lower.tail = FALSE) = 0.7719487
        assert_close(p_from_t(n("2.2"), 28.0).unwrap().p, 0.03622548, "t");
        assert_close(p_from_z(n("-2.42")).unwrap().p, 0.01552051, "z");
        assert_close(p_from_chi2(n("22.2"), 28.0).unwrap().p, 0.7719487, "chi2");
    }

    #[test]
    fn a_ci_gives_back_its_p() {
        // difference 1.96 with CI 0 to 3.92: SE 1, z 1.96, p 0.05
        let z = qnorm(0.975).unwrap();
        let r = p_from_ci(
            Printed::exact(z),
            Printed::exact(0.0),
            Printed::exact(2.0 * z),
            false,
        )
        .unwrap();
        assert_close(r.p, 0.05, "difference");
        // ratio 2 with CI 1 to 4: log scale symmetric, z = ln 2 / (ln 4 / 3.92) = 1.96
        let r = p_from_ci(n("2"), n("1"), n("4"), true).unwrap();
        assert_close(r.p, 0.05, "ratio at the print");
        assert!(r.lo < 0.05 && r.hi > 0.05);
        assert!(p_from_ci(n("2"), n("3"), n("4"), false).is_err());
        assert!(p_from_ci(n("0.5"), n("0"), n("4"), true).is_err());
    }
}
