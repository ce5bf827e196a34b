//! Helpers shared by evbrief's fuzz targets (`cargo fuzz run <target>`): turning fuzz
//! bytes into evbrief's inputs, and the checks every target makes on what comes back.

use std::sync::Arc;

use evbrief_intake::diagnostic::{Problem, Problems, SourceFile};

/// The fuzz bytes as a source file called `name`, when they are UTF-8 (evbrief refuses
/// other bytes before any parser sees them: `data::read_text_file`).
pub fn source_file(name: &str, data: &[u8]) -> Option<SourceFile> {
    let text = std::str::from_utf8(data).ok()?;
    Some(SourceFile {
        name: name.to_string(),
        text: Arc::from(text),
    })
}

/// Every problem must point into its own file, on character boundaries, and render as
/// `path:line:col: message` with a snippet: a span past the end or inside a UTF-8
/// sequence would make the error report itself fail.
pub fn check_problems(problems: &[Problem]) {
    for p in problems {
        let text = &p.file.text;
        assert!(
            p.span.start <= p.span.end && p.span.end <= text.len(),
            "span {:?} outside {} ({} bytes): {}",
            p.span,
            p.file.name,
            text.len(),
            p.message
        );
        assert!(
            text.is_char_boundary(p.span.start) && text.is_char_boundary(p.span.end),
            "span {:?} splits a character in {}: {}",
            p.span,
            p.file.name,
            p.message
        );
        assert!(!p.message.trim().is_empty(), "a problem without a message");
    }
    let rendered = Problems(problems.to_vec()).render(true);
    for p in problems {
        assert!(rendered.contains(&p.file.name));
    }
}

/// The import parsers' contract, shared by the four `import_*` targets.
pub mod import {
    use std::sync::Arc;

    use evbrief::data::bibliography::parse_bib_file;
    use evbrief_intake::diagnostic::SourceFile;
    use evbrief_intake::{self as intake, ImportFormat, bibtex_in, citation_key, to_bibtex};

    /// Parses `data` as `format` and checks what comes back: problems are located
    /// (see [`crate::check_problems`]); each record gets a key of `a-z`, `0-9`, `-`;
    /// and each record written as BibTeX (what `evbrief import` puts in the inbox)
    /// reads back with the same title, authors and abstract, and is accepted by the
    /// bibliography loader that Typst's citations go through.
    pub fn check(data: &[u8], name: &str, format: ImportFormat) {
        let Some(file) = crate::source_file(name, data) else {
            return;
        };
        let _ = ImportFormat::detect(name, &file.text);
        let _ = ImportFormat::detect("fuzz.txt", &file.text);
        let records = match intake::parse(&file, format) {
            Ok(records) => records,
            Err(problems) => {
                assert!(!problems.is_empty(), "an error without problems");
                crate::check_problems(&problems);
                return;
            }
        };
        for record in records {
            let key = citation_key(&record, &|_| false);
            assert!(
                !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "bad citation key {key:?}"
            );
            let bib = to_bibtex(&record, &key);
            let written = SourceFile {
                name: "data/inbox/fuzz.bib".into(),
                text: Arc::from(bib.as_str()),
            };
            let back = match bibtex_in::read(&written) {
                Ok(back) => back,
                Err(problems) => panic!("written BibTeX does not read back: {problems:?}\n{bib}"),
            };
            assert_eq!(back.len(), 1, "{bib}");
            assert_eq!(back[0].key, key, "{bib}");
            assert_eq!(back[0].record.title, record.title, "{bib}");
            assert_eq!(back[0].record.authors, record.authors, "{bib}");
            assert_eq!(back[0].record.abstract_text, record.abstract_text, "{bib}");
            let mut problems = Vec::new();
            let library = parse_bib_file(&written, &mut problems);
            assert!(
                library.is_some() && problems.is_empty(),
                "the bibliography loader refuses written BibTeX: {problems:?}\n{bib}"
            );
        }
    }
}

/// Copies a folder tree (the bundled project's `data/` for `load_project`).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
