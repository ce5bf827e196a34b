//! Saved literature searches against four public APIs, without any I/O: which request to
//! send next ([`Harvest::next_request`]) and what an answer body means
//! ([`Harvest::accept`]), until every page of results has been read.
//!
//! The HTTP layer (the main crate's `search/`) only sends [`Request`]s and feeds bodies
//! back, so paging, limits and parsing are tested here on bodies written from each API's
//! documentation:
//! - PubMed E-utilities `esearch.fcgi` (JSON, `esearchresult.count` / `idlist`, paged by
//!   `retstart`/`retmax`), then `efetch.fcgi` with `rettype=medline&retmode=text` in batches
//!   (read by the MEDLINE reader); <https://www.ncbi.nlm.nih.gov/books/NBK25499/>.
//! - Europe PMC REST `search` (`format=json`, `resultType=core`, `cursorMark` →
//!   `nextCursorMark`); <https://europepmc.org/RestfulWebService>.
//! - Crossref REST `works` (`query`, `filter=from-index-date:…`, `cursor=*` →
//!   `message.next-cursor`, `mailto`); <https://api.crossref.org/swagger-ui/index.html>.
//! - ClinicalTrials.gov API v2 `studies` (`query.term`, `filter.advanced`, `pageToken` →
//!   `nextPageToken`); <https://clinicaltrials.gov/data-api/api>.

mod clinicaltrials;
mod crossref;
mod europepmc;
mod json;
mod pubmed;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::record::Record;

/// The bibliographic databases and registers a saved search can query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Api {
    /// PubMed, through NCBI's E-utilities.
    Pubmed,
    /// Europe PMC's REST search.
    Europepmc,
    /// Crossref's REST `works` route.
    Crossref,
    /// The ClinicalTrials.gov registry, API v2.
    Clinicaltrials,
}

impl Api {
    /// Every source, in the order they are documented.
    pub const ALL: [Api; 4] = [
        Api::Pubmed,
        Api::Europepmc,
        Api::Crossref,
        Api::Clinicaltrials,
    ];

    /// The name used in `brief.toml` and in the search log (`pubmed`).
    pub fn name(self) -> &'static str {
        match self {
            Api::Pubmed => "pubmed",
            Api::Europepmc => "europepmc",
            Api::Crossref => "crossref",
            Api::Clinicaltrials => "clinicaltrials",
        }
    }

    /// The name people know the source by, for messages (`PubMed`).
    pub fn label(self) -> &'static str {
        match self {
            Api::Pubmed => "PubMed",
            Api::Europepmc => "Europe PMC",
            Api::Crossref => "Crossref",
            Api::Clinicaltrials => "ClinicalTrials.gov",
        }
    }

    /// A source by its [`name`](Api::name).
    pub fn from_name(name: &str) -> Option<Api> {
        Api::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the source is a trial register (PRISMA counts those apart from databases).
    pub fn is_register(self) -> bool {
        self == Api::Clinicaltrials
    }

    /// The public base URL: the part before `/esearch.fcgi`, `/search`, `/works` or
    /// `/studies`.
    pub fn default_base(self) -> &'static str {
        match self {
            Api::Pubmed => "https://eutils.ncbi.nlm.nih.gov/entrez/eutils",
            Api::Europepmc => "https://www.ebi.ac.uk/europepmc/webservices/rest",
            Api::Crossref => "https://api.crossref.org",
            Api::Clinicaltrials => "https://clinicaltrials.gov/api/v2",
        }
    }

    /// The environment variable that replaces [`default_base`](Api::default_base).
    pub fn endpoint_variable(self) -> &'static str {
        match self {
            Api::Pubmed => "EVBRIEF_ENDPOINT_PUBMED",
            Api::Europepmc => "EVBRIEF_ENDPOINT_EUROPEPMC",
            Api::Crossref => "EVBRIEF_ENDPOINT_CROSSREF",
            Api::Clinicaltrials => "EVBRIEF_ENDPOINT_CLINICALTRIALS",
        }
    }
}

impl fmt::Display for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A calendar date, as the APIs' date filters take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day {
    /// Year, e.g. 2026.
    pub year: i32,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
}

impl Day {
    /// `2026-12-04`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `2026/12/04`, as E-utilities' `mindate`/`maxdate` take it.
    pub fn slashed(self) -> String {
        format!("{:04}/{:02}/{:02}", self.year, self.month, self.day)
    }
}

