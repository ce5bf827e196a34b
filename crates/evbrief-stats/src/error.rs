//! Typed errors of the statistics engine.
//!
//! Impossible combinations (e.g. Mantel–Haenszel with a mean difference) and
//! degenerate data are reported as values of [`StatsError`] rather than by
//! panicking or by producing NaN.

use thiserror::Error;

/// Everything that can go wrong inside `crate::stats`.
///
/// Why: callers must be able to show a precise message for each failure and
/// never see a panic or a NaN produced from user data.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// No study could be used (k = 0), so there is nothing to pool.
    #[error("no studies with estimable effects (k = 0)")]
    NoStudies,
    /// The pooling method cannot be used with this effect measure.
    #[error("method {method} cannot be used with measure {measure}")]
    IncompatibleMethod {
        /// Requested pooling method.
        method: String,
        /// Requested effect measure.
        measure: String,
    },
    /// The effect measure needs a different kind of data than was given.
    #[error("measure {measure} needs {needs} data")]
    WrongDataKind {
        /// Requested effect measure.
        measure: String,
        /// The data kind this measure needs.
        needs: String,
    },
    /// An input value is out of its admissible range (negative count, NaN, ...).
    #[error("invalid {field}: {message}")]
    InvalidInput {
        /// Name of the offending input (metafor column name where possible).
        field: String,
        /// Human-readable explanation.
        message: String,
    },
    /// The data are degenerate for this computation (e.g. every study has zero events).
    #[error("degenerate data: {0}")]
    Degenerate(String),
    /// An iterative algorithm did not converge.
    #[error("{0} did not converge")]
    NotConverged(String),
    /// A conversion found no admissible value.
    #[error("conversion impossible: {0}")]
    Conversion(String),
    /// The five-number summary is too skewed to convert (Shi et al. 2023 test).
    #[error(
        "data too skewed to convert to mean/SD (Shi et al. 2023 test statistic {statistic:.4} >= critical value {critical:.4})"
    )]
    TooSkewed {
        /// Skewness test statistic.
        statistic: f64,
        /// Critical value at n.
        critical: f64,
    },
}

/// Checks that `x` is finite, naming the field in the error.
///
/// Why: every public entry point rejects NaN/inf up front so that no NaN can
/// propagate into a report.
pub(crate) fn finite(field: &str, x: f64) -> Result<f64, StatsError> {
    if x.is_finite() {
        Ok(x)
    } else {
        Err(StatsError::InvalidInput {
            field: field.to_string(),
            message: format!("must be a finite number (got {x})"),
        })
    }
}

/// Checks that `x` is finite and `>= 0`.
pub(crate) fn non_negative(field: &str, x: f64) -> Result<f64, StatsError> {
    finite(field, x)?;
    if x < 0.0 {
        return Err(StatsError::InvalidInput {
            field: field.to_string(),
            message: format!("must not be negative (got {x})"),
        });
    }
    Ok(x)
}

/// Checks that `x` is finite and `> 0`.
pub(crate) fn positive(field: &str, x: f64) -> Result<f64, StatsError> {
    finite(field, x)?;
    if x <= 0.0 {
        return Err(StatsError::InvalidInput {
            field: field.to_string(),
            message: format!("must be greater than zero (got {x})"),
        });
    }
    Ok(x)
}
