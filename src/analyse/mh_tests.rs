//! Mantel–Haenszel and Peto through the CSV front door, against metafor fixtures.
use super::*;
use crate::stats::testutil::assert_close;

/// Sparse tables through the CSV front end with MH (metafor `rma.mh`
/// values from tests/metafor/sparse.json).
#[test]
fn sparse_mh_or_through_csv() {
    let csv = "study,ai,bi,ci,di\nS 1,0,20,3,17\nS 2,2,18,0,22\nS 3,0,30,0,28\nS 4,5,45,9,41\nS 5,1,49,4,46\nS 6,0,12,2,10\nS 7,10,0,10,0\n";
    let mut opts = AnalyseOptions::new(Measure::OR, Method::MH, Test::Knha);
    opts.double_zero = DoubleZero::Drop;
    let r = analyse(csv, &opts).unwrap();
    assert_eq!(r.test, Test::Z);
    assert_close(r.pooled.estimate, -0.872150428320996, "MH OR");
    assert_eq!(r.pooled.q_df, Some(4.0));
    assert!(matches!(r.studies[2].status, Status::NotEstimable { .. }));
    assert_eq!(r.studies[2].weight, Some(0.0));
    let json = serde_json::to_string_pretty(&r).unwrap();
    assert!(json.contains("\"tau2\": null"));
}

proptest::proptest! {
    /// The CSV front end never panics, whatever the text.
    #[test]
    fn analyse_never_panics(text in "[a-z0-9,.\\-\n ]{0,200}") {
        let opts = AnalyseOptions::new(Measure::OR, Method::REML, Test::Z);
        let _ = analyse(&format!("study,ai,bi,ci,di\n{text}"), &opts);
    }
}
