//! One `evbrief search`: every saved search (or the one named) in turn: its date window
//! from the search log, every page from its source, the new records filed into the inbox
//! and one row appended to the log. A source that fails writes nothing and does not stop
//! the others.

use std::path::Path;

use chrono::{Days, NaiveDate};

use crate::config::{BriefConfig, SavedSearch};
use crate::data::search_log::{SearchRun, SearchSource, load_search_log};
use crate::diagnostic::{Problem, Problems};
use crate::inbox::{ImportReport, InboxError, Origin, import_records};
use crate::intake::search_api::{Api, ApiError, Day, Harvest, SearchSpec};

use super::SearchSettings;
use super::http::{FetchError, Fetcher};

/// Days the next run reaches back before the end of the last one: records indexed late
/// on that day, or dated by a source's own clock, are not missed; the duplicate check
/// absorbs the repeats.
pub const OVERLAP_DAYS: u64 = 3;

/// What to run.
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Only the saved search of this name.
    pub only: Option<String>,
    /// Report what would be filed; write nothing (no inbox files, no log rows).
    pub dry_run: bool,
    /// The day of the run (the log's `date` and the window's end).
    pub today: NaiveDate,
    /// Timeouts, retries, limits.
    pub settings: SearchSettings,
    /// The contact address (`EVBRIEF_CONTACT`, else `contact` in brief.toml).
    pub contact: Option<String>,
    /// Base URLs replacing the sources' public ones (see [`super::endpoints_from_env`]).
    pub endpoints: Vec<(Api, String)>,
    /// NCBI's API key for PubMed (`NCBI_API_KEY`).
    pub ncbi_api_key: Option<String>,
}

impl SearchOptions {
    /// The base URL of `api`: the override when there is one, else the public address.
    pub fn base_url(&self, api: Api) -> String {
        self.endpoints
            .iter()
            .find(|(a, _)| *a == api)
            .map_or_else(|| api.default_base().to_owned(), |(_, b)| b.clone())
    }
}

/// Why no search could be run at all.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// `brief.toml` has no `[[searches]]`, or none of the name asked for.
    #[error("{0}")]
    Usage(String),
    /// The search log or the bibliography has problems.
    #[error(transparent)]
    Invalid(#[from] Problems),
}

/// Where a saved search is while it runs, for a progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress<'a> {
    /// The search's name.
    pub name: &'a str,
    /// Its source.
    pub api: Api,
    /// Records read so far.
    pub read: usize,
    /// Records the source says match, when it has said.
    pub total: Option<u64>,
}

/// Why one saved search failed; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum RunFailure {
    /// The source could not be reached or answered with an error status.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The source's answer made no sense, or refused the query.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Filing the records failed.
    #[error(transparent)]
    Inbox(#[from] InboxError),
    /// Appending to the log failed.
    #[error("cannot append to the search log ({0})")]
    Log(std::io::Error),
}

/// What one saved search did.
#[derive(Debug)]
pub struct SearchOutcome {
    /// The search's name.
    pub name: String,
    /// Its source.
    pub api: Api,
    /// The first day searched (`None`: no lower bound).
    pub from: Option<NaiveDate>,
    /// The last day searched.
    pub to: NaiveDate,
    /// The records filed and skipped, or why the search failed.
    pub result: Result<Finished, RunFailure>,
}

/// A saved search that ran to the end.
#[derive(Debug)]
pub struct Finished {
    /// Records the source returned with a title.
    pub found: usize,
    /// Records without a title, left out.
    pub untitled: usize,
    /// What was filed and what was a duplicate.
    pub report: ImportReport,
    /// The log row (appended unless a dry run).
    pub run: SearchRun,
}

/// The contact address: `EVBRIEF_CONTACT` when set, else `contact` of brief.toml.
pub fn contact(config: &BriefConfig) -> Option<String> {
    std::env::var("EVBRIEF_CONTACT")
        .ok()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .or_else(|| config.contact.as_ref().map(|c| c.get_ref().clone()))
}

