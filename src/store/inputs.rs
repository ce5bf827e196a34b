//! The fingerprint of everything a brief is made from, to tell whether a rebuild would
//! change it without building it.
//!
//! Tracked: `brief.toml`; every file under `data/` (studies, tables, references, the inbox)
//! except drafts; everything under `templates/` and `fonts/`; any other project file the
//! templates read in the last build (the caller passes those in); evbrief's version,
//! which changes the PDF without a file changing; and, for a project that uses a built-in
//! template, the built-in templates' hash. `SOURCE_DATE_EPOCH` is left out: it only
//! stamps the PDF's metadata, and a new timestamp is not a new edition.
//! Not tracked: the system CJK font (it changes only when the OS package does).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::analysis::record::InputsRecord;

/// Folders of a project whose every file is an input.
pub const TRACKED_DIRS: [&str; 3] = ["data", "templates", "fonts"];

/// Sub-folders of [`TRACKED_DIRS`] the build never reads.
pub const UNTRACKED_DIRS: [&str; 1] = ["data/drafts"];

/// Endings of editor, tool and download temp files, which never start a build.
///
/// `~` (Emacs, gedit, many others), `.swp`/`.swo`/`.swx` (Vim swap files),
/// `.tmp`, `.bak`, `.kate-swp` (Kate), `.crdownload` (Chromium downloads), and
/// `___jb_tmp___`/`___jb_old___` (JetBrains "safe write").
pub const TEMP_SUFFIXES: [&str; 10] = [
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".tmp",
    ".bak",
    ".kate-swp",
    ".crdownload",
    "___jb_tmp___",
    "___jb_old___",
];

/// True for a file or folder name that is never project content: hidden names starting
/// with `.` (`.DS_Store`, `.git`, Emacs locks `.#name`, Vim's `.name.swp`, gedit's
/// `.goutputstream-*`), Emacs auto-saves starting with `#`, Vim's write probe `4913`,
/// and names ending in one of [`TEMP_SUFFIXES`] (compared ignoring ASCII case).
///
/// Such files come and go while an editor saves; building on them would build twice
/// (or on a half-written file).
pub fn is_ignored_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with('.')
        || name.starts_with('#')
        || name == "4913"
        || TEMP_SUFFIXES.iter().any(|suffix| {
            bytes.len() >= suffix.len()
                && bytes[bytes.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
        })
}

/// SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of the file at `path` in lower-case hex, read in pieces: an input of any size
/// (a 50 MB file put in `data/` by mistake) is hashed without being held in memory.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    use std::io::Read;
    let mut file = fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buffer[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(hex(&hasher.finalize()))
}

/// Fingerprints the project at `root`: the tracked files, the `extra` files (relative
/// paths the templates read last time; missing ones are recorded as missing) and the
/// evbrief version. Fails only when a tracked folder cannot be listed or a file read.
pub fn fingerprint(root: &Path, extra: &[String]) -> io::Result<InputsRecord> {
    let mut files = BTreeMap::new();
    let brief = root.join("brief.toml");
    files.insert("brief.toml".to_owned(), sha256_file(&brief)?);
    for dir in TRACKED_DIRS {
        walk(root, Path::new(dir), &mut files)?;
    }
    for rel in extra {
        if files.contains_key(rel) || !is_plain_relative(rel) {
            continue;
        }
        let hash = match sha256_file(&root.join(rel)) {
            Ok(hash) => hash,
            Err(e) if e.kind() == io::ErrorKind::NotFound => "missing".to_owned(),
            Err(e) => return Err(e),
        };
        files.insert(rel.clone(), hash);
    }
    let mut settings = BTreeMap::new();
    settings.insert("evbrief".to_owned(), env!("CARGO_PKG_VERSION").to_owned());
    if crate::render::templates::uses_builtin(root) {
        settings.insert(
            "built-in templates".to_owned(),
            crate::render::templates::builtin_hash(),
        );
    }
    let hash = combined_hash(&files, &settings);
    Ok(InputsRecord {
        hash,
        files,
        settings,
    })
}

/// The files of `record` that are not under a tracked folder: what the templates read
/// besides (to be fingerprinted again next time).
pub fn extra_files(record: &InputsRecord) -> Vec<String> {
    record
        .files
        .keys()
        .filter(|p| {
            *p != "brief.toml"
                && !TRACKED_DIRS
                    .iter()
                    .any(|d| p.strip_prefix(d).is_some_and(|rest| rest.starts_with('/')))
        })
        .cloned()
        .collect()
}

/// The first 12 hex digits of the inputs hash, for a provenance line.
pub fn short_hash(record: &InputsRecord) -> String {
    record.hash.chars().take(12).collect()
}

