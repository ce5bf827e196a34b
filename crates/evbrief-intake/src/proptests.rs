//! Property tests: no input makes a parser panic (arbitrary text, and every prefix
//! of every fixture), and any title, name and abstract survive `to_bibtex` and come
//! back unchanged from our reader and from hayagriva.

use proptest::prelude::*;

use super::bibtex_in;
use super::*;
use crate::diagnostic::SourceFile;

const FORMATS: [ImportFormat; 4] = [
    ImportFormat::Ris,
    ImportFormat::Medline,
    ImportFormat::Bibtex,
    ImportFormat::CslJson,
];

const FIXTURES: [&str; 7] = [
    include_str!("../../../tests/fixtures/import/pubmed.nbib"),
    include_str!("../../../tests/fixtures/import/zotero.ris"),
    include_str!("../../../tests/fixtures/import/cnki.ris"),
    include_str!("../../../tests/fixtures/import/registry.ris"),
    include_str!("../../../tests/fixtures/import/zotero.bib"),
    include_str!("../../../tests/fixtures/import/crossref.json"),
    include_str!("../../../tests/fixtures/import/zotero-csl.json"),
];

fn file(text: &str) -> SourceFile {
    SourceFile {
        name: "p".into(),
        text: text.into(),
    }
}

/// Every problem's span lies inside the file on character boundaries.
fn spans_are_valid(f: &SourceFile, problems: &[crate::diagnostic::Problem]) -> bool {
    problems.iter().all(|p| {
        p.span.start <= p.span.end
            && p.span.end <= f.text.len()
            && f.text.is_char_boundary(p.span.start)
            && f.text.is_char_boundary(p.span.end)
    })
}

#[test]
fn every_prefix_of_every_fixture_parses_without_panicking() {
    for text in FIXTURES {
        let ends = text.char_indices().map(|(i, _)| i).step_by(7);
        for end in ends.chain([text.len()]) {
            let f = file(&text[..end]);
            for format in FORMATS {
                if let Err(problems) = parse(&f, format) {
                    assert!(!problems.is_empty());
                    assert!(spans_are_valid(&f, &problems), "{format:?} at {end}");
                }
            }
        }
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ -~\n\r\t张帆é]{0,40}",
        "(TY  - |ER  -|AU  - |PMID- |      |@article\\{|\\{|\\}|\\[|\\]|\"|,|\n|\r\n|x){0,30}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn parsers_never_panic(text in text_strategy()) {
        let f = file(&text);
        for format in FORMATS {
            if let Err(problems) = parse(&f, format) {
                prop_assert!(!problems.is_empty());
                prop_assert!(spans_are_valid(&f, &problems));
            }
        }
        let _ = ImportFormat::detect("x.txt", &text);
    }

    #[test]
    fn any_text_survives_bibtex_and_hayagriva(
        title in "[ -~张帆é—–]{1,40}",
        family in "[A-Za-z张帆é&_%{}\\\\-]{1,12}",
        abstract_text in "[ -~张]{1,40}",
    ) {
        let mut record = Record::empty(RecordKind::JournalArticle, 0..0);
        let Some(title) = record::clean_title(&title) else { return Ok(()) };
        let Some(family) = record::clean_text(&family) else { return Ok(()) };
        record.title = title;
        record.authors = vec![PersonName::whole(family)];
        record.abstract_text = record::clean_text(&abstract_text);
        record.year = Some(2024);
        let bib = to_bibtex(&record, "k");
        let back = bibtex_in::read(&file(&bib));
        prop_assert!(back.is_ok(), "{bib}");
        let back = back.unwrap_or_default();
        prop_assert_eq!(&back[0].record.title, &record.title, "{}", bib);
        prop_assert_eq!(&back[0].record.authors, &record.authors, "{}", bib);
        prop_assert_eq!(&back[0].record.abstract_text, &record.abstract_text, "{}", bib);
        let library = hayagriva::io::from_biblatex_str(&bib);
        prop_assert!(library.is_ok(), "{bib}");
        let library = library.unwrap_or_default();
        let title = library.get("k").and_then(|e| e.title()).map(|t| t.value.to_str().into_owned());
        prop_assert_eq!(title.as_deref(), Some(record.title.as_str()), "{}", bib);
    }
}
