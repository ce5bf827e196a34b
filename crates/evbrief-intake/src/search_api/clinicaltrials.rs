//! The ClinicalTrials.gov registry, API v2 (<https://clinicaltrials.gov/data-api/api>):
//! `GET /studies?query.term=…&filter.advanced=AREA[StudyFirstPostDate]RANGE[2026-01-01,2026-12-04]&pageSize=1000&countTotal=true&format=json`,
//! answered by `{"totalCount": 2, "studies": [{"protocolSection": { … }}],
//! "nextPageToken": "…"}` (`totalCount` on the first page only); the next page is asked
//! for with `pageToken`, and the last page has no `nextPageToken`.
//!
//! A registration becomes an `@online` record: its brief title, the lead sponsor as
//! author, the year it was first posted, and `https://clinicaltrials.gov/study/NCT…` as
//! its address (which carries the NCT id the duplicate check compares).

use serde_json::Value;

use super::json::{self, array, text};
use super::{ApiError, Page, Request, SearchSpec};
use crate::record::{PersonName, Record, RecordKind, clean_text, clean_title, parse_year_month};

/// Studies asked for per page (the API allows up to 1000).
const PAGE_SIZE: u32 = 1000;

/// The `filter.advanced` parameter: the first-posted date range.
pub(super) fn date_filter(spec: &SearchSpec) -> String {
    let from = spec.from.map_or_else(|| "MIN".to_owned(), |d| d.iso());
    format!("AREA[StudyFirstPostDate]RANGE[{from},{}]", spec.to.iso())
}

/// The request for the page at `token` (`None`: the first).
pub(super) fn request(spec: &SearchSpec, token: Option<&str>) -> Request {
    let mut params = vec![
        ("query.term", spec.query.clone()),
        ("filter.advanced", date_filter(spec)),
        ("pageSize", PAGE_SIZE.to_string()),
        ("countTotal", "true".to_owned()),
        ("format", "json".to_owned()),
    ];
    if let Some(token) = token {
        params.push(("pageToken", token.to_owned()));
    }
    Request {
        path: "/studies",
        params,
    }
}

/// Reads one page of the answer.
pub(super) fn parse(body: &str) -> Result<Page, ApiError> {
    let value = json::parse(body, "ClinicalTrials.gov studies JSON")?;
    let Some(Value::Array(studies)) = value.get("studies") else {
        return Err(ApiError::Malformed(
            "no `studies` list in the ClinicalTrials.gov answer".into(),
        ));
    };
    let mut records = Vec::with_capacity(studies.len());
    for (i, study) in studies.iter().enumerate() {
        records.push(record(study).ok_or_else(|| {
            ApiError::Malformed(format!(
                "`studies[{i}]` has no `protocolSection.identificationModule.nctId`"
            ))
        })?);
    }
    Ok(Page {
        records,
        total: json::number(&value, &["totalCount"]),
        next: text(&value, &["nextPageToken"]),
    })
}

/// The address of a registration.
pub fn study_url(nct: &str) -> String {
    format!("https://clinicaltrials.gov/study/{nct}")
}

/// One study; `None` without an NCT id.
fn record(study: &Value) -> Option<Record> {
    let p = study.get("protocolSection")?;
    let id = |k: &str| text(p, &["identificationModule", k]);
    let nct = id("nctId").filter(|n| {
        n.len() == 11 && n.starts_with("NCT") && n[3..].bytes().all(|b| b.is_ascii_digit())
    })?;
    let mut rec = Record::empty(RecordKind::RegistryRecord, 0..0);
    rec.title = id("briefTitle")
        .or_else(|| id("officialTitle"))
        .and_then(|t| clean_title(&t))
        .unwrap_or_default();
    rec.authors = text(p, &["sponsorCollaboratorsModule", "leadSponsor", "name"])
        .or_else(|| text(p, &["identificationModule", "organization", "fullName"]))
        .map(PersonName::whole)
        .into_iter()
        .collect();
    let posted = text(p, &["statusModule", "studyFirstPostDateStruct", "date"])
        .or_else(|| text(p, &["statusModule", "studyFirstSubmitDate"]));
    (rec.year, rec.month) = posted.as_deref().map_or((None, None), parse_year_month);
    rec.journal = Some("ClinicalTrials.gov".to_owned());
    rec.abstract_text = text(p, &["descriptionModule", "briefSummary"]);
    rec.keywords = array(p, &["conditionsModule", "conditions"])
        .iter()
        .chain(array(p, &["conditionsModule", "keywords"]))
        .filter_map(|k| k.as_str().and_then(clean_text))
        .collect();
    rec.url = Some(study_url(&nct));
    Some(rec)
}
