//! `[[searches]]` and `contact` in `brief.toml`: the saved literature searches `evbrief
//! search` runs (one source each) and the address the sources' polite pools ask for.
//!
//! Owns the shape only; `data::check_searches` checks names, queries and dates.

use serde::{Deserialize, Serialize};
use toml::Spanned;

pub use crate::intake::search_api::Api as SearchApi;

/// One saved search (`[[searches]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct SavedSearch {
    /// Unique name; names the search in the search log, the inbox records it files and
    /// the brief. Letters, digits, `-`, `_` and `.`.
    pub name: Spanned<String>,
    /// Where to search: `pubmed`, `europepmc`, `crossref` or `clinicaltrials`.
    pub source: Spanned<SearchApi>,
    /// The query, in the source's own syntax (PubMed's field tags, Europe PMC's fields,
    /// Crossref's free text, ClinicalTrials.gov's `query.term` Essie syntax).
    pub query: Spanned<String>,
    /// The first run fetches records added to the source from this date on (a date such
    /// as 2015-01-01); without it, the first run has no lower bound.
    #[serde(default)]
    pub since: Option<Spanned<toml::value::Datetime>>,
}

impl SavedSearch {
    /// `since` as a calendar date, when it is one.
    pub fn since_date(&self) -> Option<chrono::NaiveDate> {
        let d = self.since.as_ref()?.get_ref().date?;
        chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
    }
}
