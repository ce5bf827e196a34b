//! Consistency checks of reported statistics: does a printed p-value follow from the
//! numbers printed beside it?
//!
//! Why: a p-value that no reasonable test reproduces from the paper's own means, SDs,
//! counts or confidence interval is a typing or analysis error the reader should be told
//! about. The approach is statcheck's (Nuijten et al. 2016, Behav Res Methods 48:1205;
//! the R package by Epskamp & Nuijten): recompute p, compare it with the printed p at
//! the printed precision, and call a mismatch that crosses α = 0.05 a decision error
//! ("gross inconsistency"). statcheck starts from a printed test statistic; here the
//! statistic is recomputed from summary data too, in the spirit of GRIM (Brown &
//! Heathers 2017, Soc Psychol Personal Sci 8:363) and GRIMMER (Anaya 2016, PeerJ
//! Preprints 4:e2400), which ask whether summary numbers are possible at all.
//!
//! Rounding is honoured everywhere: every printed input is an interval (`1.79` is
//! 1.785 to 1.795, [`Printed`]), so a recomputed p is an interval too ([`PRange`], its
//! ends found at the corners of the inputs' rounding box), and a printed `P = 0.008`
//! stands for 0.0075 to 0.0085 ([`PrintedP::bounds`]). A printed p is consistent with a
//! test when the two intervals meet ([`check_p`]).
//!
//! Files: [`summary`] (Student and Welch t from means, SDs or SEMs and n),
//! [`contingency`] (χ² with and without Yates' correction, Fisher's exact test),
//! [`statistic`] (p from a printed t, z or χ², and from a printed confidence interval),
//! [`grim`] (GRIM and GRIMMER). Nothing here reads files or formats text.

pub mod contingency;
pub mod grim;
pub mod statistic;
pub mod summary;

#[cfg(test)]
mod reference_tests;

use serde::Serialize;

use super::error::StatsError;

/// The significance level of decision errors (statcheck's default).
pub const ALPHA: f64 = 0.05;

/// A number as printed: its value and half a unit of its last printed digit.
///
/// Why: `1.79` may be anything from 1.785 to 1.795; a check that took it as exact would
/// flag rounding as an error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Printed {
    /// The value as printed.
    pub value: f64,
    /// Half a unit of the last printed digit (0.005 for `1.79`; 0 for an exact value).
    pub half_unit: f64,
}

impl Printed {
    /// Reads a plain decimal as printed (`"1.79"`, `"-0.50"`, `"12"`); the digits after
    /// the point, trailing zeros included, set the precision.
    ///
    /// Errors: anything but an optional sign, digits and at most one point
    /// ([`StatsError::InvalidInput`]).
    pub fn parse(text: &str) -> Result<Printed, StatsError> {
        let t = text.trim();
        let bad = || StatsError::InvalidInput {
            field: "printed number".into(),
            message: format!("'{text}' is not a plain decimal such as 1.79"),
        };
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
            || frac.len() > 15
        {
            return Err(bad());
        }
        let value: f64 = t.parse().map_err(|_| bad())?;
        Ok(Printed {
            value,
            half_unit: 0.5 * 10f64.powi(-(frac.len() as i32)),
        })
    }

    /// A value known exactly (a count, a sample size).
    pub fn exact(value: f64) -> Printed {
        Printed {
            value,
            half_unit: 0.0,
        }
    }

    /// The lowest and highest values that print as this one.
    pub fn range(self) -> (f64, f64) {
        (self.value - self.half_unit, self.value + self.half_unit)
    }
}

/// How a printed p-value relates to its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PRelation {
    /// `P = 0.008`.
    Equal,
    /// `P < 0.05`.
    Less,
    /// `P > 0.05`.
    Greater,
}

/// A p-value as printed, with its precision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PrintedP {
    /// Equality or bound.
    pub relation: PRelation,
    /// The number.
    pub value: f64,
    /// Half a unit of its last printed digit.
    pub half_unit: f64,
}

impl PrintedP {
    /// Reads `"0.008"`, `"=0.008"`, `"P<0.05"`, `"p > .05"`, `"P = 0.000"`; `None` when the
    /// text is not a p-value between 0 and 1.
    pub fn parse(text: &str) -> Option<PrintedP> {
        let t = text.trim();
        let t = t.strip_prefix(['P', 'p']).unwrap_or(t).trim_start();
        let (relation, rest) = match t.chars().next()? {
            '<' => (PRelation::Less, &t[1..]),
            '>' => (PRelation::Greater, &t[1..]),
            '=' => (PRelation::Equal, &t[1..]),
            _ => (PRelation::Equal, t),
        };
        let printed = Printed::parse(rest.trim()).ok()?;
        (printed.value.is_finite() && (0.0..=1.0).contains(&printed.value)).then_some(PrintedP {
            relation,
            value: printed.value,
            half_unit: printed.half_unit,
        })
    }