fn combined_hash(files: &BTreeMap<String, String>, settings: &BTreeMap<String, String>) -> String {
    let mut hasher = Sha256::new();
    for (path, hash) in files {
        hasher.update(format!("file {path}\0{hash}\n").as_bytes());
    }
    for (key, value) in settings {
        hasher.update(format!("setting {key}\0{value}\n").as_bytes());
    }
    hex(&hasher.finalize())
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A relative path without `..`, so a tampered record cannot make us read outside `root`.
fn is_plain_relative(rel: &str) -> bool {
    let p = Path::new(rel);
    !p.is_absolute()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

fn walk(root: &Path, rel: &Path, files: &mut BTreeMap<String, String>) -> io::Result<()> {
    let rel_text = rel.to_string_lossy().replace('\\', "/");
    if UNTRACKED_DIRS.contains(&rel_text.as_str()) {
        return Ok(());
    }
    let entries = match fs::read_dir(root.join(rel)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut entries: Vec<_> = entries.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if is_ignored_name(&name) {
            continue;
        }
        let child = rel.join(&*name);
        // Symlinked folders are not followed (no cycles); symlinked files are read.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            walk(root, &child, files)?;
        } else if let Ok(hash) = sha256_file(&root.join(&child)) {
            files.insert(child.to_string_lossy().replace('\\', "/"), hash);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir_all(p.join("data/studies")).unwrap();
        fs::create_dir_all(p.join("data/drafts")).unwrap();
        fs::create_dir_all(p.join("templates")).unwrap();
        fs::create_dir_all(p.join("output")).unwrap();
        fs::write(p.join("brief.toml"), "title = 'x'").unwrap();
        fs::write(p.join("data/studies/a.toml"), "id = 'a'").unwrap();
        fs::write(p.join("templates/brief.typ"), "= Hi").unwrap();
        dir
    }

    #[test]
    fn a_file_hashes_like_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.bin");
        // Larger than one read buffer, so the pieces are joined in order.
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        fs::write(&path, &bytes).unwrap();
        assert_eq!(sha256_file(&path).unwrap(), sha256_hex(&bytes));
    }

    #[test]
    fn sha256_matches_the_standard_test_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn the_same_project_gives_the_same_hash() {
        let dir = project();
        let a = fingerprint(dir.path(), &[]).unwrap();
        let b = fingerprint(dir.path(), &[]).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.hash.len(), 64);
        assert_eq!(short_hash(&a).len(), 12);
        assert_eq!(
            a.files.keys().collect::<Vec<_>>(),
            ["brief.toml", "data/studies/a.toml", "templates/brief.typ"]
        );
    }

    #[test]
    fn tracked_edits_change_the_hash_and_scratch_files_do_not() {
        let dir = project();
        let p = dir.path();
        let base = fingerprint(p, &[]).unwrap().hash;
        for scratch in [
            "data/studies/.a.toml.swp",
            "data/studies/a.toml~",
            "templates/4913",
            "data/drafts/b.toml",
            "output/brief.pdf",
            "README.md",
        ] {
            fs::write(p.join(scratch), "x").unwrap();
        }
        assert_eq!(fingerprint(p, &[]).unwrap().hash, base);
        fs::write(p.join("data/studies/a.toml"), "id = 'a' # edited").unwrap();
        let edited = fingerprint(p, &[]).unwrap().hash;
        assert_ne!(edited, base);
        fs::create_dir_all(p.join("data/inbox")).unwrap();
        fs::write(p.join("data/inbox/new.bib"), "@article{new,}").unwrap();
        assert_ne!(fingerprint(p, &[]).unwrap().hash, edited);
    }

    #[test]
    fn extra_files_are_tracked_and_cannot_escape_the_project() {
        let dir = project();
        let p = dir.path();
        fs::write(p.join("logo.svg"), "<svg/>").unwrap();
        let extra = vec![
            "logo.svg".to_owned(),
            "gone.csv".to_owned(),
            "../outside".to_owned(),
            "/etc/passwd".to_owned(),
        ];
        let a = fingerprint(p, &extra).unwrap();
        assert_eq!(a.files["gone.csv"], "missing");
        assert!(!a.files.contains_key("../outside"));
        assert!(!a.files.contains_key("/etc/passwd"));
        assert_eq!(extra_files(&a), ["gone.csv", "logo.svg"]);
        fs::write(p.join("logo.svg"), "<svg></svg>").unwrap();
        assert_ne!(fingerprint(p, &extra).unwrap().hash, a.hash);
    }
}
