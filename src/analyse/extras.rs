//! The analyses of `evbrief analyse` beyond pooling: small-study effects,
//! leave-one-out, influence, cumulative meta-analysis, meta-regression and
//! the account of double-zero studies. The statistics live in
//! [`crate::stats::bias`], [`crate::stats::sensitivity`] and
//! [`crate::stats::metareg`]; this module picks the rows, reads the extra
//! CSV columns and shapes the JSON.

use serde::Serialize;

use super::{AnalyseOptions, InputError, Row, RowData, err};
use crate::config::DoubleZero;
use crate::stats::bias::{self, Begg, Egger, EggerLm, TrimFill};
use crate::stats::effect::Status;
use crate::stats::measure::{DataKind, Measure, Method};
use crate::stats::metareg::{self, FitOptions};
use crate::stats::sensitivity;

/// Everything beyond pooling; each part only when asked for (or, for
/// double zeros, when the data have any).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Extras {
    /// Double-zero studies and what was done with them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub double_zero: Option<DoubleZeroReport>,
    /// Small-study effects (`--bias`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small_study: Option<SmallStudy>,
    /// Leave-one-out rows, in input order (`--leave-one-out`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leave_one_out: Option<Vec<LeaveOneOutRow>>,
    /// Influence diagnostics, in input order (`--influence`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub influence: Option<Vec<InfluenceRow>>,
    /// The column the cumulative analysis is ordered by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative_by: Option<String>,
    /// Cumulative meta-analysis steps (`--cumulative-by`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cumulative: Option<Vec<CumulativeRow>>,
    /// Mixed-effects meta-regression (`--mods`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meta_regression: Option<MetaRegression>,
}

/// Double-zero studies (no events, or only events, in both groups).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoubleZeroReport {
    /// "keep" (1/2 added to every cell, metafor `escalc`) or "drop".
    pub handling: &'static str,
    /// The studies concerned.
    pub studies: Vec<DoubleZeroStudy>,
}

/// One double-zero study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DoubleZeroStudy {
    /// Study label.
    pub study: String,
    /// "corrected" or "dropped".
    pub action: &'static str,
    /// Why.
    pub reason: String,
}

/// Small-study effect tests; a test that cannot be done is null with a note.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmallStudy {
    /// Number of studies tested.
    pub k: usize,
    /// Egger's test, metafor `regtest()` (mixed model, predictor sei).
    pub egger: Option<Egger>,
    /// Classical Egger regression, metafor `regtest(model = "lm")`.
    pub egger_lm: Option<EggerLm>,
    /// Begg & Mazumdar's rank correlation, metafor `ranktest()`.
    pub begg: Option<Begg>,
    /// Trim-and-fill (L0), metafor `trimfill()`.
    pub trimfill: Option<TrimFill>,
    /// Why a test is missing.
    pub notes: Vec<String>,
}

/// One leave-one-out refit (metafor `leave1out`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeaveOneOutRow {
    /// The study left out.
    pub study: String,
    /// Estimate without it.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// Lower 95% limit.
    pub ci_lower: f64,
    /// Upper 95% limit.
    pub ci_upper: f64,
    /// τ² (random-effects methods only).
    pub tau2: Option<f64>,
    /// I² (%).
    pub i2: f64,
    /// Cochran's Q.
    pub q: f64,
}

/// Influence diagnostics of one study (metafor `influence`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InfluenceRow {
    /// Study label.
    pub study: String,
    /// Studentised deleted residual.
    pub rstudent: f64,
    /// Cook's distance.
    pub cook_d: f64,
    /// Hat value.
    pub hat: f64,
    /// DFFITS.
    pub dffits: f64,
    /// Covariance ratio.
    pub cov_r: f64,
    /// τ² without the study.
    pub tau2_del: f64,
    /// Q without the study.
    pub q_del: f64,
    /// DFBETAS of the estimate.
    pub dfbetas: f64,
    /// metafor's `is.infl` flag.
    pub influential: bool,
}

/// One step of the cumulative analysis (metafor `cumul`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CumulativeRow {
    /// The study added at this step.
    pub study: String,
    /// Its value in the ordering column.
    pub value: String,
    /// Studies pooled so far.
    pub k: usize,
    /// Estimate.
    pub estimate: f64,
    /// Lower 95% limit.
    pub ci_lower: f64,
    /// Upper 95% limit.
    pub ci_upper: f64,
    /// τ² (random-effects methods only).
    pub tau2: Option<f64>,
    /// I² (%).
    pub i2: f64,
}

/// Degrees of freedom of QM: a number (χ²) or `[df1, df2]` (F, Hartung–Knapp).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum QmDf {
    /// χ² degrees of freedom.
    Chisq(f64),
    /// F degrees of freedom.
    F([f64; 2]),
}

