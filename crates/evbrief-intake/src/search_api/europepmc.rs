//! Europe PMC's REST search (<https://europepmc.org/RestfulWebService>):
//! `GET /search?query=…&format=json&resultType=core&pageSize=1000&cursorMark=*`, answered
//! by `{"hitCount": 2, "nextCursorMark": "…", "resultList": {"result": [ … ]}}`; the next
//! page is asked for with `cursorMark` set to the previous `nextCursorMark`, and the last
//! page repeats the cursor it was asked with. The date range is part of the query:
//! `FIRST_IDATE:[2026-01-01 TO 2026-12-04]`, the day Europe PMC first indexed the record.

use serde_json::Value;

use super::json::{self, array, at, text, without_markup};
use super::{ApiError, Page, Request, SearchSpec};
use crate::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_pmcid,
    clean_pmid, clean_text, clean_title, parse_year_month,
};

/// Results asked for per page (Europe PMC allows up to 1000).
const PAGE_SIZE: u32 = 1000;

/// The query as sent: the saved query, and the index-date range when there is a lower
/// bound.
pub(super) fn query(spec: &SearchSpec) -> String {
    match spec.from {
        Some(from) => format!(
            "({}) AND (FIRST_IDATE:[{} TO {}])",
            spec.query,
            from.iso(),
            spec.to.iso()
        ),
        None => spec.query.clone(),
    }
}

/// The request for the page at `cursor` (`None`: the first).
pub(super) fn request(spec: &SearchSpec, cursor: Option<&str>) -> Request {
    let mut params = vec![
        ("query", query(spec)),
        ("format", "json".to_owned()),
        ("resultType", "core".to_owned()),
        ("pageSize", PAGE_SIZE.to_string()),
        ("cursorMark", cursor.unwrap_or("*").to_owned()),
    ];
    if let Some(email) = &spec.contact {
        params.push(("email", email.clone()));
    }
    Request {
        path: "/search",
        params,
    }
}

/// Reads one page of the answer.
pub(super) fn parse(body: &str) -> Result<Page, ApiError> {
    let value = json::parse(body, "Europe PMC search JSON")?;
    if let Some(message) = text(&value, &["errMsg"]) {
        return Err(ApiError::Refused(message));
    }
    let Some(total) = json::number(&value, &["hitCount"]) else {
        return Err(ApiError::Malformed(
            "no `hitCount` in the Europe PMC answer".into(),
        ));
    };
    let results = match at(&value, &["resultList", "result"]) {
        Some(Value::Array(results)) => results.as_slice(),
        None if total == 0 => &[],
        _ => {
            return Err(ApiError::Malformed(
                "no `resultList.result` list in the Europe PMC answer".into(),
            ));
        }
    };
    Ok(Page {
        records: results.iter().map(record).collect(),
        total: Some(total),
        next: text(&value, &["nextCursorMark"]),
    })
}

/// One result of `resultType=core`.
fn record(r: &Value) -> Record {
    let kind = match text(r, &["source"]).as_deref() {
        Some("PPR") => RecordKind::Other,
        _ => RecordKind::JournalArticle,
    };
    let mut rec = Record::empty(kind, 0..0);
    rec.title = text(r, &["title"])
        .and_then(|t| without_markup(&t))
        .and_then(|t| clean_title(&t))
        .unwrap_or_default();
    rec.authors = array(r, &["authorList", "author"])
        .iter()
        .filter_map(author)
        .collect();
    if rec.authors.is_empty() {
        // `authorString`: "Zhang Y, Li X, UC-MSC Group."
        rec.authors = text(r, &["authorString"])
            .map(|s| {
                s.trim_end_matches('.')
                    .split(", ")
                    .filter_map(short_name)
                    .collect()
            })
            .unwrap_or_default();
    }
    let journal = |k: &str| text(r, &["journalInfo", k]);
    let year = journal("yearOfPublication").or_else(|| text(r, &["pubYear"]));
    (rec.year, rec.month) = year.as_deref().map_or((None, None), parse_year_month);
    if let Some(month) = json::number(r, &["journalInfo", "monthOfPublication"])
        .and_then(|m| u8::try_from(m).ok())
        .filter(|m| (1..=12).contains(m))
    {
        rec.month = Some(month);
    }
    rec.journal = text(r, &["journalInfo", "journal", "title"])
        .or_else(|| text(r, &["bookOrReportDetails", "publisher"]));
    rec.volume = journal("volume");
    rec.issue = journal("issue");
    rec.pages = text(r, &["pageInfo"]).and_then(|p| clean_pages(&p));
    rec.doi = text(r, &["doi"]).and_then(|d| clean_doi(&d));
    rec.pmid = text(r, &["pmid"]).and_then(|p| clean_pmid(&p));
    rec.pmcid = text(r, &["pmcid"]).and_then(|p| clean_pmcid(&p));
    rec.language = text(r, &["language"]).and_then(|l| clean_language(&l));
    rec.abstract_text = text(r, &["abstractText"]).and_then(|a| without_markup(&a));
    rec.keywords = array(r, &["keywordList", "keyword"])
        .iter()
        .filter_map(|k| k.as_str().and_then(clean_text))
        .collect();
    rec
}

/// An entry of `authorList.author`: a person (`lastName`, `firstName`) or a group
/// (`collectiveName`).
fn author(a: &Value) -> Option<PersonName> {
    if let Some(group) = text(a, &["collectiveName"]) {
        return Some(PersonName::whole(group));
    }
    match (text(a, &["lastName"]), text(a, &["firstName"])) {
        (Some(family), given) => Some(PersonName {
            family,
            given: given.or_else(|| text(a, &["initials"])),
        }),
        (None, _) => text(a, &["fullName"]).and_then(|n| short_name(&n)),
    }
}

/// `Zhang Y` (family name and initials) or a name kept whole.
fn short_name(name: &str) -> Option<PersonName> {
    let name = clean_text(name)?;
    match name.rsplit_once(' ') {
        Some((family, initials))
            if initials.len() <= 4 && initials.bytes().all(|b| b.is_ascii_uppercase()) =>
        {
            Some(PersonName {
                family: family.to_owned(),
                given: Some(initials.to_owned()),
            })
        }
        _ => Some(PersonName::whole(name)),
    }
}
