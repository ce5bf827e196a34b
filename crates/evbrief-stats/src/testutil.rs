//! The single place where numeric tolerances for agreement with metafor live: public so
//! that the tests of every crate (and the fuzz targets) compare with one rule.

/// Relative tolerance for agreement with metafor (the brief's 1e-6).
pub const REL_TOL: f64 = 1e-6;
/// Absolute tolerance used when the reference value is near zero.
pub const ABS_TOL: f64 = 1e-9;

/// True when `a` and `b` agree to [`REL_TOL`] relative or [`ABS_TOL`] absolute.
pub fn close(a: f64, b: f64) -> bool {
    if a == b {
        return true;
    }
    let diff = (a - b).abs();
    diff <= ABS_TOL || diff <= REL_TOL * b.abs().max(a.abs())
}

/// Panics with a labelled message unless `actual` is close to `expected`.
#[track_caller]
pub fn assert_close(actual: f64, expected: f64, what: &str) {
    assert!(
        close(actual, expected),
        "{what}: got {actual:.15e}, expected {expected:.15e}"
    );
}