/// Runs the saved searches of `config` (the project at `root`), calling `progress` as
/// pages arrive. Each search's outcome is returned; a failed one wrote nothing.
pub fn run_searches(
    root: &Path,
    config: &BriefConfig,
    options: &SearchOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<Vec<SearchOutcome>, SearchError> {
    let searches: Vec<&SavedSearch> = config
        .searches
        .iter()
        .map(|s| s.get_ref())
        .filter(|s| options.only.as_ref().is_none_or(|n| n == s.name.get_ref()))
        .collect();
    if searches.is_empty() {
        let names: Vec<&str> = config
            .searches
            .iter()
            .map(|s| s.get_ref().name.get_ref().as_str())
            .collect();
        return Err(SearchError::Usage(
            match (&options.only, names.is_empty()) {
                (_, true) => {
                    "brief.toml has no [[searches]]; add one (see README, \"Saved searches\")"
                        .into()
                }
                (Some(n), false) => format!(
                    "no saved search `{n}` in brief.toml (there are: {})",
                    names.join(", ")
                ),
                (None, false) => unreachable!("searches without a filter are all kept"),
            },
        ));
    }
    let mut problems: Vec<Problem> = Vec::new();
    let log = load_search_log(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let mut fetcher = Fetcher::new(options.settings.clone(), options.contact.as_deref());
    let mut outcomes = Vec::new();
    for search in searches {
        let name = search.name.get_ref().clone();
        let api = *search.source.get_ref();
        let last_to = log
            .iter()
            .filter(|r| r.search == name && r.source.name() == api.name())
            .map(|r| r.to)
            .max();
        let from = match last_to {
            Some(to) => to.checked_sub_days(Days::new(OVERLAP_DAYS)),
            None => search.since_date(),
        }
        .map(|d| d.min(options.today));
        let to = options.today;
        let spec = SearchSpec {
            api,
            query: search.query.get_ref().clone(),
            from: from.map(day),
            to: day(to),
            contact: options.contact.clone(),
            api_key: if api == Api::Pubmed {
                options.ncbi_api_key.clone()
            } else {
                None
            },
            max_records: options.settings.max_records,
        };
        let result = run_one(root, &name, spec, options, &mut fetcher, progress);
        outcomes.push(SearchOutcome {
            name,
            api,
            from,
            to,
            result,
        });
    }
    Ok(outcomes)
}

fn day(d: NaiveDate) -> Day {
    use chrono::Datelike;
    Day {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

/// Harvests one search, then files its records and logs the run.
fn run_one(
    root: &Path,
    name: &str,
    spec: SearchSpec,
    options: &SearchOptions,
    fetcher: &mut Fetcher,
    progress: &mut dyn FnMut(Progress),
) -> Result<Finished, RunFailure> {
    let api = spec.api;
    let base = options.base_url(api);
    let query = crate::intake::search_api::query_as_sent(&spec);
    let (from, to) = (spec.from, spec.to);
    let mut harvest = Harvest::new(spec);
    while let Some(request) = harvest.next_request() {
        let body = fetcher.get(api, &base, &request)?;
        harvest.accept(&body)?;
        let (read, total) = harvest.progress();
        progress(Progress {
            name,
            api,
            read,
            total,
        });
    }
    let harvested = harvest.finish();
    let found = harvested.records.len();
    let today = options.today.format("%Y-%m-%d").to_string();
    let origin = Origin::Search {
        name: name.to_owned(),
        source: api.name().to_owned(),
        run: today.clone(),
    };
    let report = import_records(root, &origin, harvested.records, &today, options.dry_run)?;
    let date = |d: Day| NaiveDate::from_ymd_opt(d.year, d.month, d.day);
    let source = SearchSource::parse(api.name()).expect("the log knows every source");
    let run = SearchRun {
        date: options.today,
        search: name.to_owned(),
        source,
        query,
        from: from.and_then(date),
        to: date(to).unwrap_or(options.today),
        found: found as u64,
        new: report.added.len() as u64,
        duplicates: report.skipped.len() as u64,
    };
    if !options.dry_run {
        crate::store::search_log::append_search_runs(root, std::slice::from_ref(&run))
            .map_err(RunFailure::Log)?;
    }
    Ok(Finished {
        found,
        untitled: harvested.untitled,
        report,
        run,
    })
}