/// What one saved search asks of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpec {
    /// The source.
    pub api: Api,
    /// The query, in the source's own syntax.
    pub query: String,
    /// Only records added to the source on or after this day (none: no lower bound).
    pub from: Option<Day>,
    /// Only records added on or before this day.
    pub to: Day,
    /// An e-mail address for the polite pools (PubMed `email`, Crossref `mailto`).
    pub contact: Option<String>,
    /// NCBI's API key (`api_key`), which raises PubMed's rate limit.
    pub api_key: Option<String>,
    /// A search finding more records than this fails instead of filing them (a query
    /// that matches millions of Crossref works is a mistake, not a literature search).
    pub max_records: u64,
}

/// The query as the source receives it, for the search log (PRISMA-S): Europe PMC's
/// with its date clause; the others' as saved (their date range travels in other
/// parameters, logged as `from` and `to`).
pub fn query_as_sent(spec: &SearchSpec) -> String {
    match spec.api {
        Api::Europepmc => europepmc::query(spec),
        _ => spec.query.clone(),
    }
}

/// The name evbrief gives itself in E-utilities' `tool` parameter.
pub const TOOL: &str = "evbrief";

/// One GET request: a path below the source's base URL and its query parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The path after the base URL, e.g. `/esearch.fcgi`.
    pub path: &'static str,
    /// Query parameters, unencoded, in order.
    pub params: Vec<(&'static str, String)>,
}

impl Request {
    /// The value of a parameter, for tests and messages.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why a source's answer cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not what the API documents (not JSON, a field missing …).
    Malformed(String),
    /// The API answered with an error message of its own.
    Refused(String),
    /// More records match than [`SearchSpec::max_records`].
    TooMany {
        /// Records the source says match.
        found: u64,
        /// The limit.
        limit: u64,
    },
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Malformed(what) => write!(f, "answered something unexpected ({what})"),
            ApiError::Refused(message) => write!(f, "refused the search ({message})"),
            ApiError::TooMany { found, limit } => write!(
                f,
                "found {found} records, more than the limit of {limit}; narrow the query or set `since`"
            ),
        }
    }
}

impl std::error::Error for ApiError {}

/// One page of a cursor-paged answer.
#[derive(Debug, Clone, PartialEq)]
struct Page {
    /// The records on this page (those without a title are left out).
    records: Vec<Record>,
    /// How many records match in all, when the page says.
    total: Option<u64>,
    /// The token for the next page, when the API gives one.
    next: Option<String>,
}

/// Where a harvest is.
#[derive(Debug, Clone, PartialEq)]
enum State {
    /// A cursor-paged API: the token of the page to ask for (`None`: the first page).
    Cursor { token: Option<String> },
    /// PubMed, collecting PMIDs page by page from `esearch`.
    Esearch { retstart: u64, ids: Vec<String> },
    /// PubMed, fetching the collected PMIDs' records in batches from `efetch`.
    Efetch { ids: Vec<String>, next: usize },
    /// Every page has been read.
    Done,
}

/// The records of one saved search, read page by page.
#[derive(Debug, Clone)]
pub struct Harvest {
    spec: SearchSpec,
    state: State,
    records: Vec<Record>,
    total: Option<u64>,
    requests: usize,
    untitled: usize,
}

/// What a finished harvest found.
#[derive(Debug, Clone, PartialEq)]
pub struct Harvested {
    /// Every record with a title, in the order the source gave them.
    pub records: Vec<Record>,
    /// Records left out because they have no title (the brief cannot cite them).
    pub untitled: usize,
}

/// A harvest stops after this many requests, whatever the answers say (a server that
/// hands out cursors forever).
pub const MAX_REQUESTS: usize = 10_000;

impl Harvest {
    /// A harvest that has not sent anything yet.
    pub fn new(spec: SearchSpec) -> Harvest {
        let state = match spec.api {
            Api::Pubmed => State::Esearch {
                retstart: 0,
                ids: Vec::new(),
            },
            _ => State::Cursor { token: None },
        };
        Harvest {
            spec,
            state,
            records: Vec::new(),
            total: None,
            requests: 0,
            untitled: 0,
        }
    }

    /// The search this harvest runs.
    pub fn spec(&self) -> &SearchSpec {
        &self.spec
    }

