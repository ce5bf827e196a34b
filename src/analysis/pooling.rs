//! Pooling one time point of one outcome: the overall model chosen in `brief.toml`, an
//! optional common-effect model beside it, subgroups and the test for subgroup differences.

use super::extract::table_of;
use super::{StudyEffectRow, TimeAnalysis, stats_method, stats_test};
use crate::config::OutcomeSettings;
use crate::stats::pool::PoolResult;
use crate::stats::pool::inverse_variance::pool_inverse_variance;
use crate::stats::pool::mantel_haenszel::{pool_mantel_haenszel, pool_peto};
use crate::stats::pool::subgroup::pool_subgroups;
use crate::stats::{Measure, Method, StatsError, Test};

/// Pools `rows` (one time point) as `settings` say; rows are reordered by subgroup.
pub fn pool_time(
    time: String,
    mut rows: Vec<StudyEffectRow>,
    measure: Measure,
    settings: &OutcomeSettings,
) -> TimeAnalysis {
    let method = stats_method(settings.method);
    let test = stats_test(settings.test, method);
    let mut order: Vec<String> = Vec::new();
    for r in &rows {
        if !order.contains(&r.subgroup) {
            order.push(r.subgroup.clone());
        }
    }
    rows.sort_by_key(|r| order.iter().position(|g| *g == r.subgroup));

    let (pooled, weights, pooling_error) = {
        let all: Vec<&StudyEffectRow> = rows.iter().collect();
        match pool_rows(&all, measure, method, test) {
            Ok(Some((p, w))) => (Some(p), w, None),
            Ok(None) => (None, vec![None; rows.len()], None),
            Err(e) => (
                None,
                vec![None; rows.len()],
                Some(super::PoolingFailure::of(&e)),
            ),
        }
    };
    for (row, w) in rows.iter_mut().zip(weights) {
        row.weight = w;
    }
    let all: Vec<&StudyEffectRow> = rows.iter().collect();
    let common = match &pooled {
        Some(p) if settings.common_effect && method.is_random() && p.k >= 2 => {
            pool_rows(&all, measure, Method::FE, Test::Z)
                .ok()
                .flatten()
                .map(|(p, _)| p)
        }
        _ => None,
    };

    let subgroups = if order.len() > 1 || order.first().is_some_and(|g| !g.is_empty()) {
        let items: Vec<(String, &StudyEffectRow)> =
            rows.iter().map(|r| (r.subgroup.clone(), r)).collect();
        pool_subgroups(&items, |members| {
            pool_rows(members, measure, method, test)?
                .map(|(p, _)| p)
                .ok_or(StatsError::NoStudies)
        })
        .ok()
    } else {
        None
    };
    TimeAnalysis {
        time,
        studies: rows,
        pooled,
        common,
        subgroups,
        pooling_error,
    }
}

/// A pooled result with each input row's weight in percent (`None`: not in the model).
type Pooled = (PoolResult, Vec<Option<f64>>);

/// Pools `rows` with `method`; returns the result and each row's weight in percent
/// (`None` for rows that did not enter the model). `Ok(None)` when no row is estimable.
fn pool_rows(
    rows: &[&StudyEffectRow],
    measure: Measure,
    method: Method,
    test: Test,
) -> Result<Option<Pooled>, StatsError> {
    if rows.iter().all(|r| r.effect.value().is_none()) {
        return Ok(None);
    }
    match method {
        Method::MH | Method::PETO => {
            let tables: Vec<_> = rows.iter().map(|r| table_of(r)).collect();
            if tables.iter().any(Option::is_none) {
                return Err(StatsError::IncompatibleMethod {
                    method: method.to_string(),
                    measure: measure.to_string(),
                });
            }
            let tables: Vec<_> = tables.into_iter().flatten().collect();
            let result = if method == Method::MH {
                pool_mantel_haenszel(measure, &tables)?
            } else {
                pool_peto(&tables)?
            };
            let weights = result.weights.iter().map(|w| Some(*w)).collect();
            Ok(Some((result, weights)))
        }
        _ => {
            let used: Vec<(usize, (f64, f64))> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| Some((i, r.effect.value()?)))
                .collect();
            let yi: Vec<f64> = used.iter().map(|(_, (y, _))| *y).collect();
            let vi: Vec<f64> = used.iter().map(|(_, (_, v))| *v).collect();
            let result = pool_inverse_variance(&yi, &vi, method, test)?;
            let mut weights = vec![None; rows.len()];
            for ((i, _), w) in used.iter().zip(&result.weights) {
                weights[*i] = Some(*w);
            }
            Ok(Some((result, weights)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testutil::binary_row as row;
    use crate::config::{DoubleZero, EffectMeasure, PoolMethod, PoolTest, SubgroupBy};

    fn settings(method: PoolMethod) -> OutcomeSettings {
        OutcomeSettings {
            measure: EffectMeasure::RR,
            method,
            test: PoolTest::Knha,
            prediction: true,
            common_effect: true,
            subgroup: SubgroupBy::Condition,
            double_zero: DoubleZero::Drop,
        }
    }

    fn bcg_rows() -> Vec<StudyEffectRow> {
        // dat.bcg (Colditz et al. 1994), first six trials, split by allocation.
        vec![
            row("Aronson", "random", 4., 123., 11., 139.),
            row("Ferguson", "alternate", 6., 306., 29., 303.),
            row("Rosenthal", "random", 3., 231., 11., 220.),
            row("Hart", "random", 62., 13598., 248., 12867.),
            row("Frimodt", "alternate", 33., 5069., 47., 5808.),
            row("Stein", "random", 180., 1541., 372., 1451.),
        ]
    }

    #[test]
    fn rows_are_grouped_and_weights_sum_to_100() {
        let t = pool_time(
            "week 1".into(),
            bcg_rows(),
            Measure::RR,
            &settings(PoolMethod::Reml),
        );
        let groups: Vec<&str> = t.studies.iter().map(|r| r.subgroup.as_str()).collect();
        assert_eq!(
            groups,
            [
                "random",
                "random",
                "random",
                "random",
                "alternate",
                "alternate"
            ]
        );
        let total: f64 = t.studies.iter().filter_map(|r| r.weight).sum();
        assert!((total - 100.0).abs() < 1e-9);
        let groups = t.subgroups.expect("subgroups by condition");
        assert_eq!(groups.subgroups.len(), 2);
        assert!(groups.q_between.is_some());
        let common = t.common.expect("common effect asked for");
        assert_eq!(common.method, Method::FE);
        assert_eq!(t.pooled.unwrap().k, 6);
    }

    #[test]
    fn mantel_haenszel_pools_tables_including_zero_cells() {
        let mut rows = bcg_rows();
        rows.push(row("Zero", "random", 0., 20., 0., 20.));
        let t = pool_time("w".into(), rows, Measure::RR, &settings(PoolMethod::MH));
        let p = t.pooled.unwrap();
        assert_eq!(p.method, Method::MH);
        assert!(t.common.is_none(), "MH is not a random-effects model");
        let zero = t.studies.iter().find(|r| r.study == "Zero").unwrap();
        assert!(zero.effect.value().is_none());
        assert_eq!(zero.weight, Some(0.0));
    }

    #[test]
    fn nothing_estimable_pools_nothing() {
        let rows = vec![row("Zero", "", 0., 20., 0., 20.)];
        let t = pool_time("w".into(), rows, Measure::RR, &settings(PoolMethod::Reml));
        assert!(t.pooled.is_none() && t.pooling_error.is_none());
        assert!(t.subgroups.is_none());
    }
}
