//! PubMed through NCBI's E-utilities (<https://www.ncbi.nlm.nih.gov/books/NBK25499/>):
//! `esearch.fcgi` (`db=pubmed`, `term`, `datetype=edat`, `mindate`/`maxdate`,
//! `retmode=json`, paged by `retstart`/`retmax`) lists the PMIDs, whose answer is
//! `{"esearchresult": {"count": "2", "idlist": ["…", "…"]}}`; then `efetch.fcgi`
//! (`rettype=medline&retmode=text`, PMIDs comma-separated in `id`) returns the records in
//! MEDLINE format, read by the MEDLINE reader. Every request carries `tool` and `email`
//! (NCBI asks for both) and `api_key` when there is one.

use super::json;
use super::{ApiError, Request, SearchSpec, TOOL};
use crate::diagnostic::SourceFile;
use crate::record::{Record, clean_pmid};

/// PMIDs asked for per `esearch` page (E-utilities allows up to 10 000).
pub(super) const ESEARCH_PAGE: u64 = 1000;

/// E-utilities pages `esearch` through the first 10 000 PMIDs only.
pub(super) const ESEARCH_MAX: u64 = 10_000;

/// PMIDs per `efetch` request: short enough for a GET address.
pub(super) const EFETCH_BATCH: usize = 200;

/// The parameters every E-utilities request carries.
fn common(spec: &SearchSpec, params: &mut Vec<(&'static str, String)>) {
    params.push(("tool", TOOL.to_owned()));
    if let Some(email) = &spec.contact {
        params.push(("email", email.clone()));
    }
    if let Some(key) = &spec.api_key {
        params.push(("api_key", key.clone()));
    }
}

/// The `esearch` request for the page starting at `retstart`.
pub(super) fn esearch(spec: &SearchSpec, retstart: u64) -> Request {
    let mut params = vec![
        ("db", "pubmed".to_owned()),
        ("term", spec.query.clone()),
        ("retmode", "json".to_owned()),
        ("retstart", retstart.to_string()),
        ("retmax", ESEARCH_PAGE.to_string()),
        ("datetype", "edat".to_owned()),
    ];
    // E-utilities takes a date range only with both ends.
    if let Some(from) = spec.from {
        params.push(("mindate", from.slashed()));
        params.push(("maxdate", spec.to.slashed()));
    }
    common(spec, &mut params);
    Request {
        path: "/esearch.fcgi",
        params,
    }
}

/// The `efetch` request for a batch of PMIDs.
pub(super) fn efetch(spec: &SearchSpec, ids: &[String]) -> Request {
    let mut params = vec![
        ("db", "pubmed".to_owned()),
        ("id", ids.join(",")),
        ("rettype", "medline".to_owned()),
        ("retmode", "text".to_owned()),
    ];
    common(spec, &mut params);
    Request {
        path: "/efetch.fcgi",
        params,
    }
}

/// One page of `esearch`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct EsearchPage {
    /// PMIDs matching in all.
    pub count: u64,
    /// The PMIDs on this page.
    pub ids: Vec<String>,
}

/// Reads an `esearch` JSON answer.
pub(super) fn parse_esearch(body: &str) -> Result<EsearchPage, ApiError> {
    let value = json::parse(body, "E-utilities esearch JSON")?;
    if let Some(message) = json::text(&value, &["error"]) {
        return Err(ApiError::Refused(message));
    }
    let Some(result) = json::at(&value, &["esearchresult"]) else {
        return Err(ApiError::Malformed(
            "no `esearchresult` in the esearch answer".into(),
        ));
    };
    if let Some(message) = json::text(result, &["ERROR"]) {
        return Err(ApiError::Refused(message));
    }
    let Some(count) = json::number(result, &["count"]) else {
        return Err(ApiError::Malformed(
            "no `esearchresult.count` in the esearch answer".into(),
        ));
    };
    let Some(list) = json::at(result, &["idlist"]).and_then(|v| v.as_array()) else {
        return Err(ApiError::Malformed(
            "no `esearchresult.idlist` in the esearch answer".into(),
        ));
    };
    let mut ids = Vec::with_capacity(list.len());
    for id in list {
        match id.as_str().and_then(clean_pmid) {
            Some(id) => ids.push(id),
            None => {
                return Err(ApiError::Malformed(format!(
                    "`{id}` in `esearchresult.idlist` is not a PMID"
                )));
            }
        }
    }
    Ok(EsearchPage { count, ids })
}

/// Reads an `efetch` MEDLINE answer: the records with a title, and how many had none.
pub(super) fn parse_efetch(body: &str) -> Result<(Vec<Record>, usize), ApiError> {
    let file = SourceFile {
        name: "efetch".into(),
        text: body.into(),
    };
    let (records, problems) = crate::medline::read(&file);
    if let Some(p) = problems.first() {
        let (line, _) = p.line_col();
        return Err(ApiError::Malformed(format!(
            "efetch answer line {line}: {}",
            p.message
        )));
    }
    if records.is_empty() || records.iter().any(|r| r.pmid.is_none()) {
        return Err(ApiError::Malformed(
            "the efetch answer holds no MEDLINE records with a PMID".into(),
        ));
    }
    let untitled = records.iter().filter(|r| r.title.is_empty()).count();
    Ok((
        records
            .into_iter()
            .filter(|r| !r.title.is_empty())
            .collect(),
        untitled,
    ))
}
