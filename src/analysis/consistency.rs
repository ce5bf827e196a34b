//! Do the p-values the papers print follow from the numbers they print beside them?
//!
//! For every between-arm comparison (`[[comparisons]]` with `arms`) whose two arms have
//! results at the same outcome and time, the p-value is recomputed under each test the
//! paper may have used (`stats::consistency`): Student's and Welch's t from means with
//! SDs or SEMs and n, or χ² (with and without Yates' correction) and Fisher's exact test
//! from counts (events, or a percentage that exactly one whole count reproduces); and,
//! for any comparison with a printed estimate and 95% CI (`ci`), the z-test from that
//! interval (Altman & Bland 2011), which also covers within-arm comparisons. The
//! printed p and every conflicting print (`[[comparisons.conflicts]]` with `p`) are
//! compared with them at their printed precision. Nothing is changed: the checks are
//! reported (a warning at `check` and `build`, a line in the brief's "Discrepancies
//! between sources", a marker beside the value).
//!
//! Not checked: within-arm comparisons without a printed CI (a paired test needs the
//! correlation between time points, which papers do not print), values whose n is
//! unknown, and comparisons without numbers for both arms.

use std::ops::Range;

use serde::Serialize;

use super::extract::arm_size;
use crate::data::LoadedStudy;
use crate::data::Project;
use crate::data::model::{Comparison, Measurement};
use crate::data::time::parse_time;
use crate::diagnostic::Problem;
use crate::stats::consistency::contingency::{Table, table_tests};
use crate::stats::consistency::statistic::p_from_ci;
use crate::stats::consistency::summary::{GroupSummary, student_t, welch_t};
use crate::stats::consistency::{PCheck, PRange, Printed, PrintedP, TestKind, check_p};
use crate::stats::convert::{PercentEvents, events_from_percentage};

/// What a recomputed p-value rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Basis {
    /// Means with SDs or SEMs and n.
    Means,
    /// Events out of n.
    Counts,
    /// A printed estimate with its confidence interval.
    Interval,
}

impl Basis {
    /// The numbers `test` recomputes p from.
    pub fn of(test: TestKind) -> Basis {
        match test {
            TestKind::StudentT | TestKind::WelchT | TestKind::T | TestKind::Z => Basis::Means,
            TestKind::ChiSquare
            | TestKind::ChiSquareYates
            | TestKind::FisherExact
            | TestKind::Chi2 => Basis::Counts,
            TestKind::CiZ => Basis::Interval,
        }
    }

    /// A stable key (`"means"`), also the key of its words in the label tables.
    pub fn key(self) -> &'static str {
        match self {
            Basis::Means => "means",
            Basis::Counts => "counts",
            Basis::Interval => "interval",
        }
    }
}

/// One printed p-value of a comparison and its verdict.
#[derive(Debug, Clone, Serialize)]
pub struct PrintCheck {
    /// The p-value as printed ("0.008").
    pub text: String,
    /// Where it stands ("Chinese abstract, 结果").
    pub place: String,
    /// The report it stands in.
    pub report: String,
    /// The verdict.
    pub check: PCheck,
    /// Its byte range in the study file, for warnings.
    #[serde(skip)]
    pub span: Range<usize>,
}

/// The check of one between-arm comparison.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonCheck {
    /// Study id.
    pub study: String,
    /// Index of the comparison among the study's `[[comparisons]]`.
    pub index: usize,
    /// Outcome id.
    pub outcome: String,
    /// Time point as written.
    pub time: String,
    /// The recomputed p-values, one per test.
    pub recomputed: Vec<PRange>,
    /// The main print first, then each conflicting print with a p-value.
    pub prints: Vec<PrintCheck>,
}