    /// The request to send next, or `None` when every page has been read.
    pub fn next_request(&self) -> Option<Request> {
        if self.requests >= MAX_REQUESTS {
            return None;
        }
        let s = &self.spec;
        match &self.state {
            State::Done => None,
            State::Esearch { retstart, .. } => Some(pubmed::esearch(s, *retstart)),
            State::Efetch { ids, next } => {
                let end = (*next + pubmed::EFETCH_BATCH).min(ids.len());
                Some(pubmed::efetch(s, &ids[*next..end]))
            }
            State::Cursor { token } => Some(match s.api {
                Api::Europepmc => europepmc::request(s, token.as_deref()),
                Api::Crossref => crossref::request(s, token.as_deref()),
                Api::Clinicaltrials => clinicaltrials::request(s, token.as_deref()),
                Api::Pubmed => unreachable!("PubMed is paged by esearch and efetch"),
            }),
        }
    }

    /// Reads the answer to the request [`next_request`](Harvest::next_request) gave.
    pub fn accept(&mut self, body: &str) -> Result<(), ApiError> {
        self.requests += 1;
        let limit = self.spec.max_records;
        let state = std::mem::replace(&mut self.state, State::Done);
        self.state = match state {
            State::Done => State::Done,
            State::Esearch { retstart, mut ids } => {
                let page = pubmed::parse_esearch(body)?;
                if page.count > limit {
                    return Err(ApiError::TooMany {
                        found: page.count,
                        limit,
                    });
                }
                if page.count > pubmed::ESEARCH_MAX {
                    return Err(ApiError::Refused(format!(
                        "{} records match, and E-utilities pages through at most {}; narrow the query or set `since`",
                        page.count,
                        pubmed::ESEARCH_MAX
                    )));
                }
                self.total = Some(page.count);
                let got = page.ids.len() as u64;
                ids.extend(page.ids);
                let retstart = retstart + got;
                if got > 0 && retstart < page.count {
                    State::Esearch { retstart, ids }
                } else if ids.is_empty() {
                    State::Done
                } else {
                    ids.dedup();
                    State::Efetch { ids, next: 0 }
                }
            }
            State::Efetch { ids, next } => {
                let (records, untitled) = pubmed::parse_efetch(body)?;
                self.untitled += untitled;
                self.records.extend(records.into_iter().map(tidy));
                let next = (next + pubmed::EFETCH_BATCH).min(ids.len());
                if next < ids.len() {
                    State::Efetch { ids, next }
                } else {
                    State::Done
                }
            }
            State::Cursor { token } => {
                let page = match self.spec.api {
                    Api::Europepmc => europepmc::parse(body)?,
                    Api::Crossref => crossref::parse(body)?,
                    Api::Clinicaltrials => clinicaltrials::parse(body)?,
                    Api::Pubmed => unreachable!("PubMed is paged by esearch and efetch"),
                };
                if let Some(total) = page.total {
                    if total > limit {
                        return Err(ApiError::TooMany {
                            found: total,
                            limit,
                        });
                    }
                    self.total.get_or_insert(total);
                }
                let empty = page.records.is_empty();
                let before = self.records.len() + self.untitled;
                for r in page.records {
                    if r.title.is_empty() {
                        self.untitled += 1;
                    } else {
                        self.records.push(tidy(r));
                    }
                }
                let seen = (self.records.len() + self.untitled) as u64;
                if seen > limit {
                    return Err(ApiError::TooMany { found: seen, limit });
                }
                let finished = self.total.is_some_and(|t| seen >= t);
                match page.next {
                    Some(next)
                        if !empty
                            && !finished
                            && before < seen as usize
                            && Some(&next) != token.as_ref() =>
                    {
                        State::Cursor { token: Some(next) }
                    }
                    _ => State::Done,
                }
            }
        };
        Ok(())
    }

    /// Records read so far and the total the source announced, for a progress line.
    pub fn progress(&self) -> (usize, Option<u64>) {
        (self.records.len() + self.untitled, self.total)
    }

    /// Whether every page has been read.
    pub fn is_done(&self) -> bool {
        self.next_request().is_none()
    }

    /// The records, once [`next_request`](Harvest::next_request) gives `None`.
    pub fn finish(self) -> Harvested {
        Harvested {
            records: self.records,
            untitled: self.untitled,
        }
    }
}

/// A record as the inbox's BibTeX can hold it (the same rules as [`crate::parse`]): names
/// without `=`, and a year only when it has four digits.
fn tidy(mut record: Record) -> Record {
    for author in &mut record.authors {
        author.make_bibtex_safe();
    }
    record.year = record.year.filter(|y| (1000..=9999).contains(y));
    record
}

#[cfg(test)]
mod tests;
