//! Saved literature searches over the network: `evbrief search` runs each `[[searches]]`
//! of `brief.toml` against its source ([`http`] sends what the pure engine
//! `intake::search_api` asks for), files new records into the inbox through the import
//! pipeline's duplicate check, and appends one row per finished run to the search log.
//!
//! The timeouts, retries and limits have defaults for real use and can be shortened
//! through environment variables (tests and slow links): `EVBRIEF_SEARCH_TIMEOUT` and
//! `EVBRIEF_SEARCH_MAX_WAIT` (seconds, fractions allowed), `EVBRIEF_SEARCH_RETRIES`,
//! `EVBRIEF_SEARCH_BACKOFF` (seconds before the first retry, doubled after each).

pub mod http;
pub mod run;

use std::time::Duration;

/// Network settings of a search run.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSettings {
    /// The longest a request may take, answer included.
    pub timeout: Duration,
    /// Retries after a 429, a 5xx, a timeout or a dropped connection.
    pub retries: u32,
    /// The wait before the first retry; doubled after each.
    pub backoff: Duration,
    /// The longest wait before a retry, whatever `Retry-After` says.
    pub max_wait: Duration,
    /// The largest answer read, in bytes.
    pub max_body: u64,
    /// Whether an NCBI API key is used (PubMed then allows 10 requests a second).
    pub ncbi_key: bool,
    /// A search finding more records than this fails (see `SearchSpec::max_records`).
    pub max_records: u64,
}

impl Default for SearchSettings {
    fn default() -> Self {
        SearchSettings {
            timeout: Duration::from_secs(60),
            retries: 4,
            backoff: Duration::from_secs(2),
            max_wait: Duration::from_secs(120),
            max_body: 64 * 1024 * 1024,
            ncbi_key: false,
            max_records: 10_000,
        }
    }
}

impl SearchSettings {
    /// The defaults with the overrides of the environment (see the module header); a
    /// value that does not parse is a usage error naming the variable.
    pub fn from_env() -> Result<SearchSettings, String> {
        let mut s = SearchSettings::default();
        let seconds = |name: &str, target: &mut Duration| -> Result<(), String> {
            if let Ok(v) = std::env::var(name) {
                let secs: f64 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|x: &f64| x.is_finite() && *x >= 0.0 && *x <= 86_400.0)
                    .ok_or_else(|| format!("{name}={v} is not a number of seconds"))?;
                *target = Duration::from_secs_f64(secs);
            }
            Ok(())
        };
        seconds("EVBRIEF_SEARCH_TIMEOUT", &mut s.timeout)?;
        seconds("EVBRIEF_SEARCH_BACKOFF", &mut s.backoff)?;
        seconds("EVBRIEF_SEARCH_MAX_WAIT", &mut s.max_wait)?;
        if let Ok(v) = std::env::var("EVBRIEF_SEARCH_RETRIES") {
            s.retries = v.trim().parse().ok().filter(|n| *n <= 20).ok_or_else(|| {
                format!("EVBRIEF_SEARCH_RETRIES={v} is not a number from 0 to 20")
            })?;
        }
        if s.timeout.is_zero() {
            return Err("EVBRIEF_SEARCH_TIMEOUT must be more than 0 seconds".into());
        }
        s.ncbi_key = ncbi_api_key().is_some();
        Ok(s)
    }
}

/// NCBI's API key from `NCBI_API_KEY`, when set.
pub fn ncbi_api_key() -> Option<String> {
    std::env::var("NCBI_API_KEY")
        .ok()
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
}

/// The sources' base URLs set by `EVBRIEF_ENDPOINT_…` variables (a mirror, a test
/// server); sources without one use their public address.
pub fn endpoints_from_env() -> Vec<(crate::intake::search_api::Api, String)> {
    crate::intake::search_api::Api::ALL
        .into_iter()
        .filter_map(|api| {
            let v = std::env::var(api.endpoint_variable()).ok()?;
            let v = v.trim();
            (!v.is_empty()).then(|| (api, v.to_owned()))
        })
        .collect()
}