impl ComparisonCheck {
    /// When the sources disagree and exactly one print fits the data: its index in
    /// `prints`.
    pub fn supported(&self) -> Option<usize> {
        if self.prints.len() < 2 {
            return None;
        }
        let fitting: Vec<usize> = (0..self.prints.len())
            .filter(|&i| self.prints[i].check.consistent())
            .collect();
        match fitting.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// True when any print is inconsistent with every test.
    pub fn flagged(&self) -> bool {
        self.prints.iter().any(|p| !p.check.consistent())
    }
}

/// Checks every between-arm comparison of every study (see the module header).
pub fn check_comparisons(project: &Project) -> Vec<ComparisonCheck> {
    project
        .studies
        .iter()
        .flat_map(|s| {
            s.study
                .comparisons
                .iter()
                .enumerate()
                .filter_map(move |(i, c)| check_comparison(s, i, c))
        })
        .collect()
}

fn check_comparison(s: &LoadedStudy, index: usize, c: &Comparison) -> Option<ComparisonCheck> {
    let mut recomputed = arm_tests(s, c).unwrap_or_default();
    if let Some(ci) = &c.ci
        && let (Some(e), Some(l), Some(u)) = (
            printed(s, ci.estimate.span()),
            printed(s, ci.lower.span()),
            printed(s, ci.upper.span()),
        )
        && let Ok(r) = p_from_ci(e, l, u, ci.ratio)
    {
        recomputed.push(r);
    }
    if recomputed.is_empty() {
        return None;
    }
    let mut prints = Vec::new();
    let main = (&c.p, &c.source);
    let others = c
        .conflicts
        .iter()
        .filter_map(|k| k.p.as_ref().map(|p| (p, &k.source)));
    for (p, source) in std::iter::once(main).chain(others) {
        let Some(printed) = PrintedP::parse(p.get_ref()) else {
            continue;
        };
        if let Some(check) = check_p(printed, &recomputed) {
            prints.push(PrintCheck {
                text: p.get_ref().clone(),
                place: source.at.clone(),
                report: source.report.get_ref().clone(),
                check,
                span: p.span(),
            });
        }
    }
    (!prints.is_empty()).then(|| ComparisonCheck {
        study: s.study.id.get_ref().clone(),
        index,
        outcome: c.outcome.get_ref().clone(),
        time: c.time.get_ref().clone(),
        recomputed,
        prints,
    })
}

/// The tests from the two arms' numbers of a between-arm comparison: t-tests from means
/// and spreads, else the 2×2 tests from counts.
fn arm_tests(s: &LoadedStudy, c: &Comparison) -> Option<Vec<PRange>> {
    let arms = c.arms.as_ref()?.get_ref();
    let [first, second] = arms.as_slice() else {
        return None;
    };
    let a = result(s, c, first)?;
    let b = result(s, c, second)?;
    if let (Some(ga), Some(gb)) = (summary(s, a), summary(s, b)) {
        return Some(
            [student_t(&ga, &gb), welch_t(&ga, &gb)]
                .into_iter()
                .flatten()
                .collect(),
        );
    }
    let (e1, n1) = events(s, a)?;
    let (e2, n2) = events(s, b)?;
    Some(table_tests(&Table::from_events(e1, n1, e2, n2).ok()?))
}

/// The result of `arm` at the comparison's outcome and time (an analysed one first).
fn result<'a>(s: &'a LoadedStudy, c: &Comparison, arm: &str) -> Option<&'a Measurement> {
    let days = parse_time(c.time.get_ref()).ok()?.days;
    let matching = |m: &&Measurement| {
        m.arm.get_ref() == arm
            && m.outcome.as_ref().map(|o| o.get_ref()) == Some(c.outcome.get_ref())
            && m.time
                .as_ref()
                .and_then(|t| parse_time(t.get_ref()).ok())
                .is_some_and(|t| t.days == days)
    };
    let mut all = s.study.results.iter().filter(matching);
    let first = all.clone().next()?;
    Some(all.find(|m| m.analyse).unwrap_or(first))
}

/// The printed literal of a value, as a [`Printed`] number.
fn printed(s: &LoadedStudy, span: Range<usize>) -> Option<Printed> {
    Printed::parse(s.file.text.get(span)?).ok()
}

fn summary(s: &LoadedStudy, m: &Measurement) -> Option<GroupSummary> {
    let n = arm_size(&s.study, m)? as u64;
    let mean = printed(s, m.mean.as_ref()?.span())?;
    let (spread, spread_is_sem) = match (&m.sd, &m.sem) {
        (Some(sd), _) => (printed(s, sd.span())?, false),
        (None, Some(sem)) => (printed(s, sem.span())?, true),
        _ => return None,
    };
    Some(GroupSummary {
        mean,
        spread,
        spread_is_sem,
        n,
    })
}

fn events(s: &LoadedStudy, m: &Measurement) -> Option<(u64, u64)> {
    let n = arm_size(&s.study, m)? as u64;
    if let Some(e) = &m.events {
        return u64::try_from(*e.get_ref()).ok().map(|e| (e, n));
    }
    let literal = s.file.text.get(m.percent.as_ref()?.span())?;
    match events_from_percentage(literal, n).ok()? {
        PercentEvents::Exact { events, .. } => Some((events, n)),
        PercentEvents::Ambiguous { .. } => None,
    }
}

