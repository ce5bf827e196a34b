//! Ways into a brief of one's own: `evbrief init` ([`init`]) writes a new project that
//! builds at once, and `evbrief templates eject|diff` ([`templates`]) copies the built-in
//! templates into a project for customising and shows how its copies differ.

pub mod init;
pub mod templates;
