//! Atomic file replacement: readers see either the old file or the complete new one, and
//! a writer killed half-way leaves only a temporary file whose name says what it is (the
//! output lock sweeps those, [`is_temporary_name`]).

use std::fs;
use std::io::Write;
use std::path::Path;

/// The temporary file's name for `name` written by process `pid`: `.<name>.<pid>.tmp`.
fn temporary_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.tmp")
}

/// True for names [`write_atomically`] gives its temporary files: a leading dot, a `.tmp`
/// suffix and something in between.
pub fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix('.')
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(|stem| !stem.is_empty())
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it over `path`,
/// so readers see either the old file or the complete new one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(temporary_name(&name, std::process::id()));
    let result = (|| {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/brief.pdf");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let names: Vec<_> = fs::read_dir(dir.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn temporary_names_are_recognised() {
        assert!(is_temporary_name(&temporary_name("brief.pdf", 42)));
        assert!(!is_temporary_name("brief.pdf"));
        assert!(!is_temporary_name("..tmp"));
    }
}
