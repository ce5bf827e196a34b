//! Crossref's REST `works` route (<https://api.crossref.org/swagger-ui/index.html>):
//! `GET /works?query=…&filter=from-index-date:2026-01-01,until-index-date:2026-12-04&rows=500&cursor=*&mailto=…`,
//! answered by `{"status": "ok", "message": {"total-results": 2, "next-cursor": "…",
//! "items": [ … ]}}`; paging goes on with `cursor` set to `next-cursor` until a page has
//! no items. `mailto` puts the requests into Crossref's polite pool.

use serde_json::Value;

use super::json::{self, array, at, text, without_markup};
use super::{ApiError, Page, Request, SearchSpec};
use crate::record::{
    PersonName, Record, RecordKind, clean_doi, clean_language, clean_pages, clean_text, clean_title,
};

/// Items asked for per page (Crossref allows up to 1000).
const ROWS: u32 = 500;

/// The `filter` parameter: the index-date range.
pub(super) fn filter(spec: &SearchSpec) -> String {
    let until = format!("until-index-date:{}", spec.to.iso());
    match spec.from {
        Some(from) => format!("from-index-date:{},{until}", from.iso()),
        None => until,
    }
}

/// The request for the page at `cursor` (`None`: the first).
pub(super) fn request(spec: &SearchSpec, cursor: Option<&str>) -> Request {
    let mut params = vec![
        ("query", spec.query.clone()),
        ("filter", filter(spec)),
        ("rows", ROWS.to_string()),
        ("cursor", cursor.unwrap_or("*").to_owned()),
    ];
    if let Some(email) = &spec.contact {
        params.push(("mailto", email.clone()));
    }
    Request {
        path: "/works",
        params,
    }
}

/// Reads one page of the answer.
pub(super) fn parse(body: &str) -> Result<Page, ApiError> {
    let value = json::parse(body, "Crossref works JSON")?;
    if text(&value, &["status"]).as_deref() == Some("failed") {
        let message = array(&value, &["message"])
            .iter()
            .filter_map(|m| text(m, &["message"]))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ApiError::Refused(if message.is_empty() {
            "status: failed".into()
        } else {
            message
        }));
    }
    let Some(message) = at(&value, &["message"]).filter(|m| m.is_object()) else {
        return Err(ApiError::Malformed(
            "no `message` object in the Crossref answer".into(),
        ));
    };
    let Some(Value::Array(items)) = message.get("items") else {
        return Err(ApiError::Malformed(
            "no `message.items` list in the Crossref answer".into(),
        ));
    };
    Ok(Page {
        records: items.iter().map(record).collect(),
        total: json::number(message, &["total-results"]),
        next: text(message, &["next-cursor"]),
    })
}

/// The first string of a list field (`title`, `container-title`).
fn first(item: &Value, key: &str) -> Option<String> {
    array(item, &[key])
        .iter()
        .find_map(|v| v.as_str().and_then(clean_text))
}

/// One work.
fn record(item: &Value) -> Record {
    let kind = match text(item, &["type"]).as_deref() {
        Some("proceedings-article") => RecordKind::ConferencePaper,
        Some("book" | "monograph" | "edited-book") => RecordKind::Book,
        Some("book-chapter" | "book-section" | "book-part") => RecordKind::BookChapter,
        Some("dissertation") => RecordKind::Thesis,
        Some("report") => RecordKind::Report,
        Some("journal-article") | None => RecordKind::JournalArticle,
        Some(_) => RecordKind::Other,
    };
    let mut rec = Record::empty(kind, 0..0);
    rec.title = first(item, "title")
        .and_then(|t| without_markup(&t))
        .and_then(|t| clean_title(&t))
        .unwrap_or_default();
    rec.authors = array(item, &["author"])
        .iter()
        .filter_map(|a| match (text(a, &["family"]), text(a, &["name"])) {
            (Some(family), _) => Some(PersonName {
                family,
                given: text(a, &["given"]),
            }),
            (None, Some(name)) => Some(PersonName::whole(name)),
            _ => None,
        })
        .collect();
    // `issued` is the earliest of print and online publication.
    let parts = ["issued", "published-print", "published-online", "created"]
        .iter()
        .find_map(|k| {
            array(item, &[k, "date-parts"])
                .first()
                .and_then(Value::as_array)
                .filter(|p| p.first().is_some_and(Value::is_number))
        });
    if let Some(parts) = parts {
        rec.year = parts
            .first()
            .and_then(Value::as_i64)
            .and_then(|y| i32::try_from(y).ok());
        rec.month = parts
            .get(1)
            .and_then(Value::as_u64)
            .and_then(|m| u8::try_from(m).ok())
            .filter(|m| (1..=12).contains(m));
    }
    // Crossref escapes `&` in container titles ("Research &amp; Therapy").
    rec.journal = first(item, "container-title").and_then(|t| without_markup(&t));
    rec.volume = text(item, &["volume"]);
    rec.issue = text(item, &["issue"]);
    rec.pages = text(item, &["page"]).and_then(|p| clean_pages(&p));
    rec.publisher = text(item, &["publisher"]);
    rec.doi = text(item, &["DOI"]).and_then(|d| clean_doi(&d));
    rec.language = text(item, &["language"]).and_then(|l| clean_language(&l));
    rec.abstract_text = text(item, &["abstract"]).and_then(|a| without_markup(&a));
    rec.keywords = array(item, &["subject"])
        .iter()
        .filter_map(|k| k.as_str().and_then(clean_text))
        .collect();
    rec
}
