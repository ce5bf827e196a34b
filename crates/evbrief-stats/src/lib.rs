//! Statistics engine of evbrief.
//!
//! `stats` owns effect sizes (metafor `escalc` equivalents), data conversions
//! with an audit trail, pooling (inverse variance, Mantel–Haenszel, Peto,
//! subgroups) and back-transforms. It does no I/O, touches no files and does
//! no formatting: callers (evbrief's `analyse` and `analysis` modules) turn its typed
//! results into reports. Every formula names its source (the metafor function it mirrors
//! and the paper it comes from) so numbers can be audited against R's
//! metafor package, which the reference tests check to 1e-6 relative.

pub mod absolute;
pub mod bias;
pub mod consistency;
pub mod convert;
pub mod dist;
pub mod effect;
pub mod error;
pub mod incidence;
pub mod measure;
pub mod metareg;
pub mod pool;
pub mod reported;
pub mod sensitivity;
pub mod transform;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod proptests_sensitivity;
#[cfg(test)]
mod reference_tests;
#[cfg(test)]
mod reference_tests_sensitivity;
pub mod testutil;

pub use error::StatsError;
pub use measure::{Measure, Method, Test};
