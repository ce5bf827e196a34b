//! CSV in, serialisable meta-analysis report out.
//!
//! [`analyse`] reads study rows with metafor's `escalc` column names,
//! computes per-study effects, pools them with the requested method and
//! returns a [`Report`] on the analysis scale (metafor conventions), with
//! back-transformed values for ratio and proportion measures. Input problems
//! are collected and returned all at once, each with its CSV line and column.

mod extras;
#[cfg(test)]
mod reference_tests;
mod table;

use std::collections::HashMap;

use serde::Serialize;

pub use table::table;

pub use extras::{
    Coefficient, CumulativeRow, DoubleZeroReport, DoubleZeroStudy, Extras, InfluenceRow,
    LeaveOneOutRow, MetaRegression, QmDf, SmallStudy,
};

use crate::config::DoubleZero;
use crate::stats::dist;
use crate::stats::effect::binary::{BinaryOptions, TwoByTwo, binary_effect};
use crate::stats::effect::change::{PrePost, change_effect};
use crate::stats::effect::continuous::{TwoGroupMeans, continuous_effect};
use crate::stats::effect::proportion::{EventCount, proportion_effect};
use crate::stats::effect::{Correction, Status, StudyEffect};
use crate::stats::error::StatsError;
use crate::stats::measure::{BackTransform, DataKind, Measure, Method, Test};
use crate::stats::pool::PoolResult;
use crate::stats::pool::inverse_variance::pool_inverse_variance;
use crate::stats::pool::mantel_haenszel::{pool_mantel_haenszel, pool_peto};
use crate::stats::pool::subgroup::pool_subgroups;
use crate::stats::transform::back_transform;

/// Pre/post correlation assumed for MC/SMCR when the data give none.
///
/// Why: studies rarely report it; 0.5 is the conventional conservative
/// choice and the report always states that it was assumed.
pub const DEFAULT_RI: f64 = 0.5;

/// What to compute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalyseOptions {
    /// Effect measure (metafor `measure`).
    pub measure: Measure,
    /// Pooling method (metafor `method`, or MH / PETO).
    pub method: Method,
    /// Test for the pooled estimate (metafor `test`).
    pub test: Test,
    /// Pre/post correlation for MC/SMCR rows without an `ri` value
    /// (`None` means [`DEFAULT_RI`]).
    pub ri: Option<f64>,
    /// Double-zero studies (RR, OR, PETO): kept with 1/2 added to every cell
    /// (metafor `escalc`'s default) or dropped as not estimable.
    pub double_zero: DoubleZero,
    /// Small-study effects: Egger, Begg, trim-and-fill (`--bias`).
    pub bias: bool,
    /// Leave-one-out analysis (`--leave-one-out`).
    pub leave_one_out: bool,
    /// Influence diagnostics (`--influence`).
    pub influence: bool,
    /// Cumulative meta-analysis ordered by this CSV column (`--cumulative-by`).
    pub cumulative_by: Option<String>,
    /// Moderators of a meta-regression, CSV column names (`--mods`).
    pub mods: Vec<String>,
}

impl AnalyseOptions {
    /// Options with evbrief's defaults: `ri = 0.5`, double zeros kept with
    /// the 1/2 correction (as metafor `escalc`), no extra analyses.
    pub fn new(measure: Measure, method: Method, test: Test) -> AnalyseOptions {
        AnalyseOptions {
            measure,
            method,
            test,
            ri: None,
            double_zero: DoubleZero::Keep,
            bias: false,
            leave_one_out: false,
            influence: false,
            cumulative_by: None,
            mods: Vec::new(),
        }
    }

    /// True when an analysis beyond pooling was asked for.
    pub fn wants_extras(&self) -> bool {
        self.bias
            || self.leave_one_out
            || self.influence
            || self.cumulative_by.is_some()
            || !self.mods.is_empty()
    }