/// One meta-regression coefficient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coefficient {
    /// "intrcpt" or the column name.
    pub name: String,
    /// Estimate.
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// z or t statistic.
    pub statistic: f64,
    /// Two-sided p value.
    pub p: f64,
    /// Lower 95% limit.
    pub ci_lower: f64,
    /// Upper 95% limit.
    pub ci_upper: f64,
}

/// Mixed-effects meta-regression (metafor `rma(yi, vi, mods = ~ ...)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaRegression {
    /// Studies used.
    pub k: usize,
    /// Coefficients, intercept first.
    pub coefficients: Vec<Coefficient>,
    /// Omnibus test of the moderators (χ², or F under Hartung–Knapp).
    pub qm: f64,
    /// Its degrees of freedom.
    pub qm_df: QmDf,
    /// Its p value.
    pub qm_p: f64,
    /// Residual τ².
    pub tau2: f64,
    /// Residual I² (%).
    pub i2: f64,
    /// R² (%): share of τ² accounted for (metafor's default definition).
    pub r2: f64,
    /// Residual heterogeneity QE.
    pub qe: f64,
    /// Its degrees of freedom, k − p.
    pub qe_df: f64,
    /// Its p value.
    pub qe_p: f64,
}

/// Which double-zero studies there are and what happened to them.
pub(super) fn double_zero_report(rows: &[Row], opts: &AnalyseOptions) -> Option<DoubleZeroReport> {
    if opts.measure.data_kind() != DataKind::Binary || opts.measure == Measure::RD {
        return None;
    }
    let studies: Vec<DoubleZeroStudy> = rows
        .iter()
        .filter_map(|r| match &r.data {
            RowData::Table(t) if t.is_double_zero() => Some((r, t)),
            _ => None,
        })
        .map(|(r, t)| {
            let what = if t.ai == 0.0 {
                "no events in either group"
            } else {
                "all participants had events in both groups"
            };
            match (&r.effect.status, opts.double_zero) {
                (Status::Estimable, _) => DoubleZeroStudy {
                    study: r.study.clone(),
                    action: "corrected",
                    reason: format!("{what}: 1/2 added to every cell (kept, as metafor escalc)"),
                },
                _ => DoubleZeroStudy {
                    study: r.study.clone(),
                    action: "dropped",
                    reason: format!("{what}: not estimable, left out (--double-zero drop)"),
                },
            }
        })
        .collect();
    (!studies.is_empty()).then_some(DoubleZeroReport {
        handling: match opts.double_zero {
            DoubleZero::Keep => "keep",
            DoubleZero::Drop => "drop",
        },
        studies,
    })
}

/// Runs the requested extra analyses on the estimable rows.
pub(super) fn extras(rows: &[Row], opts: &AnalyseOptions) -> Result<Extras, Vec<InputError>> {
    let mut out = Extras {
        double_zero: double_zero_report(rows, opts),
        ..Extras::default()
    };
    if !opts.wants_extras() {
        return Ok(out);
    }
    if !opts.method.is_random() && opts.method != Method::FE {
        return Err(vec![err(
            None,
            None,
            format!(
                "--bias, --leave-one-out, --influence, --cumulative-by and --mods need an \
                 inverse-variance method (FE, DL, REML, PM), not {}",
                opts.method
            ),
        )]);
    }
    let used: Vec<&Row> = rows.iter().filter(|r| r.effect.value().is_some()).collect();
    let (yi, vi): (Vec<f64>, Vec<f64>) = used.iter().filter_map(|r| r.effect.value()).unzip();
    let names: Vec<String> = used.iter().map(|r| r.study.clone()).collect();
    let (method, test) = (opts.method, opts.test);
    let fail =
        |what: &str, e: crate::stats::StatsError| vec![err(None, None, format!("{what}: {e}"))];
    if opts.bias {
        out.small_study = Some(small_study(&yi, &vi, opts));
    }
    if opts.leave_one_out {
        let l = sensitivity::leave_one_out(&yi, &vi, method, test)
            .map_err(|e| fail("leave-one-out", e))?;
        out.leave_one_out = Some(
            l.into_iter()
                .zip(&names)
                .map(|(r, n)| LeaveOneOutRow {
                    study: n.clone(),
                    estimate: r.estimate,
                    se: r.se,
                    ci_lower: r.ci_lower,
                    ci_upper: r.ci_upper,
                    tau2: r.tau2,
                    i2: r.i2,
                    q: r.q,
                })
                .collect(),
        );
    }
    if opts.influence {
        let x = metareg::intercept_only(yi.len());
        let inf =
            sensitivity::influence(&yi, &vi, &x, method, test).map_err(|e| fail("influence", e))?;
        out.influence = Some(
            inf.into_iter()
                .zip(&names)
                .map(|(r, n)| InfluenceRow {
                    study: n.clone(),
                    rstudent: r.rstudent,
                    cook_d: r.cook_d,
                    hat: r.hat,
                    dffits: r.dffits,
                    cov_r: r.cov_r,
                    tau2_del: r.tau2_del,
                    q_del: r.qe_del,
                    dfbetas: r.dfbetas[0],
                    influential: r.influential,
                })
                .collect(),
        );
    }
    let mut next_extra = 0;
    if let Some(col) = &opts.cumulative_by {
        let values: Vec<&str> = used.iter().map(|r| r.extra[0].as_str()).collect();
        next_extra = 1;
        let order = cumulative_order(&values);
        let steps = sensitivity::cumulative(&yi, &vi, &order, method, test)
            .map_err(|e| fail("cumulative", e))?;
        out.cumulative_by = Some(col.clone());
        out.cumulative = Some(
            steps
                .into_iter()
                .zip(&order)
                .map(|(r, &i)| CumulativeRow {
                    study: names[i].clone(),
                    value: values[i].to_string(),
                    k: r.k,
                    estimate: r.estimate,
                    ci_lower: r.ci_lower,
                    ci_upper: r.ci_upper,
                    tau2: r.tau2,
                    i2: r.i2,
                })
                .collect(),
        );
    }
    if !opts.mods.is_empty() {
        out.meta_regression = Some(meta_regression(&used, &yi, &vi, opts, next_extra)?);
    }
    Ok(out)
}