    /// The p-values this print stands for: `= 0.008` is 0.0075 to 0.0085 (a value that
    /// rounds to it), `< 0.05` is 0 to 0.05, `> 0.05` is 0.05 to 1. statcheck's rule: a
    /// p-value is compared at the precision it is printed with.
    pub fn bounds(self) -> (f64, f64) {
        match self.relation {
            PRelation::Equal => (
                (self.value - self.half_unit).max(0.0),
                (self.value + self.half_unit).min(1.0),
            ),
            PRelation::Less => (0.0, self.value),
            PRelation::Greater => (self.value, 1.0),
        }
    }

    /// Whether the print claims significance at `alpha`: `Some(true)` when every p it
    /// stands for is below `alpha`, `Some(false)` when every one is above, else `None`
    /// (`P = 0.05`).
    pub fn significant(self, alpha: f64) -> Option<bool> {
        match self.relation {
            PRelation::Less if self.value <= alpha => Some(true),
            PRelation::Greater if self.value >= alpha => Some(false),
            _ => significance(self.bounds(), alpha),
        }
    }
}

fn significance((lo, hi): (f64, f64), alpha: f64) -> Option<bool> {
    if hi < alpha {
        Some(true)
    } else if lo > alpha {
        Some(false)
    } else {
        None
    }
}

/// A statistical test a paper may have used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestKind {
    /// Student's two-sample t-test (pooled variance).
    StudentT,
    /// Welch's two-sample t-test (unequal variances, Welch–Satterthwaite df).
    WelchT,
    /// Pearson's χ² test of a 2×2 table without continuity correction.
    ChiSquare,
    /// Pearson's χ² test with Yates' continuity correction.
    ChiSquareYates,
    /// Fisher's exact test, two-sided.
    FisherExact,
    /// A z-test from a printed confidence interval (Altman & Bland 2011).
    CiZ,
    /// A printed t statistic.
    T,
    /// A printed z statistic.
    Z,
    /// A printed χ² statistic.
    Chi2,
}

impl TestKind {
    /// The test's name in English, for console messages ("Welch's t-test").
    pub fn name(self) -> &'static str {
        match self {
            TestKind::StudentT => "Student's t-test",
            TestKind::WelchT => "Welch's t-test",
            TestKind::ChiSquare => "the chi-square test",
            TestKind::ChiSquareYates => "the chi-square test with Yates' correction",
            TestKind::FisherExact => "Fisher's exact test",
            TestKind::CiZ => "the z-test from the confidence interval",
            TestKind::T => "the t statistic",
            TestKind::Z => "the z statistic",
            TestKind::Chi2 => "the chi-square statistic",
        }
    }

    /// A stable key (`"welch-t"`), also the key of its name in the label tables.
    pub fn key(self) -> &'static str {
        match self {
            TestKind::StudentT => "student-t",
            TestKind::WelchT => "welch-t",
            TestKind::ChiSquare => "chi-square",
            TestKind::ChiSquareYates => "chi-square-yates",
            TestKind::FisherExact => "fisher-exact",
            TestKind::CiZ => "ci-z",
            TestKind::T => "t",
            TestKind::Z => "z",
            TestKind::Chi2 => "chi2",
        }
    }
}

/// A recomputed p-value: at the printed numbers, and its range over their rounding.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PRange {
    /// The test assumed.
    pub test: TestKind,
    /// p at the printed values.
    pub p: f64,
    /// The smallest p any values that print the same give.
    pub lo: f64,
    /// The largest.
    pub hi: f64,
}

impl PRange {
    /// A p-value from exact inputs (counts).
    pub fn exact(test: TestKind, p: f64) -> PRange {
        PRange {
            test,
            p,
            lo: p,
            hi: p,
        }
    }

    /// `p` at the printed inputs, widened to every p among `corners` (the inputs' rounding
    /// box).
    pub(crate) fn over(test: TestKind, p: f64, corners: impl IntoIterator<Item = f64>) -> Self {
        let (lo, hi) = corners
            .into_iter()
            .fold((p, p), |(lo, hi), q| (lo.min(q), hi.max(q)));
        PRange { test, p, lo, hi }
    }

    /// True when this range meets the p-values a print stands for.
    pub fn fits(&self, printed: PrintedP) -> bool {
        let (lo, hi) = printed.bounds();
        self.lo <= hi && self.hi >= lo
    }

    /// How far this range lies from a print, in orders of magnitude (0 when they meet).
    fn distance(&self, printed: PrintedP) -> f64 {
        let (lo, hi) = printed.bounds();
        let log = |x: f64| x.max(1e-300).log10();
        if self.fits(printed) {
            0.0
        } else if self.hi < lo {
            log(lo) - log(self.hi)
        } else {
            log(self.lo) - log(hi)
        }
    }
}

