//! `[screening]` in `brief.toml`: the reasons a record may be excluded for.
//!
//! ```toml
//! [screening]
//! reasons = ["Wrong population", "Not umbilical-cord-derived cells", "Review or editorial"]
//! ```
//!
//! With a list, `evbrief exclude --reason` accepts only its reasons (so the PRISMA count per
//! reason adds up); without one, any reason is accepted.

use serde::{Deserialize, Serialize};

/// The screening settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Screening {
    /// Reasons for exclusion to pick from; empty = any reason.
    #[serde(default)]
    pub reasons: Vec<String>,
}

impl Screening {
    /// The listed reason `given` matches (ignoring case and spacing), in its listed
    /// form; `Err` with the list when there is a list and no reason matches; `given`
    /// itself (tidied) when there is no list.
    pub fn pick(&self, given: &str) -> Result<String, String> {
        let tidy = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let given = tidy(given);
        if self.reasons.is_empty() {
            return Ok(given);
        }
        self.reasons
            .iter()
            .find(|r| tidy(r).to_lowercase() == given.to_lowercase())
            .map(|r| tidy(r))
            .ok_or_else(|| {
                let list: Vec<String> = self.reasons.iter().map(|r| format!("\"{r}\"")).collect();
                format!(
                    "unknown reason \"{given}\": [screening] reasons in brief.toml allows {}",
                    list.join(", ")
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reason_is_picked_from_the_list() {
        let s = Screening {
            reasons: vec!["Wrong population".into(), "Review".into()],
        };
        assert_eq!(s.pick("wrong  POPULATION").unwrap(), "Wrong population");
        assert_eq!(
            s.pick("Duplicate").unwrap_err(),
            "unknown reason \"Duplicate\": [screening] reasons in brief.toml allows \"Wrong population\", \"Review\""
        );
        assert_eq!(
            Screening::default().pick(" Any\treason ").unwrap(),
            "Any reason"
        );
    }
}