    /// CSV columns the extra analyses read (the cumulative order, the moderators).
    fn extra_columns(&self) -> Vec<String> {
        self.cumulative_by
            .iter()
            .chain(&self.mods)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
}

/// One problem with the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InputError {
    /// 1-based CSV line (1 = header); `None` for problems not tied to a line
    /// (options, or the data as a whole).
    pub line: Option<u64>,
    /// Column concerned, if any.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// Back-transformed pooled values (natural scale).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Back {
    /// Estimate.
    pub estimate: Option<f64>,
    /// Lower confidence limit.
    pub ci_lower: Option<f64>,
    /// Upper confidence limit.
    pub ci_upper: Option<f64>,
    /// Lower prediction limit.
    pub pi_lower: Option<f64>,
    /// Upper prediction limit.
    pub pi_upper: Option<f64>,
}

/// Pooled fields shared by the overall result and each subgroup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pooled {
    /// Number of studies used.
    pub k: usize,
    /// True when only one study is available (its own effect is shown).
    pub single_study: bool,
    /// Estimate (analysis scale).
    pub estimate: f64,
    /// Standard error.
    pub se: f64,
    /// z or t statistic.
    pub statistic: Option<f64>,
    /// Two-sided p value.
    pub p: Option<f64>,
    /// Lower 95% CI.
    pub ci_lower: f64,
    /// Upper 95% CI.
    pub ci_upper: f64,
    /// Lower 95% prediction limit (random effects only).
    pub pi_lower: Option<f64>,
    /// Upper 95% prediction limit.
    pub pi_upper: Option<f64>,
    /// tau² (random effects only).
    pub tau2: Option<f64>,
    /// tau.
    pub tau: Option<f64>,
    /// Q-profile lower limit for tau².
    pub tau2_ci_lower: Option<f64>,
    /// Q-profile upper limit for tau².
    pub tau2_ci_upper: Option<f64>,
    /// I² (%).
    pub i2: Option<f64>,
    /// H².
    pub h2: Option<f64>,
    /// Cochran's Q.
    pub q: Option<f64>,
    /// df of Q.
    pub q_df: Option<f64>,
    /// p of Q.
    pub q_p: Option<f64>,
    /// Back-transformed values for ratio and proportion measures, else null.
    pub back: Option<Back>,
    /// Notes from the fit.
    pub notes: Vec<String>,
}

/// One study row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyRow {
    /// Study label.
    pub study: String,
    /// Subgroup label, if the data have a subgroup column.
    pub subgroup: Option<String>,
    /// Effect (analysis scale), null if not estimable.
    pub yi: Option<f64>,
    /// Sampling variance.
    pub vi: Option<f64>,
    /// Lower 95% Wald limit `yi - 1.96·√vi`.
    pub ci_lower: Option<f64>,
    /// Upper 95% Wald limit.
    pub ci_upper: Option<f64>,
    /// Weight in the overall analysis, percent.
    pub weight: Option<f64>,
    /// Estimable or not (with reason).
    pub status: Status,
    /// Zero-cell correction applied.
    pub correction: Option<Correction>,
    /// Further notes (assumptions).
    pub notes: Vec<String>,
}

/// A subgroup's pooled result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupReport {
    /// Subgroup label.
    pub name: String,
    /// Pooled result, null if it could not be pooled.
    #[serde(flatten)]
    pub pooled: Option<Pooled>,
    /// Why it could not be pooled.
    pub error: Option<String>,
}

/// The whole analysis, ready to serialise to JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Effect measure.
    pub measure: Measure,
    /// Pooling method.
    pub method: Method,
    /// Test actually used (MH and Peto always use z).
    pub test: Test,
    /// Pooled result.
    #[serde(flatten)]
    pub pooled: Pooled,
    /// Pre/post correlation assumed for rows without `ri` (MC/SMCR only).
    pub ri_default: Option<f64>,
    /// Per-study rows in input order.
    pub studies: Vec<StudyRow>,
    /// Subgroup results (null without a subgroup column).
    pub subgroups: Option<Vec<SubgroupReport>>,
    /// Q between subgroups.
    pub q_between: Option<f64>,
    /// df of Q between.
    pub q_between_df: Option<f64>,
    /// p of Q between.
    pub q_between_p: Option<f64>,
    /// Double-zero account, small-study effects, sensitivity, cumulative and
    /// meta-regression results (each only when asked for or present).
    #[serde(flatten)]
    pub extras: Extras,
}

