//! RIS, the tagged format of EndNote, Zotero, CNKI and publishers' "download
//! citation" links: one `XX  - value` line per field, `TY  - ` opens a record and
//! `ER  - ` closes it.
//!
//! Tolerated, because real exports do it: a UTF-8 byte order mark, CRLF endings,
//! `ER  -` without its trailing space, blank lines anywhere, several authors on one
//! `AU` line separated by `;` (CNKI), keywords joined by `;`.
//!
//! Strict RIS has no continuation lines. Some exporters nevertheless wrap long
//! abstracts and notes, so an untagged line right after `AB`, `N1` or `N2` is taken
//! as more of that field; an untagged line anywhere else in a record is a problem,
//! since it usually means a damaged file and guessing would put text in the wrong
//! field.

use crate::diagnostic::{Problem, SourceFile};

use super::lines::{Line, lines};
use super::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_pmcid,
    clean_pmid, clean_text, clean_title, mentions_registry, parse_year_month,
};

/// Fields whose text may continue on untagged lines (see the module notes).
const CONTINUED: [&str; 3] = ["AB", "N1", "N2"];

/// Whether a line is a RIS tag line: two characters (a capital letter, then a
/// capital or digit), two spaces, a hyphen, then a space or the end of the line.
pub(crate) fn is_tag_line(line: &str) -> bool {
    let b = line.as_bytes();
    b.len() >= 5
        && b[0].is_ascii_uppercase()
        && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
        && &b[2..5] == b"  -"
        && (b.len() == 5 || b[5] == b' ')
}

/// One field of a record being read.
struct Field<'a> {
    tag: &'a str,
    value: String,
}

/// A record between its `TY` and `ER` lines.
struct Open<'a> {
    ty_line: Line<'a>,
    end: usize,
    fields: Vec<Field<'a>>,
}

/// Reads every record; returns the records (titles may be empty) and every problem.
pub(crate) fn read(file: &SourceFile) -> (Vec<Record>, Vec<Problem>) {
    let text: &str = &file.text;
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut open: Option<Open> = None;
    for line in lines(text) {
        if !is_tag_line(line.text) {
            if line.text.trim().is_empty() {
                continue;
            }
            let inside = open.is_some();
            let continued = open.as_mut().and_then(|rec| {
                rec.fields
                    .last_mut()
                    .filter(|f| CONTINUED.contains(&f.tag))
                    .map(|f| (f, &mut rec.end))
            });
            let span = line.start..line.end();
            match (continued, inside) {
                (Some((field, end)), _) => {
                    field.value.push(' ');
                    field.value.push_str(line.text.trim());
                    *end = line.end();
                }
                (None, true) => problems.push(Problem::new(
                    file,
                    span,
                    "not a RIS tag line (expected `XX  - value`; only `AB`, `N1` and `N2` \
                     may continue on untagged lines)",
                )),
                (None, false) => problems.push(Problem::new(
                    file,
                    span,
                    "text outside a record (records start with `TY  - `)",
                )),
            }
            continue;
        }
        let tag = &line.text[..2];
        let value = line.text.get(6..).unwrap_or_default().trim();
        match tag {
            "TY" => {
                if let Some(rec) = open.take() {
                    problems.push(Problem::new(
                        file,
                        rec.ty_line.start..rec.ty_line.end(),
                        "record has no `ER  - ` end tag before the next `TY`",
                    ));
                    records.push(build(rec));
                }
                open = Some(Open {
                    ty_line: line,
                    end: line.end(),
                    fields: vec![Field {
                        tag,
                        value: value.to_string(),
                    }],
                });
            }
            "ER" => match open.take() {
                Some(mut rec) => {
                    rec.end = line.end();
                    records.push(build(rec));
                }
                None => problems.push(Problem::new(
                    file,
                    line.start..line.end(),
                    "`ER` without an open record",
                )),
            },
            _ => match open.as_mut() {
                Some(rec) => {
                    rec.fields.push(Field {
                        tag,
                        value: value.to_string(),
                    });
                    rec.end = line.end();
                }
                None => problems.push(Problem::new(
                    file,
                    line.start..line.end(),
                    format!("tag `{tag}` outside a record (records start with `TY  - `)"),
                )),
            },
        }
    }
    if let Some(rec) = open.take() {
        problems.push(Problem::new(
            file,
            rec.ty_line.start..rec.ty_line.end(),
            "record has no `ER  - ` end tag (the file ends first)",
        ));
        records.push(build(rec));
    }
    (records, problems)
}

