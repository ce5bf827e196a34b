//! The living brief: regenerate when inputs change, keep dated editions, say what changed.
//!
//! Everything here is about *when* a build happens; *what* a build makes is
//! [`crate::pipeline`], and *where* it lands is [`crate::store`]. Time and file-system events come in through small traits and
//! channels so tests drive them without sleeping.

pub mod schedule;
pub mod scheduler;
pub mod search_tick;
pub mod session;
pub mod watch;

#[cfg(test)]
pub(crate) mod testutil {
    //! Temporary projects for the living-brief tests.

    use std::fs;
    use std::path::Path;

    /// A temporary copy of the fixture project `tests/fixtures/<name>` with the
    /// repository's templates, ready to build.
    pub(crate) fn fixture_project(name: &str) -> tempfile::TempDir {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().unwrap();
        copy(&repo.join("tests/fixtures").join(name), dir.path());
        copy(&repo.join("templates"), &dir.path().join("templates"));
        dir
    }

    fn copy(from: &Path, to: &Path) {
        if from.is_dir() {
            fs::create_dir_all(to).unwrap();
            for e in fs::read_dir(from).unwrap() {
                let e = e.unwrap();
                copy(&e.path(), &to.join(e.file_name()));
            }
        } else {
            fs::copy(from, to).unwrap();
        }
    }
}
