//! What lands on disk, and how: atomic writes, dated editions with their record, input
//! fingerprints (what an edition was made from) and the output lock that keeps two
//! evbrief processes from writing one output folder at once.

pub mod atomic;
pub mod editions;
pub mod inputs;
pub mod lock;
pub mod search_log;

pub use atomic::write_atomically;