/// The record kind for a RIS `TY` value.
fn kind_of(ty: &str) -> RecordKind {
    match ty.trim().to_ascii_uppercase().as_str() {
        "JOUR" | "JFULL" | "EJOUR" | "MGZN" | "INPR" | "ABST" => RecordKind::JournalArticle,
        "CONF" | "CPAPER" => RecordKind::ConferencePaper,
        "BOOK" | "EBOOK" | "EDBOOK" => RecordKind::Book,
        "CHAP" | "ECHAP" => RecordKind::BookChapter,
        "THES" => RecordKind::Thesis,
        "RPRT" | "GOVDOC" => RecordKind::Report,
        "ELEC" | "WEB" | "ICOMM" | "BLOG" => RecordKind::Web,
        _ => RecordKind::Other,
    }
}

/// Builds a record from its fields, the first value of a tag winning where only one fits.
fn build(rec: Open) -> Record {
    let get = |tags: &[&str]| -> Option<&str> {
        tags.iter().find_map(|t| {
            rec.fields
                .iter()
                .find(|f| f.tag == *t && !f.value.trim().is_empty())
                .map(|f| f.value.as_str())
        })
    };
    let all = |tag: &'static str| rec.fields.iter().filter(move |f| f.tag == tag);
    let ty = get(&["TY"]).unwrap_or_default();
    let mut r = Record::empty(kind_of(ty), rec.ty_line.start..rec.end);

    let main_title = get(&["TI", "T1", "CT"])
        .or_else(|| (r.kind == RecordKind::Book).then(|| get(&["BT"])).flatten())
        .and_then(clean_title);
    let translated = get(&["TT"]).and_then(clean_title);
    (r.title, r.original_title) = match (main_title, translated) {
        (Some(original), Some(english)) if original != english => (english, Some(original)),
        (Some(t), _) | (None, Some(t)) => (t, None),
        (None, None) => (String::new(), None),
    };

    r.authors = rec
        .fields
        .iter()
        .filter(|f| f.tag == "AU" || f.tag == "A1")
        .flat_map(|f| f.value.split([';', '；']))
        .filter_map(PersonName::parse_inverted)
        .collect();

    let container: &[&str] = match r.kind {
        RecordKind::Book => &["JF", "JO"],
        _ => &["T2", "JF", "JO", "BT", "JA", "J2"],
    };
    r.journal = get(container).and_then(clean_text);

    let (py_year, py_month) = get(&["PY", "Y1"]).map_or((None, None), parse_year_month);
    let (da_year, da_month) = get(&["DA", "Y2"]).map_or((None, None), parse_year_month);
    r.year = py_year.or(da_year);
    r.month = da_month.or(py_month);

    r.volume = get(&["VL"]).and_then(clean_text);
    r.issue = get(&["IS", "CP"]).and_then(clean_text);
    r.pages = match (get(&["SP"]), get(&["EP"])) {
        (Some(sp), Some(ep)) if !sp.contains('-') => clean_pages(&format!("{sp}-{ep}")),
        (Some(sp), _) => clean_pages(sp),
        (None, _) => None,
    };
    r.publisher = get(&["PB"]).and_then(clean_text);
    r.doi = ["DO", "DI", "M3"]
        .iter()
        .flat_map(|t| all(t))
        .find_map(|f| clean_doi(&f.value));
    r.url = get(&["UR", "L2"]).and_then(clean_text);
    let from_pubmed = ["DB", "DP"].iter().flat_map(|t| all(t)).any(|f| {
        let v = f.value.to_ascii_lowercase();
        v.contains("pubmed") || v.contains("medline") || v.contains("nlm")
    });
    r.pmid = all("AN").find_map(|f| {
        let v = f.value.trim();
        match v.strip_prefix("PMID:") {
            Some(id) => clean_pmid(id),
            None if from_pubmed => clean_pmid(v),
            None => None,
        }
    });
    r.pmcid = ["C2", "AN", "M2"]
        .iter()
        .flat_map(|t| all(t))
        .find_map(|f| clean_pmcid(&f.value));
    r.language = get(&["LA"]).and_then(clean_language);
    r.abstract_text = get(&["AB", "N2"]).and_then(clean_text);
    r.keywords = all("KW")
        .flat_map(|f| f.value.split([';', '；']))
        .filter_map(clean_text)
        .collect();

    if matches!(r.kind, RecordKind::Web | RecordKind::Other)
        && ["AN", "UR", "M1", "ID", "TI", "T1"]
            .iter()
            .flat_map(|t| all(t))
            .any(|f| mentions_registry(&f.value))
    {
        r.kind = RecordKind::RegistryRecord;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "t.ris".into(),
            text: text.into(),
        }
    }

    #[test]
    fn tag_lines_need_two_spaces_and_a_hyphen() {
        assert!(is_tag_line("TY  - JOUR"));
        assert!(is_tag_line("ER  -"));
        assert!(is_tag_line("A1  - Li, Wei"));
        assert!(!is_tag_line("TY - JOUR"));
        assert!(!is_tag_line("ty  - JOUR"));
        assert!(!is_tag_line("TY  -JOUR"));
        assert!(!is_tag_line("1A  - x"));
    }

    #[test]
    fn fields_map_and_pages_join() {
        let f = file(
            "TY  - JOUR\nT1  - A trial\nA1  - Lu, Jing\nAU  - World Health Organization\n\
             JO  - Stem Cell Res Ther\nT2  - Stem Cell Research & Therapy\nY1  - 2021/07/26/\n\
             VL  - 12\nIS  - 1\nSP  - 415\nEP  - 427\nDO  - https://doi.org/10.1186/S13287-021-02481-8\n\
             UR  - https://example.org/a\nUR  - https://example.org/b\nLA  - en\n\
             KW  - stem cells\nKW  - diabetes; insulin\nPB  - BMC\nER  - \n",
        );
        let (records, problems) = read(&f);
        assert!(problems.is_empty(), "{problems:?}");
        let r = &records[0];
        assert_eq!(r.kind, RecordKind::JournalArticle);
        assert_eq!(r.title, "A trial");
        assert_eq!(
            r.authors,
            [
                PersonName {
                    family: "Lu".into(),
                    given: Some("Jing".into())
                },
                PersonName::whole("World Health Organization")
            ]
        );
        assert_eq!(r.journal.as_deref(), Some("Stem Cell Research & Therapy"));
        assert_eq!((r.year, r.month), (Some(2021), Some(7)));
        assert_eq!(r.pages.as_deref(), Some("415-427"));
        assert_eq!(r.doi.as_deref(), Some("10.1186/S13287-021-02481-8"));
        assert_eq!(r.url.as_deref(), Some("https://example.org/a"));
        assert_eq!(r.language.as_deref(), Some("english"));
        assert_eq!(r.keywords, ["stem cells", "diabetes", "insulin"]);
        assert_eq!(r.publisher.as_deref(), Some("BMC"));
        assert_eq!(r.span, 0..f.text.len() - 1);
    }

    #[test]
    fn translated_title_becomes_the_title() {
        let f = file("TY  - JOUR\nTI  - 脐带间充质干细胞\nTT  - Umbilical cord MSCs\nER  -\n");
        let (records, _) = read(&f);
        assert_eq!(records[0].title, "Umbilical cord MSCs");
        assert_eq!(
            records[0].original_title.as_deref(),
            Some("脐带间充质干细胞")
        );
    }

    #[test]
    fn abstracts_continue_on_untagged_lines_other_fields_do_not() {
        let f = file(
            "TY  - JOUR\nTI  - T\nAB  - First part\n  second part.\nPY  - 2020\nstray text\nER  - \n",
        );
        let (records, problems) = read(&f);
        assert_eq!(
            records[0].abstract_text.as_deref(),
            Some("First part second part.")
        );
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line_col(), (6, 1));
        assert!(problems[0].message.starts_with("not a RIS tag line"));
    }

    #[test]
    fn pmid_from_accession_number_only_for_pubmed_records() {
        let f = file(
            "TY  - JOUR\nTI  - A\nAN  - 37583848\nDB  - PubMed\nER  - \n\
             TY  - JOUR\nTI  - B\nAN  - 123456\nER  - \n\
             TY  - JOUR\nTI  - C\nAN  - PMID:42\nC2  - PMCID: PMC10410923\nER  - \n",
        );
        let (records, _) = read(&f);
        let pmids: Vec<_> = records.iter().map(|r| r.pmid.as_deref()).collect();
        assert_eq!(pmids, [Some("37583848"), None, Some("42")]);
        assert_eq!(records[2].pmcid.as_deref(), Some("PMC10410923"));
    }

    #[test]
    fn registry_records_are_recognised_by_their_number() {
        let f = file(
            "TY  - ELEC\nTI  - UC-MSC for T2DM\nUR  - https://clinicaltrials.gov/study/NCT04216849\nER  - \n\
             TY  - ELEC\nTI  - A blog\nUR  - https://example.org\nER  - \n",
        );
        let (records, _) = read(&f);
        assert_eq!(records[0].kind, RecordKind::RegistryRecord);
        assert_eq!(records[1].kind, RecordKind::Web);
    }

    #[test]
    fn structural_problems_are_all_reported() {
        let f = file("AU  - Orphan\nTY  - JOUR\nTI  - A\nTY  - JOUR\nTI  - B\nER  - \nER  - \n");
        let (records, problems) = read(&f);
        assert_eq!(records.len(), 2);
        let got: Vec<_> = problems
            .iter()
            .map(|p| (p.line_col().0, p.message.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, "tag `AU` outside a record (records start with `TY  - `)"),
                (2, "record has no `ER  - ` end tag before the next `TY`"),
                (7, "`ER` without an open record"),
            ]
        );
    }
}