/// The nearest recomputed p in words, for the console.
fn describe(check: &PCheck) -> String {
    let r = &check.nearest;
    let range = if r.hi > r.lo {
        format!(" ({} to {} allowing for rounding)", g(r.lo), g(r.hi))
    } else {
        String::new()
    };
    format!("{} gives p = {}{range}", r.test.name(), g(r.p))
}

/// A p-value with three significant digits ("0.121", "0.00757").
pub fn g(p: f64) -> String {
    if p == 0.0 {
        return "0".into();
    }
    let digits = (2 - p.abs().log10().floor() as i32).max(0) as usize;
    format!("{p:.digits$}")
}

/// Warnings for `check` and `build`: one per printed p-value that no test reproduces,
/// at its place in the study file.
pub fn warnings(project: &Project, checks: &[ComparisonCheck]) -> Vec<Problem> {
    let mut out = Vec::new();
    for c in checks {
        let Some(s) = project
            .studies
            .iter()
            .find(|s| s.study.id.get_ref() == &c.study)
        else {
            continue;
        };
        let supported = c.supported();
        for (i, p) in c.prints.iter().enumerate() {
            if p.check.consistent() {
                continue;
            }
            let basis = match Basis::of(p.check.nearest.test) {
                Basis::Means => "the printed means, SDs and numbers of participants",
                Basis::Counts => "the printed counts",
                Basis::Interval => "the printed confidence interval",
            };
            let mut message = format!(
                "warning: {} at {}: P = {} ({}) does not follow from {basis}: {}",
                c.outcome,
                c.time,
                p.text.trim(),
                p.place,
                describe(&p.check)
            );
            if p.check.decision_error {
                message.push_str(
                    if p.check
                        .printed
                        .significant(crate::stats::consistency::ALPHA)
                        == Some(true)
                    {
                        "; printed below 0.05, recomputed above"
                    } else {
                        "; printed above 0.05, recomputed below"
                    },
                );
            }
            if let Some(j) = supported.filter(|&j| j != i) {
                message.push_str(&format!(
                    "; the data support P = {} ({})",
                    c.prints[j].text.trim(),
                    c.prints[j].place
                ));
            }
            out.push(Problem::new(&s.file, p.span.clone(), message));
        }
    }
    out
}

