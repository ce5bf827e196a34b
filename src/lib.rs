//! evbrief turns curated clinical-study data into a typeset PDF evidence brief.
//!
//! Data flows one way: [`data`] (files → validated model) → [`stats`] (pure
//! numbers) → [`report`] (view model → Typst → PDF) → [`pipeline`] (one build,
//! atomic output). [`cli`] only converts arguments into a [`pipeline::BuildConfig`].

pub mod analyse;
pub mod analysis;
pub mod cli;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod pipeline;
pub mod report;
pub mod stats;
