//! Subgroup analyses: separate fits per subgroup and the test for subgroup
//! differences as metafor computes it for separately fitted subgroups.

use serde::Serialize;

use super::PoolResult;
use super::inverse_variance::generalised_q;
use crate::dist;
use crate::error::StatsError;

/// One subgroup's pooled result (or why it could not be pooled).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupPool {
    /// Subgroup label as given in the data.
    pub name: String,
    /// Pooled result, `None` if the subgroup could not be pooled.
    pub result: Option<PoolResult>,
    /// Why the subgroup could not be pooled.
    pub error: Option<String>,
}

/// Per-subgroup results and the test for subgroup differences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SubgroupAnalysis {
    /// Subgroups in order of first appearance.
    pub subgroups: Vec<SubgroupPool>,
    /// Q between subgroups (`None` with fewer than two pooled subgroups).
    pub q_between: Option<f64>,
    /// Degrees of freedom of Q between (number of pooled subgroups - 1).
    pub q_between_df: Option<f64>,
    /// p value of Q between.
    pub q_between_p: Option<f64>,
}

/// Test for subgroup differences from subgroup estimates and standard
/// errors: Cochran's Q of a fixed-effects model fitted to the subgroup
/// estimates, `rma(est, sei=se, method="FE")$QE` in metafor (Borenstein et
/// al. 2009, ch. 19). Returns `(Q, df, p)`, or `None` with fewer than two
/// subgroups or a zero standard error.
pub fn q_between(estimates: &[(f64, f64)]) -> Result<Option<(f64, f64, f64)>, StatsError> {
    if estimates.len() < 2
        || estimates
            .iter()
            .any(|(e, s)| !e.is_finite() || s.is_nan() || *s <= 0.0)
    {
        return Ok(None);
    }
    let yi: Vec<f64> = estimates.iter().map(|(e, _)| *e).collect();
    let vi: Vec<f64> = estimates.iter().map(|(_, s)| s * s).collect();
    let q = generalised_q(&yi, &vi, 0.0).max(0.0);
    if !q.is_finite() {
        return Ok(None);
    }
    let df = (estimates.len() - 1) as f64;
    Ok(Some((q, df, dist::pchisq_upper(q, df)?)))
}

/// Pools each subgroup separately with `pool` and tests for differences.
///
/// `items` pairs each study's subgroup label with its data; `pool` is any
/// of the poolers (inverse variance, MH, Peto) applied to one subgroup's
/// data. Subgroups that cannot be pooled are reported with their error and
/// left out of Q between.
pub fn pool_subgroups<T: Clone>(
    items: &[(String, T)],
    pool: impl Fn(&[T]) -> Result<PoolResult, StatsError>,
) -> Result<SubgroupAnalysis, StatsError> {
    let mut names: Vec<String> = Vec::new();
    for (n, _) in items {
        if !names.contains(n) {
            names.push(n.clone());
        }
    }
    let mut subgroups = Vec::new();
    let mut est = Vec::new();
    for name in names {
        let data: Vec<T> = items
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .collect();
        match pool(&data) {
            Ok(r) => {
                est.push((r.estimate, r.se));
                subgroups.push(SubgroupPool {
                    name,
                    result: Some(r),
                    error: None,
                });
            }
            Err(e) => subgroups.push(SubgroupPool {
                name,
                result: None,
                error: Some(e.to_string()),
            }),
        }
    }
    let qb = q_between(&est)?;
    Ok(SubgroupAnalysis {
        subgroups,
        q_between: qb.map(|x| x.0),
        q_between_df: qb.map(|x| x.1),
        q_between_p: qb.map(|x| x.2),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Method, Test};
    use crate::pool::inverse_variance::pool_inverse_variance;

    #[test]
    fn two_equal_subgroups_have_zero_q_between() {
        let items: Vec<(String, (f64, f64))> = vec![
            ("a".into(), (0.1, 0.05)),
            ("a".into(), (0.3, 0.05)),
            ("b".into(), (0.1, 0.05)),
            ("b".into(), (0.3, 0.05)),
        ];
        let r = pool_subgroups(&items, |d| {
            let y: Vec<f64> = d.iter().map(|x| x.0).collect();
            let v: Vec<f64> = d.iter().map(|x| x.1).collect();
            pool_inverse_variance(&y, &v, Method::FE, Test::Z)
        })
        .unwrap();
        assert_eq!(r.subgroups.len(), 2);
        assert!(r.q_between.unwrap().abs() < 1e-12);
        assert_eq!(r.q_between_df, Some(1.0));
    }

    #[test]
    fn one_subgroup_has_no_test() {
        assert_eq!(q_between(&[(0.1, 0.2)]).unwrap(), None);
    }
}