/// metafor's `order()`: numeric when every value is a number, else
/// lexicographic; ties keep input order.
fn cumulative_order(values: &[&str]) -> Vec<usize> {
    let nums: Option<Vec<f64>> = values.iter().map(|v| v.parse::<f64>().ok()).collect();
    let mut order: Vec<usize> = (0..values.len()).collect();
    match nums {
        Some(n) => order.sort_by(|&a, &b| n[a].total_cmp(&n[b])),
        None => order.sort_by(|&a, &b| values[a].cmp(values[b])),
    }
    order
}

/// The value, or `None` with a note saying why the test was not done.
fn keep<T>(
    notes: &mut Vec<String>,
    name: &str,
    r: Result<T, crate::stats::StatsError>,
) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            notes.push(format!("{name}: {e}"));
            None
        }
    }
}

fn small_study(yi: &[f64], vi: &[f64], opts: &AnalyseOptions) -> SmallStudy {
    let mut notes = Vec::new();
    let egger = keep(
        &mut notes,
        "egger",
        bias::egger(yi, vi, opts.method, opts.test),
    );
    let egger_lm = keep(&mut notes, "egger_lm", bias::egger_lm(yi, vi));
    let begg = keep(&mut notes, "begg", bias::begg(yi, vi));
    let trimfill = keep(
        &mut notes,
        "trimfill",
        bias::trim_and_fill(yi, vi, opts.method, opts.test),
    );
    SmallStudy {
        k: yi.len(),
        egger,
        egger_lm,
        begg,
        trimfill,
        notes,
    }
}

fn meta_regression(
    used: &[&Row],
    yi: &[f64],
    vi: &[f64],
    opts: &AnalyseOptions,
    first_extra: usize,
) -> Result<MetaRegression, Vec<InputError>> {
    let mut errors = Vec::new();
    let mut covs = vec![Vec::with_capacity(used.len()); opts.mods.len()];
    for r in used {
        for (j, name) in opts.mods.iter().enumerate() {
            let raw = &r.extra[first_extra + j];
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() => covs[j].push(v),
                _ if raw.is_empty() => errors.push(err(Some(r.line), Some(name), "missing value")),
                _ => errors.push(err(
                    Some(r.line),
                    Some(name),
                    format!("'{raw}' is not a number"),
                )),
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let x = metareg::design_with_intercept(yi.len(), &covs);
    let btt: Vec<usize> = (1..x.ncols()).collect();
    let fail = |e: crate::stats::StatsError| vec![err(None, None, format!("meta-regression: {e}"))];
    let fit = metareg::fit(
        yi,
        vi,
        &x,
        &btt,
        FitOptions {
            method: opts.method,
            test: opts.test,
        },
    )
    .map_err(fail)?;
    let r2 = metareg::r2(yi, vi, &fit, &x).map_err(fail)?;
    let names = std::iter::once("intrcpt".to_string()).chain(opts.mods.iter().cloned());
    Ok(MetaRegression {
        k: fit.k,
        coefficients: names
            .enumerate()
            .map(|(j, name)| Coefficient {
                name,
                estimate: fit.beta[j],
                se: fit.se[j],
                statistic: fit.statistic[j],
                p: fit.p_values[j],
                ci_lower: fit.ci_lower[j],
                ci_upper: fit.ci_upper[j],
            })
            .collect(),
        qm: fit.qm,
        qm_df: match fit.qm_df {
            (m, None) => QmDf::Chisq(m),
            (m, Some(d)) => QmDf::F([m, d]),
        },
        qm_p: fit.qm_p,
        tau2: fit.tau2,
        i2: fit.i2,
        r2,
        qe: fit.qe,
        qe_df: (fit.k - fit.p) as f64,
        qe_p: fit.qe_p,
    })
}
