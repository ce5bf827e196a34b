//! PubMed's MEDLINE tagged format ("Save → Format: PubMed", `.nbib`): a tag of up
//! to four characters padded to four, `- `, the value; long values continue on lines
//! indented by six spaces; records are separated by blank lines.
//!
//! Titles: for articles not in English PubMed's `TI` is the English translation and
//! `TT` the title in the original language. The brief is written in English and the
//! curated `data/references.bib` cites such articles under the English title with the
//! original in `titleaddon`, so `TI` becomes [`Record::title`] and `TT`
//! [`Record::original_title`]. Authors come from `FAU` (full names) when present,
//! else from `AU` (`Zhao J`); collective names (`CN`) keep their place in the list.

use crate::diagnostic::{Problem, SourceFile};

use super::lines::lines;
use super::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_pmcid,
    clean_pmid, clean_text, clean_title, parse_year_month,
};

/// One tagged field; `value` includes its continuation lines.
struct Field<'a> {
    tag: &'a str,
    value: String,
}

/// A record being read: its fields and byte range.
struct Open<'a> {
    start: usize,
    end: usize,
    fields: Vec<Field<'a>>,
}

/// The tag of a MEDLINE tag line (`PMID- 1`, `TI  - x`, `AU  -`), or `None`.
fn tag_of(line: &str) -> Option<&str> {
    let head = line.get(..4)?;
    let rest = &line[4..];
    let head_ok = head.bytes().next().is_some_and(|b| b.is_ascii_uppercase())
        && head
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b' ');
    (head_ok && (rest == "-" || rest.starts_with("- "))).then(|| head.trim_end())
}

/// Reads every record; returns the records (titles may be empty) and every problem.
pub(crate) fn read(file: &SourceFile) -> (Vec<Record>, Vec<Problem>) {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut open: Option<Open> = None;
    for line in lines(&file.text) {
        let span = line.start..line.end();
        if line.text.trim().is_empty() {
            if let Some(rec) = open.take() {
                records.push(build(rec));
            }
        } else if let Some(tag) = tag_of(line.text) {
            let value = line.text.get(6..).unwrap_or_default().trim().to_string();
            let rec = open.get_or_insert_with(|| Open {
                start: line.start,
                end: line.end(),
                fields: Vec::new(),
            });
            rec.fields.push(Field { tag, value });
            rec.end = line.end();
        } else if line.text.starts_with(' ') || line.text.starts_with('\t') {
            match open.as_mut().and_then(|rec| {
                let end = &mut rec.end;
                rec.fields.last_mut().map(|f| (f, end))
            }) {
                Some((field, end)) => {
                    field.value.push(' ');
                    field.value.push_str(line.text.trim());
                    *end = line.end();
                }
                None => problems.push(Problem::new(
                    file,
                    span,
                    "continuation line before any tag (a record starts with a tag line such as `PMID- `)",
                )),
            }
        } else {
            problems.push(Problem::new(
                file,
                span,
                "not a MEDLINE line (expected `TAG - value` or a continuation indented by six spaces)",
            ));
        }
    }
    if let Some(rec) = open.take() {
        records.push(build(rec));
    }
    (records, problems)
}

/// An `AU` name (`Zhao J`, `van der Berg AB`): family name and initials when the
/// last word is initials, else the whole name.
fn short_name(text: &str) -> Option<PersonName> {
    let text = clean_text(text)?;
    match text.rsplit_once(' ') {
        Some((family, initials))
            if initials.len() <= 4 && initials.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Some(PersonName {
                family: family.to_string(),
                given: Some(initials.to_string()),
            })
        }
        _ => Some(PersonName::whole(text)),
    }
}