/// [`warnings`] as console lines (`path:line:col: warning: …`), one a line; empty when
/// every printed p-value fits.
pub fn warnings_text(project: &Project, checks: &[ComparisonCheck]) -> String {
    warnings(project, checks)
        .iter()
        .map(|w| format!("{w}\n"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn bundled() -> (Project, Vec<ComparisonCheck>) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).expect("bundled data validates");
        let checks = check_comparisons(&project);
        (project, checks)
    }

    fn find<'a>(checks: &'a [ComparisonCheck], outcome: &str, time: &str) -> &'a ComparisonCheck {
        checks
            .iter()
            .find(|c| c.outcome == outcome && c.time == time)
            .unwrap_or_else(|| panic!("{outcome} at {time} checked"))
    }

    #[test]
    fn the_week_9_fasting_glucose_p_is_flagged_and_week_20_settled() {
        let (project, checks) = bundled();
        let week9 = find(&checks, "fpg", "week 9");
        assert_eq!(Basis::of(week9.prints[0].check.nearest.test), Basis::Means);
        let p = &week9.prints[0];
        assert_eq!(p.text, "0.007");
        assert!(!p.check.consistent() && p.check.decision_error);
        assert!((p.check.nearest.p - 0.1207).abs() < 1e-3);

        let week20 = find(&checks, "fpg", "week 20");
        assert_eq!(
            week20.prints.len(),
            2,
            "English print and the Chinese conflict"
        );
        assert!(week20.prints[0].check.consistent(), "0.008 fits");
        assert!(!week20.prints[1].check.consistent(), "0.002 does not");
        assert_eq!(week20.supported(), Some(0));

        let warnings = warnings(&project, &checks);
        let text: Vec<String> = warnings.iter().map(|w| w.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:#?}");
        assert!(
            text[0].starts_with("data/studies/zang-plagh-rct.toml:"),
            "{}",
            text[0]
        );
        assert!(
            text[0].contains("warning: fpg at week 9: P = 0.007"),
            "{}",
            text[0]
        );
        assert!(
            text[0].contains("Student's t-test gives p = 0.121"),
            "{}",
            text[0]
        );
        assert!(
            text[0].ends_with("printed below 0.05, recomputed above"),
            "{}",
            text[0]
        );
        assert!(text[1].contains("P = 0.002"), "{}", text[1]);
        assert!(
            text[1].contains("the data support P = 0.008 (English abstract, Results)"),
            "{}",
            text[1]
        );
    }

    #[test]
    fn the_other_bundled_p_values_fit_a_test() {
        let (_, checks) = bundled();
        for (outcome, time, test) in [
            ("hba1c-target", "week 9", TestKind::ChiSquare),
            ("hba1c-target", "week 20", TestKind::ChiSquare),
            ("hba1c-target", "week 48", TestKind::ChiSquare),
            ("liver-us-improvement", "week 20", TestKind::ChiSquare),
            ("gir", "week 48", TestKind::StudentT),
        ] {
            let c = find(&checks, outcome, time);
            assert!(!c.flagged(), "{outcome} {time}");
            assert!(
                c.prints[0].check.fitting.contains(&test),
                "{outcome} {time}"
            );
        }
        // the within-arm comparison (week 9 against baseline) is not checked
        assert!(checks.iter().all(|c| c.index != 0));
        assert_eq!(checks.len(), 7);
    }

    /// The bundled project in a temporary folder with the week-9 within-arm comparison
    /// given a printed CI (`ci` is TOML for the `ci =` line).
    fn with_within_arm_ci(ci: &str) -> Result<Project, crate::data::LoadError> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(root.join("brief.toml"), dir.path().join("brief.toml")).unwrap();
        let studies = dir.path().join("data/studies");
        std::fs::create_dir_all(&studies).unwrap();
        for f in std::fs::read_dir(root.join("data/studies")).unwrap() {
            let f = f.unwrap().path();
            let mut text = std::fs::read_to_string(&f).unwrap();
            if f.ends_with("zang-plagh-rct.toml") {
                let at = "from = \"baseline\"\np = \"0.001\"\n";
                assert!(text.contains(at));
                text = text.replace(at, &format!("{at}ci = {ci}\n"));
            }
            std::fs::write(studies.join(f.file_name().unwrap()), text).unwrap();
        }
        std::fs::copy(
            root.join("data/references.bib"),
            dir.path().join("data/references.bib"),
        )
        .unwrap();
        crate::data::load_project(dir.path())
    }

    #[test]
    fn a_printed_ci_makes_a_within_arm_p_checkable() {
        // −0.87 (−1.39 to −0.35): SE 1.04 / 3.92, z 3.28, p 0.00104 → fits P = 0.001
        let project = with_within_arm_ci("{ estimate = -0.87, lower = -1.39, upper = -0.35 }")
            .expect("valid");
        let checks = check_comparisons(&project);
        let c = checks.iter().find(|c| c.index == 0).expect("checked");
        assert_eq!(c.recomputed.len(), 1);
        assert_eq!(c.recomputed[0].test, TestKind::CiZ);
        assert!(c.prints[0].check.consistent());
        // −0.87 (−2.00 to 0.26): p ≈ 0.13, a decision error
        let project =
            with_within_arm_ci("{ estimate = -0.87, lower = -2.00, upper = 0.26 }").expect("valid");
        let checks = check_comparisons(&project);
        let c = checks.iter().find(|c| c.index == 0).expect("checked");
        assert!(!c.prints[0].check.consistent() && c.prints[0].check.decision_error);
        let text = warnings_text(&project, &checks);
        assert!(text.contains("does not follow from the printed confidence interval: the z-test from the confidence interval gives p = 0.13"), "{text}");
    }

    #[test]
    fn a_printed_ci_out_of_order_or_a_non_positive_ratio_is_a_located_error() {
        let problems = |ci: &str| match with_within_arm_ci(ci) {
            Err(crate::data::LoadError::Invalid(p)) => {
                p.0.iter().map(|p| p.to_string()).collect::<Vec<_>>()
            }
            other => panic!("{other:?}"),
        };
        let p = problems("{ estimate = -0.87, lower = 0.2, upper = -0.35 }");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("data/studies/zang-plagh-rct.toml:"),
            "{p:?}"
        );
        assert!(p[0].contains("need lower ≤ estimate ≤ upper"), "{p:?}");
        let p = problems("{ estimate = 1.5, lower = 0, upper = 3, ratio = true }");
        assert!(
            p[0].contains("a ratio's confidence limits must be positive"),
            "{p:?}"
        );
        let p = problems("{ estimate = 1.5, lower = 1, upper = 3, odds = true }");
        assert!(p[0].contains("unknown field `odds`"), "{p:?}");
    }

    #[test]
    fn three_significant_digits() {
        assert_eq!(g(0.1207066), "0.121");
        assert_eq!(g(0.007573), "0.00757");
        assert_eq!(g(0.5), "0.500");
        assert_eq!(g(0.0), "0");
    }
}
