//! The living brief: regenerate when inputs change, keep dated editions, say what changed.
//!
//! Everything here is about *when* and *where* a build happens; *what* a build makes is
//! [`crate::pipeline`]. Time and file-system events come in through small traits and
//! channels so tests drive them without sleeping.

pub mod editions;
pub mod inputs;
pub mod lock;
pub mod schedule;
pub mod scheduler;
pub mod session;
pub mod watch;