/// Builds a record from its fields, the first value of a tag winning where only one fits.
fn build(rec: Open) -> Record {
    let get = |tags: &[&str]| -> Option<&str> {
        tags.iter().find_map(|t| {
            rec.fields
                .iter()
                .find(|f| f.tag == *t && !f.value.is_empty())
                .map(|f| f.value.as_str())
        })
    };
    let all = |tag: &'static str| rec.fields.iter().filter(move |f| f.tag == tag);
    let book_title = get(&["BTI"]).and_then(clean_title);
    let title = get(&["TI"]).and_then(clean_title);
    let kind = match (&title, &book_title) {
        (Some(_), Some(_)) => RecordKind::BookChapter,
        (None, Some(_)) => RecordKind::Book,
        _ => RecordKind::JournalArticle,
    };
    let mut r = Record::empty(kind, rec.start..rec.end);
    r.title = title.clone().or(book_title.clone()).unwrap_or_default();
    r.original_title = get(&["TT"]).and_then(clean_title).filter(|t| *t != r.title);

    let full_names = rec.fields.iter().any(|f| f.tag == "FAU");
    r.authors = rec
        .fields
        .iter()
        .filter_map(|f| match f.tag {
            "FAU" if full_names => PersonName::parse_inverted(&f.value),
            "AU" if !full_names => short_name(&f.value),
            "CN" => clean_text(&f.value).map(PersonName::whole),
            _ => None,
        })
        .collect();

    (r.year, r.month) = get(&["DP"]).map_or((None, None), parse_year_month);
    r.journal = if kind == RecordKind::BookChapter {
        book_title
    } else {
        get(&["JT", "TA"]).and_then(clean_text)
    };
    r.volume = get(&["VI"]).and_then(clean_text);
    r.issue = get(&["IP"]).and_then(clean_text);
    r.pages = get(&["PG"]).and_then(clean_pages);
    r.publisher = get(&["PB"]).and_then(clean_text);
    r.doi = all("LID")
        .chain(all("AID"))
        .filter_map(|f| f.value.trim().strip_suffix("[doi]"))
        .find_map(clean_doi);
    r.pmid = get(&["PMID"]).and_then(clean_pmid);
    r.pmcid = get(&["PMC"]).and_then(clean_pmcid);
    r.language = get(&["LA"]).and_then(clean_language);
    r.abstract_text = get(&["AB"]).and_then(clean_text);
    r.keywords = all("OT").filter_map(|f| clean_text(&f.value)).collect();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "t.nbib".into(),
            text: text.into(),
        }
    }

    #[test]
    fn tags_are_four_characters_padded() {
        assert_eq!(tag_of("PMID- 37583848"), Some("PMID"));
        assert_eq!(tag_of("FAU - Lian, Xiao-Fen"), Some("FAU"));
        assert_eq!(tag_of("TI  - Title"), Some("TI"));
        assert_eq!(tag_of("AU  -"), Some("AU"));
        assert_eq!(tag_of("      continued"), None);
        assert_eq!(tag_of("TI - x"), None);
        assert_eq!(tag_of("ab  - x"), None);
    }

    #[test]
    fn short_names_split_off_initials_only() {
        assert_eq!(
            short_name("van der Berg AB"),
            Some(PersonName {
                family: "van der Berg".into(),
                given: Some("AB".into())
            })
        );
        assert_eq!(
            short_name("Cytopeutics Group"),
            Some(PersonName::whole("Cytopeutics Group"))
        );
    }

    #[test]
    fn au_is_used_without_fau_and_cn_keeps_its_place() {
        let f = file(
            "PMID- 1\nTI  - A.\nAU  - Chin SP\nCN  - UC-MSC Study Group\nAU  - Kee LT\nDP  - 2025 Feb\n\
             PG  - 100-9\nLID - 10.1/ABC [doi]\nLID - S1 [pii]\n",
        );
        let (records, problems) = read(&f);
        assert!(problems.is_empty());
        let r = &records[0];
        let names: Vec<_> = r.authors.iter().map(|a| a.family.as_str()).collect();
        assert_eq!(names, ["Chin", "UC-MSC Study Group", "Kee"]);
        assert_eq!(r.authors[0].given.as_deref(), Some("SP"));
        assert_eq!((r.year, r.month), (Some(2025), Some(2)));
        assert_eq!(r.pages.as_deref(), Some("100-109"));
        assert_eq!(r.doi.as_deref(), Some("10.1/ABC"));
    }

    #[test]
    fn continuation_lines_join_and_crlf_is_tolerated() {
        let f = file("PMID- 2\r\nTI  - A long\r\n      title.\r\nAB  - One\r\n      two.\r\n");
        let (records, _) = read(&f);
        assert_eq!(records[0].title, "A long title");
        assert_eq!(records[0].abstract_text.as_deref(), Some("One two."));
        assert_eq!(records[0].span, 0..f.text.len() - 2);
    }

    #[test]
    fn bad_lines_are_all_reported_with_their_lines() {
        let f = file("      orphan\nPMID- 3\nTI  - T\nnot a tag\n\n      orphan again\n");
        let (_, problems) = read(&f);
        let lines: Vec<_> = problems.iter().map(|p| p.line_col().0).collect();
        assert_eq!(lines, [1, 4, 6]);
        assert!(problems[1].message.starts_with("not a MEDLINE line"));
    }
}
