//! `evbrief analyse FILE.csv`: any CSV with any measure, method and test gives a report
//! or located input errors, never a panic; a report's intervals hold their estimates.
//!
//! Input: byte 0 picks the measure, byte 1 the method, byte 2 the test, byte 3 the
//! pre/post correlation and the double-zero rule; the rest is the CSV text.
#![no_main]

use evbrief::analyse::{AnalyseOptions, Pooled, analyse};
use evbrief::config::DoubleZero;
use evbrief_stats::{Measure, Method, Test};
use libfuzzer_sys::fuzz_target;

const METHODS: [Method; 6] = [
    Method::FE,
    Method::DL,
    Method::REML,
    Method::PM,
    Method::MH,
    Method::PETO,
];

fuzz_target!(|data: &[u8]| {
    let [m, me, t, r, rest @ ..] = data else {
        return;
    };
    let Ok(csv) = std::str::from_utf8(rest) else {
        return;
    };
    let mut options = AnalyseOptions::new(
        Measure::ALL[usize::from(*m) % Measure::ALL.len()],
        METHODS[usize::from(*me) % METHODS.len()],
        if t % 2 == 0 { Test::Z } else { Test::Knha },
    );
    options.ri = (r & 0x80 != 0).then(|| f64::from(r & 0x3f) / 63.0 * 2.0 - 1.0);
    if r & 0x40 != 0 {
        options.double_zero = DoubleZero::Drop;
    }
    // The extra analyses on every input whose method allows them.
    let inverse_variance = usize::from(*me) % METHODS.len() < 4;
    options.bias = inverse_variance;
    options.leave_one_out = inverse_variance;
    options.influence = inverse_variance;
    match analyse(csv, &options) {
        Ok(report) => {
            check_pooled(&report.pooled);
            for subgroup in report.subgroups.iter().flatten() {
                if let Some(pooled) = &subgroup.pooled {
                    check_pooled(pooled);
                }
            }
            for row in &report.studies {
                if let (Some(lo), Some(y), Some(hi)) = (row.ci_lower, row.yi, row.ci_upper) {
                    assert!(lo <= y && y <= hi, "study CI {lo} {y} {hi}");
                }
            }
            serde_json::to_string(&report).expect("a report serialises");
        }
        Err(errors) => {
            assert!(!errors.is_empty(), "an error without input errors");
            for e in errors {
                assert!(!e.message.trim().is_empty());
                if let Some(line) = e.line {
                    let lines = csv.lines().count().max(1) as u64;
                    assert!(line >= 1 && line <= lines + 1, "line {line} of {lines}");
                }
            }
        }
    }
});

/// A pooled estimate lies within its confidence interval, the heterogeneity statistics
/// are in range, and nothing that is reported is NaN.
fn check_pooled(p: &Pooled) {
    for (name, x) in [
        ("estimate", Some(p.estimate)),
        ("se", Some(p.se)),
        ("ci_lower", Some(p.ci_lower)),
        ("ci_upper", Some(p.ci_upper)),
        ("p", p.p),
        ("tau2", p.tau2),
        ("i2", p.i2),
        ("q", p.q),
    ] {
        assert!(!x.is_some_and(f64::is_nan), "{name} is NaN: {p:?}");
    }
    assert!(
        p.ci_lower <= p.estimate && p.estimate <= p.ci_upper,
        "CI does not hold the estimate: {p:?}"
    );
    if let (Some(lo), Some(hi)) = (p.pi_lower, p.pi_upper) {
        // sqrt(se² + 0) may differ from se in the last bit when tau² = 0.
        let slack = 1e-9 * (p.ci_upper - p.ci_lower).abs().max(f64::MIN_POSITIVE);
        assert!(
            lo <= p.ci_lower + slack && p.ci_upper - slack <= hi,
            "PI inside the CI: {p:?}"
        );
    }
    assert!(p.tau2.is_none_or(|t| t >= 0.0), "negative tau²: {p:?}");
    assert!(
        p.i2.is_none_or(|i| (0.0..=100.0).contains(&i)),
        "I² out of range: {p:?}"
    );
    assert!(p.p.is_none_or(|x| (0.0..=1.0).contains(&x)), "p out of range: {p:?}");
}