/// Per-row input after parsing.
#[derive(Debug, Clone)]
enum RowData {
    /// A ready-made effect (`GEN`): `yi` and its variance; `from_sei` when
    /// the variance was given as a standard error.
    Generic {
        yi: f64,
        given: f64,
        from_sei: bool,
    },
    Table(TwoByTwo),
    Means(TwoGroupMeans),
    Count(EventCount),
    Change(PrePost),
}

#[derive(Debug, Clone)]
struct Row {
    study: String,
    subgroup: Option<String>,
    data: RowData,
    effect: StudyEffect,
    /// 1-based CSV line.
    line: u64,
    /// Raw values of [`AnalyseOptions::extra_columns`], in that order.
    extra: Vec<String>,
}

fn err(line: Option<u64>, column: Option<&str>, message: impl Into<String>) -> InputError {
    InputError {
        line,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// Runs a meta-analysis on CSV text.
///
/// Columns (metafor `escalc` names, case-insensitive): `study` (optional),
/// binary `ai,bi,ci,di` or `ai,n1i,ci,n2i`; continuous
/// `m1i,sd1i,n1i,m2i,sd2i,n2i`; proportions `xi,ni`; change
/// `m1i,m2i,sd1i,sd2i,ni` and optional `ri` (SMCR does not need `sd2i`);
/// generic inverse variance (`GEN`) `yi` with `vi` or `sei`; optional
/// `subgroup`, and the columns named by `cumulative_by` and `mods`. Returns
/// every input problem at once.
pub fn analyse(csv_text: &str, opts: &AnalyseOptions) -> Result<Report, Vec<InputError>> {
    let measure = opts.measure;
    opts.method
        .check_measure(measure)
        .map_err(|e| vec![err(None, None, e.to_string())])?;
    let ri_default = opts.ri.unwrap_or(DEFAULT_RI);
    if !(ri_default.is_finite() && ri_default.abs() <= 1.0) {
        return Err(vec![err(
            None,
            Some("ri"),
            "default ri must lie in [-1, 1]",
        )]);
    }
    let rows = parse_rows(csv_text, opts, ri_default)?;
    if rows.is_empty() {
        return Err(vec![err(None, None, "the data contain no study rows")]);
    }
    let overall = pool_rows(&rows, opts).map_err(|e| vec![err(None, None, e.to_string())])?;
    let extras = extras::extras(&rows, opts)?;
    let weights = weights_by_row(&rows, opts, &overall);
    let ns = sizes_for_back(&rows, measure);
    let z = dist::qnorm(0.975).map_err(|e| vec![err(None, None, e.to_string())])?;
    let studies = rows
        .iter()
        .zip(weights)
        .map(|(r, w)| {
            let (yi, vi) = (r.effect.yi, r.effect.vi);
            let half = vi.map(|v| z * v.sqrt());
            StudyRow {
                study: r.study.clone(),
                subgroup: r.subgroup.clone(),
                yi,
                vi,
                ci_lower: yi.zip(half).map(|(y, h)| y - h),
                ci_upper: yi.zip(half).map(|(y, h)| y + h),
                weight: w,
                status: r.effect.status.clone(),
                correction: r.effect.correction.clone(),
                notes: r.effect.notes.clone(),
            }
        })
        .collect();
    let has_subgroups = rows.iter().any(|r| r.subgroup.is_some());
    let (subgroups, qb) = if has_subgroups {
        let items: Vec<(String, Row)> = rows
            .iter()
            .map(|r| (r.subgroup.clone().unwrap_or_default(), r.clone()))
            .collect();
        let sa = pool_subgroups(&items, |d| pool_rows(d, opts))
            .map_err(|e| vec![err(None, Some("subgroup"), e.to_string())])?;
        let reports = sa
            .subgroups
            .iter()
            .map(|s| {
                let members: Vec<Row> = items
                    .iter()
                    .filter(|(n, _)| *n == s.name)
                    .map(|(_, r)| r.clone())
                    .collect();
                let ns = sizes_for_back(&members, measure);
                SubgroupReport {
                    name: s.name.clone(),
                    pooled: s.result.as_ref().map(|r| pooled(r, measure, &ns)),
                    error: s.error.clone(),
                }
            })
            .collect();
        (
            Some(reports),
            (sa.q_between, sa.q_between_df, sa.q_between_p),
        )
    } else {
        (None, (None, None, None))
    };
    Ok(Report {
        measure,
        method: opts.method,
        test: overall.test,
        pooled: pooled(&overall, measure, &ns),
        ri_default: (measure.data_kind() == DataKind::Change).then_some(ri_default),
        studies,
        subgroups,
        q_between: qb.0,
        q_between_df: qb.1,
        q_between_p: qb.2,
        extras,
    })
}

/// A ready-made effect (`--measure GEN`, metafor `rma(yi, vi)` or
/// `rma(yi, sei = sei)`): the variance must be positive (metafor cannot use
/// a zero variance with DL or PM and evbrief refuses it for every method).
fn generic_effect(yi: f64, given: f64, from_sei: bool) -> Result<StudyEffect, StatsError> {
    let field = if from_sei { "sei" } else { "vi" };
    let vi = if from_sei { given * given } else { given };
    if !(given > 0.0 && vi > 0.0 && vi.is_finite()) {
        return Err(StatsError::InvalidInput {
            field: field.into(),
            message: format!("{field} must be positive"),
        });
    }
    let mut e = StudyEffect::estimable(yi, vi);
    if from_sei {
        e.notes.push("vi = sei²".into());
    }
    Ok(e)
}

/// Sample sizes used by the Freeman–Tukey back-transform (estimable studies).
fn sizes_for_back(rows: &[Row], measure: Measure) -> Vec<f64> {
    if measure.back_transform() != BackTransform::IpftHm {
        return Vec::new();
    }
    rows.iter()
        .filter(|r| r.effect.value().is_some())
        .filter_map(|r| match &r.data {
            RowData::Count(c) => Some(c.ni),
            _ => None,
        })
        .collect()
}

fn pooled(r: &PoolResult, measure: Measure, ns: &[f64]) -> Pooled {
    let kind = measure.back_transform();
    let bt = |v: Option<f64>| v.and_then(|v| back_transform(kind, v, ns));
    let back = (kind != BackTransform::None).then(|| Back {
        estimate: bt(Some(r.estimate)),
        ci_lower: bt(Some(r.ci_lower)),
        ci_upper: bt(Some(r.ci_upper)),
        pi_lower: bt(r.pi_lower),
        pi_upper: bt(r.pi_upper),
    });
    Pooled {
        k: r.k,
        single_study: r.single_study,
        estimate: r.estimate,
        se: r.se,
        statistic: r.statistic,
        p: r.p,
        ci_lower: r.ci_lower,
        ci_upper: r.ci_upper,
        pi_lower: r.pi_lower,
        pi_upper: r.pi_upper,
        tau2: r.tau2,
        tau: r.tau,
        tau2_ci_lower: r.tau2_ci_lower,
        tau2_ci_upper: r.tau2_ci_upper,
        i2: r.i2,
        h2: r.h2,
        q: r.q,
        q_df: r.q_df,
        q_p: r.q_p,
        back,
        notes: r.notes.clone(),
    }
}

/// Pools rows with the requested method.
fn pool_rows(rows: &[Row], opts: &AnalyseOptions) -> Result<PoolResult, StatsError> {
    match opts.method {
        Method::MH | Method::PETO => {
            let tabs: Vec<TwoByTwo> = rows
                .iter()
                .filter_map(|r| match &r.data {
                    RowData::Table(t) => Some(*t),
                    _ => None,
                })
                .collect();
            if opts.method == Method::MH {
                pool_mantel_haenszel(opts.measure, &tabs)
            } else {
                pool_peto(&tabs)
            }
        }
        _ => {
            let (yi, vi): (Vec<f64>, Vec<f64>) =
                rows.iter().filter_map(|r| r.effect.value()).unzip();
            if yi.is_empty() {
                return Err(StatsError::NoStudies);
            }
            pool_inverse_variance(&yi, &vi, opts.method, opts.test)
        }
    }
}

/// Maps pooled weights back to rows (MH/Peto weigh every table; inverse
/// variance only estimable studies).
fn weights_by_row(rows: &[Row], opts: &AnalyseOptions, r: &PoolResult) -> Vec<Option<f64>> {
    let mut it = r.weights.iter().copied();
    match opts.method {
        Method::MH | Method::PETO if !r.single_study => rows.iter().map(|_| it.next()).collect(),
        _ => rows
            .iter()
            .map(|row| row.effect.value().and_then(|_| it.next()))
            .collect(),
    }
}

fn required_columns(measure: Measure, has: &dyn Fn(&str) -> bool) -> Vec<&'static str> {
    match measure.data_kind() {
        DataKind::Binary => {
            if has("bi") || has("di") || !(has("n1i") || has("n2i")) {
                vec!["ai", "bi", "ci", "di"]
            } else {
                vec!["ai", "n1i", "ci", "n2i"]
            }
        }
        DataKind::Continuous => vec!["m1i", "sd1i", "n1i", "m2i", "sd2i", "n2i"],
        DataKind::Proportion => vec!["xi", "ni"],
        DataKind::Generic => {
            if has("vi") || !has("sei") {
                vec!["yi", "vi"]
            } else {
                vec!["yi", "sei"]
            }
        }
        DataKind::Change => {
            if measure == Measure::SMCR {
                vec!["m1i", "m2i", "sd1i", "ni"]
            } else {
                vec!["m1i", "m2i", "sd1i", "sd2i", "ni"]
            }
        }
    }
}

fn parse_rows(
    text: &str,
    opts: &AnalyseOptions,
    ri_default: f64,
) -> Result<Vec<Row>, Vec<InputError>> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = rdr
        .headers()
        .map_err(|e| vec![err(Some(1), None, format!("cannot read header: {e}"))])?
        .clone();
    let mut idx: HashMap<String, usize> = HashMap::new();
    let mut errors = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        let key = h.to_ascii_lowercase();
        if key.is_empty() {
            continue;
        }
        if idx.insert(key.clone(), i).is_some() {
            errors.push(err(Some(1), Some(&key), "duplicate column"));
        }
    }
    let has = |c: &str| idx.contains_key(c);
    let required = required_columns(opts.measure, &has);
    for c in &required {
        if !has(c) {
            errors.push(err(
                Some(1),
                Some(c),
                format!("missing column '{c}' needed for measure {}", opts.measure),
            ));
        }
    }
    let extra_columns = opts.extra_columns();
    for c in &extra_columns {
        if !has(c) {
            errors.push(err(
                Some(1),
                Some(c),
                format!("missing column '{c}' named by --cumulative-by or --mods"),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut rows = Vec::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(n as u64 + 2);
                errors.push(err(Some(line), None, format!("malformed CSV: {e}")));
                continue;
            }
        };
        let line = rec.position().map(|p| p.line()).unwrap_or(n as u64 + 2);
        if rec.iter().all(|f| f.is_empty()) {
            continue;
        }
        let get = |c: &str| idx.get(c).and_then(|&i| rec.get(i)).unwrap_or("");
        let mut row_errors = Vec::new();
        let mut num = |c: &str| -> f64 {
            let s = get(c);
            if s.is_empty() {
                row_errors.push(err(Some(line), Some(c), "missing value"));
                return 0.0;
            }
            match s.parse::<f64>() {
                Ok(v) if v.is_finite() => v,
                _ => {
                    row_errors.push(err(Some(line), Some(c), format!("'{s}' is not a number")));
                    0.0
                }
            }
        };
        let m = opts.measure;
        let data = match m.data_kind() {
            DataKind::Binary => {
                if required.contains(&"bi") {
                    RowData::Table(TwoByTwo {
                        ai: num("ai"),
                        bi: num("bi"),
                        ci: num("ci"),
                        di: num("di"),
                    })
                } else {
                    let (ai, n1, ci, n2) = (num("ai"), num("n1i"), num("ci"), num("n2i"));
                    let (bi, di) = (n1 - ai, n2 - ci);
                    if bi < 0.0 {
                        row_errors.push(err(Some(line), Some("ai"), "events exceed n1i"));
                    }
                    if di < 0.0 {
                        row_errors.push(err(Some(line), Some("ci"), "events exceed n2i"));
                    }
                    RowData::Table(TwoByTwo { ai, bi, ci, di })
                }
            }
            DataKind::Continuous => RowData::Means(TwoGroupMeans {
                m1i: num("m1i"),
                sd1i: num("sd1i"),
                n1i: num("n1i"),
                m2i: num("m2i"),
                sd2i: num("sd2i"),
                n2i: num("n2i"),
            }),
            DataKind::Proportion => RowData::Count(EventCount {
                xi: num("xi"),
                ni: num("ni"),
            }),
            DataKind::Generic => {
                let from_sei = required.contains(&"sei");
                let yi = num("yi");
                let given = if from_sei { num("sei") } else { num("vi") };
                RowData::Generic {
                    yi,
                    given,
                    from_sei,
                }
            }
            DataKind::Change => {
                let sd2i = if m == Measure::SMCR && get("sd2i").is_empty() {
                    0.0
                } else {
                    num("sd2i")
                };
                let ri = if get("ri").is_empty() {
                    ri_default
                } else {
                    num("ri")
                };
                RowData::Change(PrePost {
                    m1i: num("m1i"),
                    m2i: num("m2i"),
                    sd1i: num("sd1i"),
                    sd2i,
                    ni: num("ni"),
                    ri,
                })
            }
        };
        if !row_errors.is_empty() {
            errors.extend(row_errors);
            continue;
        }
        let effect = match &data {
            RowData::Table(t) => binary_effect(
                m,
                t,
                &BinaryOptions {
                    add: 0.5,
                    drop00: opts.double_zero == DoubleZero::Drop,
                },
            ),
            RowData::Means(d) => continuous_effect(m, d),
            RowData::Count(c) => proportion_effect(m, c, 0.5),
            RowData::Generic {
                yi,
                given,
                from_sei,
            } => generic_effect(*yi, *given, *from_sei),
            RowData::Change(d) => change_effect(m, d).map(|mut e| {
                if get("ri").is_empty() {
                    e.notes
                        .push(format!("pre/post correlation ri = {ri_default} assumed"));
                }
                e
            }),
        };
        let effect = match effect {
            Ok(e) => e,
            Err(StatsError::InvalidInput { field, message }) => {
                errors.push(err(Some(line), Some(&field), message));
                continue;
            }
            Err(e) => {
                errors.push(err(Some(line), None, e.to_string()));
                continue;
            }
        };
        let study = match get("study") {
            "" => format!("Study {}", n + 1),
            s => s.to_string(),
        };
        let subgroup = if has("subgroup") {
            match get("subgroup") {
                "" => {
                    errors.push(err(Some(line), Some("subgroup"), "missing subgroup label"));
                    continue;
                }
                s => Some(s.to_string()),
            }
        } else {
            None
        };
        let extra = extra_columns.iter().map(|c| get(c).to_string()).collect();
        rows.push(Row {
            study,
            subgroup,
            data,
            effect,
            line,
            extra,
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod mh_tests;
#[cfg(test)]
mod tests;