/// The verdict on one printed p-value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PCheck {
    /// The print checked.
    pub printed: PrintedP,
    /// The tests whose recomputed p fits the print (empty: inconsistent).
    pub fitting: Vec<TestKind>,
    /// The recomputed p nearest the print (the first fitting one when any fits).
    pub nearest: PRange,
    /// statcheck's decision error: the print is significant at [`ALPHA`] and every test
    /// says not, or the other way round.
    pub decision_error: bool,
}

impl PCheck {
    /// True when at least one test reproduces the print.
    pub fn consistent(&self) -> bool {
        !self.fitting.is_empty()
    }
}

/// Compares a printed p with the p-values recomputed under each test the paper may have
/// used. `None` when there is nothing to compare with.
///
/// Rules (statcheck's, with rounded inputs): the print fits a test when the test's
/// [`PRange`] meets [`PrintedP::bounds`]; it is consistent when any test fits; a decision
/// error is an inconsistent print whose significance at [`ALPHA`] differs from that of
/// every test.
pub fn check_p(printed: PrintedP, candidates: &[PRange]) -> Option<PCheck> {
    let fitting: Vec<TestKind> = candidates
        .iter()
        .filter(|c| c.fits(printed))
        .map(|c| c.test)
        .collect();
    let nearest = *candidates
        .iter()
        .min_by(|a, b| a.distance(printed).total_cmp(&b.distance(printed)))?;
    let decision_error = fitting.is_empty()
        && printed.significant(ALPHA).is_some_and(|claimed| {
            candidates
                .iter()
                .all(|c| significance((c.lo, c.hi), ALPHA) == Some(!claimed))
        });
    Some(PCheck {
        printed,
        fitting,
        nearest,
        decision_error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printed_numbers_keep_their_precision() {
        assert_eq!(
            Printed::parse("1.79").unwrap(),
            Printed {
                value: 1.79,
                half_unit: 0.005
            }
        );
        assert_eq!(Printed::parse("25.00").unwrap().half_unit, 0.005);
        assert_eq!(Printed::parse("-12").unwrap().half_unit, 0.5);
        assert_eq!(Printed::parse(".5").unwrap().value, 0.5);
        for bad in ["", ".", "1e3", "1.2.3", "abc", "NaN", "--1"] {
            assert!(Printed::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn printed_p_values_stand_for_what_rounds_to_them() {
        let p = PrintedP::parse("0.008").unwrap();
        let (lo, hi) = p.bounds();
        assert!((lo - 0.0075).abs() < 1e-15 && (hi - 0.0085).abs() < 1e-15);
        assert_eq!(PrintedP::parse("P<0.05").unwrap().bounds(), (0.0, 0.05));
        assert_eq!(PrintedP::parse("p > .05").unwrap().bounds(), (0.05, 1.0));
        assert_eq!(
            PrintedP::parse("P = 0.000").unwrap().bounds(),
            (0.0, 0.0005)
        );
        assert_eq!(PrintedP::parse("1.5"), None);
        assert_eq!(PrintedP::parse("n.s."), None);
        assert_eq!(p.significant(ALPHA), Some(true));
        assert_eq!(PrintedP::parse("0.05").unwrap().significant(ALPHA), None);
        assert_eq!(
            PrintedP::parse("P<0.05").unwrap().significant(ALPHA),
            Some(true)
        );
        assert_eq!(
            PrintedP::parse(">0.05").unwrap().significant(ALPHA),
            Some(false)
        );
    }

    #[test]
    fn a_print_is_consistent_when_any_test_reproduces_it() {
        let p = PrintedP::parse("0.008").unwrap();
        let student = PRange::over(TestKind::StudentT, 0.0076, [0.0072, 0.0080]);
        let welch = PRange::over(TestKind::WelchT, 0.0084, [0.0080, 0.0089]);
        let c = check_p(p, &[student, welch]).unwrap();
        assert_eq!(c.fitting, vec![TestKind::StudentT, TestKind::WelchT]);
        assert!(c.consistent() && !c.decision_error);
        let c = check_p(PrintedP::parse("0.002").unwrap(), &[student, welch]).unwrap();
        assert!(!c.consistent());
        assert_eq!(c.nearest.test, TestKind::StudentT);
        assert!(!c.decision_error, "both sides significant");
        assert_eq!(check_p(p, &[]), None);
    }

    #[test]
    fn a_decision_error_needs_every_test_on_the_other_side() {
        let p = PrintedP::parse("0.007").unwrap();
        let t = PRange::over(TestKind::StudentT, 0.12, [0.11, 0.13]);
        assert!(check_p(p, &[t]).unwrap().decision_error);
        let near = PRange::over(TestKind::WelchT, 0.04, [0.03, 0.06]);
        assert!(!check_p(p, &[t, near]).unwrap().decision_error);
    }
}
