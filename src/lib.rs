//! evbrief turns curated clinical-study data into a typeset PDF evidence brief.
//!
//! Data flows one way: [`data`] (files → validated model) → [`analysis`] (which
//! values are comparable, conversions, calls into the pure [`stats`] engine) →
//! [`report`] (view model → Typst → PDF) → [`pipeline`] (one build, atomic output).
//! [`living`] decides when builds happen and where they go: dated editions, the output
//! lock, `watch` and `schedule`.
//! [`starter`] writes new projects (`evbrief init`) and the project's copies of the
//! built-in templates; [`sheet`] reads extraction sheets into study files (`import-data`).
//! [`analyse`] is the CSV front door to `stats` for `evbrief analyse`. [`cli`] only
//! converts arguments into library calls.

pub mod analyse;
pub mod analysis;
pub mod cli;
pub mod config;
pub mod data;
pub mod format;
pub mod i18n;
pub mod inbox;
pub mod living;
pub mod pipeline;
pub mod plot;
pub mod render;
pub mod search;
pub mod sheet;
pub mod starter;
pub mod store;
pub mod synthetic;
pub mod text;
pub mod view;

/// The intake engine (crate `evbrief-intake`): bibliographic readers, record identity.
pub use evbrief_intake as intake;
/// Located problems (`path:line:col`), shared by intake and the project loader.
pub use evbrief_intake::diagnostic;
/// The statistics engine (crate `evbrief-stats`), under the name the rest of evbrief uses.
pub use evbrief_stats as stats;
