//! Study identity: do two studies describe the same participants?
//!
//! The same trial is often published several times (a main report, a post hoc subgroup
//! analysis, an extension, a report in another language). Filed as two studies, its
//! participants would be pooled twice. This module compares every pair of studies (and a
//! draft with the included studies) and reports the signals it finds, in words.
//!
//! Signals, and how much each weighs:
//! - **same trial registration id** (from `registration = [...]` or found in the
//!   bibliographic records of the reports): decisive on its own;
//! - the **same authors** (two or more people, or one whose surname is not very common;
//!   names folded for case, diacritics and initials, Han names transliterated);
//! - the **same setting** (two or more distinctive words of the setting in common);
//! - **overlapping enrolment periods** (parsed from the enrolment text);
//! - **nested or equal arm sizes** (each group of one study fits in the other's);
//! - one study's notes or reports **naming the other** (its id, its label, its
//!   registration id, or its first author followed by "et al." or "'s team").
//!
//! Each of the five weaker signals counts one point; the same country and the same
//! condition are shown as context but count nothing.
//!
//! Verdicts (thresholds):
//! - **likely the same participants**: the same registration id, or 4 or more points;
//! - **possible overlap**: 2 or 3 points.
//!
//! Guards against false alarms: unless they share a registration id, two studies are not
//! compared further when both give countries and none is common, when both give
//! enrolment periods that do not overlap, when both name conditions that differ (type 1
//! against type 2 diabetes), or when both are registered under different ids.
//!
//! A pair is not reported once either study records the other in `[[distinct-from]]`.

mod context;
mod facts;
mod names;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::Serialize;

pub use context::{Period, parse_period};
pub use facts::{EntryTexts, StudyFacts};
pub use names::AuthorName;

use crate::data::LoadedStudy;
use crate::data::bibliography::Bibliography;

/// Points from the weaker signals at which two studies are likely the same participants.
pub const LIKELY_POINTS: usize = 4;
/// Points from the weaker signals at which two studies possibly overlap.
pub const POSSIBLE_POINTS: usize = 2;

/// How sure the check is that two studies share participants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Several weaker signals.
    Possible,
    /// The same registration id, or many signals together.
    Likely,
}

impl Verdict {
    /// Key in the label tables (`overlap.likely`).
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Likely => "likely",
            Verdict::Possible => "possible",
        }
    }

    /// In words, for messages.
    pub fn words(self) -> &'static str {
        match self {
            Verdict::Likely => "likely the same participants",
            Verdict::Possible => "possible overlap of participants",
        }
    }
}

/// One reason to think two studies share participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signal {
    /// Both are registered under this id.
    Registration {
        /// The id as the first study writes it.
        id: String,
    },
    /// Authors of both studies' reports.
    Authors {
        /// The shared authors as the first study's records write them.
        names: Vec<String>,
    },
    /// Distinctive words both settings share.
    Setting {
        /// The shared words.
        words: Vec<String>,
    },
    /// Enrolment periods that overlap.
    Enrolment {
        /// The first study's period as written.
        first: String,
        /// The second study's period as written.
        second: String,
    },
    /// Each group of one study fits inside the other's (or they are equal).
    Arms {
        /// Sizes of the smaller study ("33/32").
        inner: String,
        /// Sizes of the larger study ("45/46").
        outer: String,
        /// The label of the smaller study.
        inner_study: String,
        /// Whether the sizes are equal.
        equal: bool,
    },
    /// One study's notes or records name the other.
    Names {
        /// Label of the study whose text names the other.
        by: String,
        /// What it says ("Zang et al.", "NCT01234567").
        what: String,
    },
    /// Same country (context only).
    Country {
        /// The country as written.
        country: String,
    },
    /// Same condition (context only).
    Condition {
        /// The condition as written.
        condition: String,
    },
}

impl Signal {
    /// Whether the signal counts a point towards a verdict (country and condition are
    /// context; a registration id decides alone).
    pub fn counts(&self) -> bool {
        !matches!(
            self,
            Signal::Country { .. } | Signal::Condition { .. } | Signal::Registration { .. }
        )
    }

