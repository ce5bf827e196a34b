//! Sending the search engine's [`Request`]s over HTTPS (ureq with rustls): a timeout per
//! request, retries with exponential backoff on 429 and 5xx answers and on dropped
//! connections (honouring `Retry-After`), a size limit per answer, and NCBI's rate limit
//! for PubMed (3 requests a second, 10 with an API key).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::intake::search_api::{Api, Request};

use super::SearchSettings;

/// Why a source could not be asked or did not answer usefully.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// No connection, a reset, an unknown host …
    #[error("cannot reach {url} ({cause})")]
    Unreachable {
        /// The address asked.
        url: String,
        /// What went wrong.
        cause: String,
    },
    /// No complete answer within the timeout.
    #[error("no answer from {url} within {seconds} s")]
    Timeout {
        /// The address asked.
        url: String,
        /// The timeout.
        seconds: f64,
    },
    /// An HTTP error status, after the retries.
    #[error("answered HTTP {status} to {url}{}", after(*.attempts))]
    Status {
        /// The address asked.
        url: String,
        /// The status code.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The answer is larger than the limit.
    #[error("answered more than {limit} bytes to {url}")]
    TooLarge {
        /// The address asked.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
}

fn after(attempts: u32) -> String {
    if attempts > 1 {
        format!(" ({attempts} attempts)")
    } else {
        String::new()
    }
}

/// Sends requests, one source's at a time, keeping each source's pace.
pub struct Fetcher {
    agent: ureq::Agent,
    settings: SearchSettings,
    last: HashMap<Api, Instant>,
}

/// Outcome of one attempt.
enum Attempt {
    Body(String),
    /// Worth another try after the wait (the server's `Retry-After` when it said).
    Retry(FetchError, Option<Duration>),
    Fail(FetchError),
}

impl Fetcher {
    /// A fetcher with these timeouts, retries and limits; `contact` goes into the
    /// User-Agent as Crossref's etiquette asks.
    pub fn new(settings: SearchSettings, contact: Option<&str>) -> Fetcher {
        let agent_name = match contact {
            Some(c) => format!("evbrief/{} (mailto:{c})", env!("CARGO_PKG_VERSION")),
            None => format!("evbrief/{}", env!("CARGO_PKG_VERSION")),
        };
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(settings.timeout))
            .http_status_as_error(false)
            .user_agent(agent_name.as_str())
            .max_redirects(5)
            .build();
        Fetcher {
            agent: config.into(),
            settings,
            last: HashMap::new(),
        }
    }

    /// The shortest time between two requests to `api`.
    fn min_interval(&self, api: Api) -> Duration {
        match api {
            Api::Pubmed if self.settings.ncbi_key => Duration::from_millis(100),
            Api::Pubmed => Duration::from_millis(340),
            _ => Duration::from_millis(50),
        }
    }

    /// Waits until `api` may be asked again.
    fn pace(&mut self, api: Api) {
        if let Some(last) = self.last.get(&api) {
            let due = *last + self.min_interval(api);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
        self.last.insert(api, Instant::now());
    }

    /// The answer body to `request` sent to `base` (the source's base URL), retrying
    /// temporary failures.
    pub fn get(&mut self, api: Api, base: &str, request: &Request) -> Result<String, FetchError> {
        let url = format!("{}{}", base.trim_end_matches('/'), request.path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace(api);
            match self.once(&url, request, attempt) {
                Attempt::Body(body) => return Ok(body),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(e, _) if attempt > self.settings.retries => return Err(e),
                Attempt::Retry(_, wait) => {
                    let backoff = self.settings.backoff * 2u32.saturating_pow(attempt - 1);
                    let wait = wait.unwrap_or(backoff).min(self.settings.max_wait);
                    std::thread::sleep(wait);
                }
            }
        }
    }

    fn once(&self, url: &str, request: &Request, attempt: u32) -> Attempt {
        let call = self
            .agent
            .get(url)
            .query_pairs(request.params.iter().map(|(k, v)| (*k, v.as_str())))
            .call();
        let mut response = match call {
            Ok(r) => r,
            Err(e) => return transport(url, e, self.settings.timeout),
        };
        let status = response.status().as_u16();
        if status == 429 || (500..600).contains(&status) {
            let wait = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(retry_after);
            return Attempt::Retry(
                FetchError::Status {
                    url: url.to_owned(),
                    status,
                    attempts: attempt,
                },
                wait,
            );
        }
        if !(200..300).contains(&status) {
            return Attempt::Fail(FetchError::Status {
                url: url.to_owned(),
                status,
                attempts: attempt,
            });
        }
        let limit = self.settings.max_body;
        match response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_string()
        {
            Ok(body) => Attempt::Body(body),
            Err(ureq::Error::BodyExceedsLimit(_)) => Attempt::Fail(FetchError::TooLarge {
                url: url.to_owned(),
                limit,
            }),
            Err(e) => transport(url, e, self.settings.timeout),
        }
    }
}

/// A transport failure: timeouts and dropped connections are worth retrying, a name
/// that does not resolve is not.
fn transport(url: &str, e: ureq::Error, timeout: Duration) -> Attempt {
    match e {
        ureq::Error::Timeout(_) => Attempt::Retry(
            FetchError::Timeout {
                url: url.to_owned(),
                seconds: timeout.as_secs_f64(),
            },
            None,
        ),
        ureq::Error::HostNotFound | ureq::Error::BadUri(_) => {
            Attempt::Fail(FetchError::Unreachable {
                url: url.to_owned(),
                cause: e.to_string(),
            })
        }
        ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => Attempt::Retry(
            FetchError::Timeout {
                url: url.to_owned(),
                seconds: timeout.as_secs_f64(),
            },
            None,
        ),
        other => Attempt::Retry(
            FetchError::Unreachable {
                url: url.to_owned(),
                cause: other.to_string(),
            },
            None,
        ),
    }
}

/// A `Retry-After` value: seconds, or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        assert_eq!(retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let wait = retry_after(&later).unwrap();
        assert!(wait > Duration::from_secs(80) && wait <= Duration::from_secs(90));
        assert_eq!(retry_after("soon"), None);
    }

    #[test]
    fn pubmed_is_paced_by_ncbi_rules() {
        let mut settings = SearchSettings::default();
        let f = Fetcher::new(settings.clone(), None);
        assert_eq!(f.min_interval(Api::Pubmed), Duration::from_millis(340));
        settings.ncbi_key = true;
        let mut f = Fetcher::new(settings, Some("a@b.org"));
        assert_eq!(f.min_interval(Api::Pubmed), Duration::from_millis(100));
        let start = Instant::now();
        for _ in 0..3 {
            f.pace(Api::Pubmed);
        }
        assert!(start.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn an_unreachable_source_is_named_with_its_address() {
        let settings = SearchSettings {
            retries: 0,
            ..SearchSettings::default()
        };
        let mut f = Fetcher::new(settings, None);
        // Port 9 (discard) on localhost: nothing listens in the test environment.
        let request = Request {
            path: "/works",
            params: vec![("query", "x y".into())],
        };
        let e = f
            .get(Api::Crossref, "http://127.0.0.1:9/", &request)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("cannot reach http://127.0.0.1:9/works ("),
            "{e}"
        );
    }
}
