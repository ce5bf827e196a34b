//! Tests of the CSV front door (`analyse.rs`): bad input, double zeros, fuzz findings, BCG.
use super::*;

#[test]
fn i2_stays_within_100_when_tau2_is_huge() {
    // Found by the `analyse_csv` fuzz target: 100 τ² / (ṽ + τ²) rounded to
    // 100.00000000000001 (Peto log odds ratios of wildly different tables).
    let csv = "study,ai,bi,ci,di,subgroup\n\
               AronsoN 1948,1,119,41,128,08279501,71\n\
               Orpingtndom al 1974,186,50448,141,2717,st9seymatic\n\
               Comstock & \u{0}\u{0}\u{0}'Webster 1969,5,2493,3,2338,systelatic\n\
               Comstock 1,75,119,20096571479819,9825,systematic\n";
    let opts = AnalyseOptions::new(Measure::PETO, Method::REML, Test::Knha);
    let report = analyse(csv, &opts).unwrap();
    let i2 = report.pooled.i2.unwrap();
    assert!((99.0..=100.0).contains(&i2), "{i2}");
}
use crate::stats::testutil::assert_close;

const BCG_CSV: &str = "study,ai,bi,ci,di,subgroup
Aronson 1948,4,119,11,128,random
Ferguson & Simes 1949,6,300,29,274,random
Rosenthal et al 1960,3,228,11,209,random
Hart & Sutherland 1977,62,13536,248,12619,random
Frimodt-Moller et al 1973,33,5036,47,5761,alternate
Stein & Aronson 1953,180,1361,372,1079,alternate
Vandiviere et al 1973,8,2537,10,619,random
TPT Madras 1980,505,87886,499,87892,random
Coetzee & Berjak 1968,29,7470,45,7232,random
Rosenthal et al 1961,17,1699,65,1600,systematic
Comstock et al 1974,186,50448,141,27197,systematic
Comstock & Webster 1969,5,2493,3,2338,systematic
Comstock et al 1976,27,16886,29,17825,systematic
";

#[test]
fn bcg_csv_reml_report_matches_metafor() {
    let r = analyse(
        BCG_CSV,
        &AnalyseOptions::new(Measure::RR, Method::REML, Test::Z),
    )
    .unwrap();
    assert_eq!(r.pooled.k, 13);
    assert_close(r.pooled.estimate, -0.71453234215814, "estimate");
    assert_close(r.pooled.tau2.unwrap(), 0.313243258136486, "tau2");
    let back = r.pooled.back.as_ref().unwrap();
    assert_close(back.estimate.unwrap(), (-0.71453234215814f64).exp(), "back");
    let total: f64 = r.studies.iter().filter_map(|s| s.weight).sum();
    assert_close(total, 100.0, "weights");
    let subs = r.subgroups.as_ref().unwrap();
    assert_eq!(subs.len(), 3);
    assert!(r.q_between.is_some());
    let json = serde_json::to_value(&r).unwrap();
    for key in [
        "measure",
        "method",
        "test",
        "k",
        "estimate",
        "se",
        "statistic",
        "p",
        "ci_lower",
        "ci_upper",
        "pi_lower",
        "pi_upper",
        "tau2",
        "tau2_ci_lower",
        "tau2_ci_upper",
        "i2",
        "h2",
        "q",
        "q_df",
        "q_p",
        "back",
        "studies",
        "subgroups",
        "q_between",
        "q_between_df",
        "q_between_p",
    ] {
        assert!(json.get(key).is_some(), "missing JSON field {key}");
    }
    assert!(json["subgroups"][0].get("estimate").is_some());
}

#[test]
fn all_errors_reported_with_lines_and_columns() {
    let csv = "study,ai,bi,ci\nA,1,x,3\nB,,2,3\nC,-1,2,3\n";
    let errs = analyse(csv, &AnalyseOptions::new(Measure::OR, Method::FE, Test::Z)).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!(errs[0].column.as_deref(), Some("di"));
    let csv = "study,ai,bi,ci,di\nA,1,x,3,4\nB,,2,3,4\nC,-1,2,3,4\nD,1,2,3,4\n";
    let errs = analyse(csv, &AnalyseOptions::new(Measure::OR, Method::FE, Test::Z)).unwrap_err();
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert_eq!(
        (errs[0].line, errs[0].column.as_deref()),
        (Some(2), Some("bi"))
    );
    assert_eq!(
        (errs[1].line, errs[1].column.as_deref()),
        (Some(3), Some("ai"))
    );
    assert_eq!(
        (errs[2].line, errs[2].column.as_deref()),
        (Some(4), Some("ai"))
    );
}

#[test]
fn impossible_combination_is_an_error() {
    let csv = "study,m1i,sd1i,n1i,m2i,sd2i,n2i\nA,1,1,10,0,1,10\n";
    let errs = analyse(csv, &AnalyseOptions::new(Measure::MD, Method::MH, Test::Z)).unwrap_err();
    assert!(errs[0].message.contains("MH"));
}

#[test]
fn single_study_and_double_zero() {
    let csv = "study,ai,n1i,ci,n2i\nA,0,30,0,28\nB,3,30,6,31\n";
    let mut drop = AnalyseOptions::new(Measure::RR, Method::DL, Test::Knha);
    drop.double_zero = DoubleZero::Drop;
    let r = analyse(csv, &drop).unwrap();
    assert!(r.pooled.single_study);
    assert_eq!(r.pooled.k, 1);
    assert!(matches!(r.studies[0].status, Status::NotEstimable { .. }));
    assert_eq!(r.studies[0].weight, None);
    assert_eq!(r.studies[1].weight, Some(100.0));
    let csv = "study,ai,n1i,ci,n2i\nA,0,30,0,28\n";
    assert!(analyse(csv, &drop).is_err());
    // Kept (the default, as metafor escalc): the study is corrected and pooled.
    let r = analyse(csv, &AnalyseOptions::new(Measure::RR, Method::DL, Test::Z)).unwrap();
    assert!(r.pooled.single_study && r.studies[0].correction.is_some());
}

#[test]
fn change_uses_default_ri_and_says_so() {
    let csv = "study,m1i,m2i,sd1i,sd2i,ni\nA,12,10,3,4,20\nB,11,10,3,3,25\n";
    let r = analyse(csv, &AnalyseOptions::new(Measure::MC, Method::FE, Test::Z)).unwrap();
    assert_eq!(r.ri_default, Some(0.5));
    assert!(r.studies[0].notes[0].contains("0.5"));
    assert_close(r.studies[0].vi.unwrap(), (9.0 + 16.0 - 12.0) / 20.0, "vi");
}