    /// Key in the label tables (`overlap.signal.<key>`).
    pub fn key(&self) -> &'static str {
        match self {
            Signal::Registration { .. } => "registration",
            Signal::Authors { .. } => "authors",
            Signal::Setting { .. } => "setting",
            Signal::Enrolment { .. } => "enrolment",
            Signal::Arms { equal: true, .. } => "arms-equal",
            Signal::Arms { .. } => "arms-nested",
            Signal::Names { .. } => "names",
            Signal::Country { .. } => "country",
            Signal::Condition { .. } => "condition",
        }
    }

    /// The values the label table's text for this signal fills in, by name.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        match self {
            Signal::Registration { id } => vec![("id", id.clone())],
            Signal::Authors { names } => vec![("names", names.join("; "))],
            Signal::Setting { words } => vec![("words", words.join(", "))],
            Signal::Enrolment { first, second } => {
                vec![("first", first.clone()), ("second", second.clone())]
            }
            Signal::Arms {
                inner,
                outer,
                inner_study,
                ..
            } => vec![
                ("inner", inner.clone()),
                ("outer", outer.clone()),
                ("study", inner_study.clone()),
            ],
            Signal::Names { by, what } => vec![("study", by.clone()), ("what", what.clone())],
            Signal::Country { country } => vec![("country", country.clone())],
            Signal::Condition { condition } => vec![("condition", condition.clone())],
        }
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signal::Registration { id } => write!(f, "same trial registration {id}"),
            Signal::Authors { names } => write!(f, "shared authors: {}", names.join("; ")),
            Signal::Setting { words } => write!(f, "same setting ({})", words.join(", ")),
            Signal::Enrolment { first, second } => {
                write!(f, "overlapping enrolment ({first}; {second})")
            }
            Signal::Arms {
                inner,
                outer,
                equal: true,
                ..
            } => write!(f, "same arm sizes ({inner} and {outer})"),
            Signal::Arms {
                inner,
                outer,
                inner_study,
                ..
            } => write!(f, "arm sizes of {inner_study} ({inner}) fit inside {outer}"),
            Signal::Names { by, what } => write!(f, "{by} names the other study (\"{what}\")"),
            Signal::Country { country } => write!(f, "same country ({country})"),
            Signal::Condition { condition } => write!(f, "same condition ({condition})"),
        }
    }
}

/// Two studies that may share participants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Overlap {
    /// First study's id (the one earlier in the project's order).
    pub first: String,
    /// Second study's id.
    pub second: String,
    /// How sure.
    pub verdict: Verdict,
    /// What was found, strongest first.
    pub signals: Vec<Signal>,
}

impl Overlap {
    /// Whether the pair is `a` and `b` in either order.
    pub fn is_pair(&self, a: &str, b: &str) -> bool {
        (self.first == a && self.second == b) || (self.first == b && self.second == a)
    }

    /// The other study of the pair.
    pub fn other(&self, id: &str) -> &str {
        if self.first == id {
            &self.second
        } else {
            &self.first
        }
    }

    /// The signals in words, joined by "; ".
    pub fn signals_text(&self) -> String {
        self.signals
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// Every pair of `studies` that may share participants and that no `[[distinct-from]]`
/// resolves, in study order.
pub fn find_overlaps(studies: &[LoadedStudy], bibliography: &Bibliography) -> Vec<Overlap> {
    let entries = EntryTexts::of(bibliography);
    let facts: Vec<StudyFacts> = studies
        .iter()
        .map(|s| StudyFacts::of(s, bibliography, &entries))
        .collect();
    let mut out = Vec::new();
    for (i, a) in facts.iter().enumerate() {
        for b in &facts[i + 1..] {
            if a.distinct_from.contains(&b.id) || b.distinct_from.contains(&a.id) {
                continue;
            }
            if let Some((verdict, signals)) = compare(a, b) {
                out.push(Overlap {
                    first: a.id.clone(),
                    second: b.id.clone(),
                    verdict,
                    signals,
                });
            }
        }
    }
    out
}

/// The verdict on two studies and its signals, or `None` when they do not look alike.
pub fn compare(a: &StudyFacts, b: &StudyFacts) -> Option<(Verdict, Vec<Signal>)> {
    let mut signals = Vec::new();
    let shared_registration = a
        .registrations
        .iter()
        .find(|(x, _)| b.registrations.iter().any(|(y, _)| y.key == x.key));
    if let Some((id, _)) = shared_registration {
        signals.push(Signal::Registration {
            id: id.text.clone(),
        });
    }
    let registered = shared_registration.is_some();
    let both_registered = !a.registrations.is_empty() && !b.registrations.is_empty();
    let countries_differ =
        !a.countries.is_empty() && !b.countries.is_empty() && a.countries.is_disjoint(&b.countries);
    let periods_apart =
        matches!((&a.enrolment, &b.enrolment), (Some((_, p)), Some((_, q))) if !p.overlaps(q));
    let conditions_differ = !a.conditions.is_empty()
        && !b.conditions.is_empty()
        && a.conditions.is_disjoint(&b.conditions);
    if !registered && (countries_differ || periods_apart || conditions_differ || both_registered) {
        return None;
    }

    let shared = names::shared_authors(&a.authors, &b.authors);
    if names::authors_are_a_signal(&shared) {
        signals.push(Signal::Authors {
            names: shared.iter().map(|n| n.shown.clone()).collect(),
        });
    }
    if let Some(words) = context::same_setting(&a.setting, &b.setting) {
        signals.push(Signal::Setting { words });
    }
    if let (Some((e, p)), Some((f, q))) = (&a.enrolment, &b.enrolment)
        && p.overlaps(q)
    {
        signals.push(Signal::Enrolment {
            first: e.clone(),
            second: f.clone(),
        });
    }
    let arms = |inner: &StudyFacts, outer: &StudyFacts| Signal::Arms {
        inner: inner.arms.to_string(),
        outer: outer.arms.to_string(),
        inner_study: inner.label.clone(),
        equal: inner.arms == outer.arms,
    };
    if a.arms.treated > 0 {
        if a.arms.fits_in(&b.arms) {
            signals.push(arms(a, b));
        } else if b.arms.fits_in(&a.arms) {
            signals.push(arms(b, a));
        }
    }
    if let Some(what) = names_other(a, b) {
        signals.push(Signal::Names {
            by: a.label.clone(),
            what,
        });
    } else if let Some(what) = names_other(b, a) {
        signals.push(Signal::Names {
            by: b.label.clone(),
            what,
        });
    }
    if !a.countries.is_disjoint(&b.countries) {
        signals.push(Signal::Country {
            country: a.country_text.clone(),
        });
    }
    if !a.conditions.is_disjoint(&b.conditions) {
        signals.push(Signal::Condition {
            condition: a.condition_text.clone(),
        });
    }
    let points = signals.iter().filter(|s| s.counts()).count();
    let verdict = if registered || points >= LIKELY_POINTS {
        Verdict::Likely
    } else if points >= POSSIBLE_POINTS {
        Verdict::Possible
    } else {
        return None;
    };
    Some((verdict, signals))
}

/// What in `a`'s notes and records names `b`: its id, its label, one of its registration
/// ids, or its first author followed by "et al." or "'s team" (not a very common surname).
fn names_other(a: &StudyFacts, b: &StudyFacts) -> Option<String> {
    let word_at = |hay: &str, needle: &str| -> Option<usize> {
        hay.match_indices(needle).map(|(i, _)| i).find(|&i| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + needle.len()..].chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
        })
    };
    if a.text.is_empty() {
        return None;
    }
    // A phrase named with word boundaries has its first word among the text's words.
    let may_name = |words: &std::collections::HashSet<String>, phrase: &facts::NamePhrase| {
        phrase.first_word().is_none_or(|w| words.contains(w))
    };
    if may_name(&a.words_lower, &b.id_lower) && word_at(&a.text_lower, &b.id_lower.text).is_some() {
        return Some(b.id.clone());
    }
    if may_name(&a.words_lower, &b.label_lower)
        && word_at(&a.text_lower, &b.label_lower.text).is_some()
    {
        return Some(b.label.clone());
    }
    for id in &a.named_registrations {
        if b.registrations.iter().any(|(r, _)| r.key == id.key)
            && !a.registrations.iter().any(|(r, _)| r.key == id.key)
        {
            return Some(id.text.clone());
        }
    }
    // The phrases of one surname follow each other and share its first word: look the
    // word up once (at 1000 studies this runs for half a million pairs).
    let mut last: Option<(&str, bool)> = None;
    b.surname_phrases
        .iter()
        .find(|phrase| {
            let named = match (phrase.first_word(), last) {
                (None, _) => true,
                (Some(w), Some((l, named))) if w == l => named,
                (Some(w), _) => {
                    let named = a.words.contains(w);
                    last = Some((w, named));
                    named
                }
            };
            named && word_at(&a.text, &phrase.text).is_some()
        })
        .map(|phrase| phrase.text.replace(" et al", " et al."))
}

/// The overlaps whose two studies are both among `ids` (the studies behind one pooled
/// estimate, forest plot or summary-of-findings row).
pub fn overlaps_among<'a>(overlaps: &'a [Overlap], ids: &[&str]) -> Vec<&'a Overlap> {
    overlaps
        .iter()
        .filter(|o| ids.contains(&o.first.as_str()) && ids.contains(&o.second.as_str()))
        .collect()
}

/// One warning per overlap, at the first study's id, naming the second study's file
/// with line and column, the verdict, the signals and how to settle it.
pub fn warnings(studies: &[LoadedStudy], overlaps: &[Overlap]) -> Vec<crate::diagnostic::Problem> {
    let find = |id: &str| studies.iter().find(|s| s.study.id.get_ref() == id);
    overlaps
        .iter()
        .filter_map(|o| {
            let (a, b) = (find(&o.first)?, find(&o.second)?);
            let (line, col) = b.file.line_col(b.study.id.span().start);
            Some(crate::diagnostic::Problem::new(
                &a.file,
                a.study.id.span(),
                format!(
                    "`{}` and `{}` ({}:{line}:{col}) may share participants: {} ({}); if they are the same participants, make one study of them (the other paper as a [[reports]] entry), otherwise record [[distinct-from]] with a reason",
                    o.first,
                    o.second,
                    b.file.name,
                    o.verdict.words(),
                    o.signals_text()
                ),
            ))
        })
        .collect()
}
