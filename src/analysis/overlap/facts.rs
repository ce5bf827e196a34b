//! What the identity check knows about one study, read once from its file and from the
//! bibliographic records of its reports.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::context::{Period, conditions, countries, parse_period, setting_words};
use super::names::{AuthorName, push_unique};
use crate::data::LoadedStudy;
use crate::data::bibliography::Bibliography;
use crate::data::model::{ArmRole, ReportRole};
use crate::data::registration::{RegistrationId, find_registrations, parse_registration};

/// The text of each bibliography entry by key: the raw BibTeX source of the entry (all
/// its fields: note, url, eprint, abstract, `author-zh` …), or for hayagriva YAML the
/// fields hayagriva keeps (title, note, URL, serial numbers).
#[derive(Debug, Default)]
pub struct EntryTexts {
    texts: HashMap<String, String>,
}

impl EntryTexts {
    /// Reads every entry of every bibliography file (curated and inbox).
    pub fn of(bibliography: &Bibliography) -> EntryTexts {
        let mut texts = HashMap::new();
        for f in &bibliography.files {
            let yaml = f.file.name.ends_with(".yaml") || f.file.name.ends_with(".yml");
            if !yaml && let Ok(raw) = biblatex::RawBibliography::parse(&f.file.text) {
                for e in raw.entries {
                    if let Some(text) = f.file.text.get(e.span.clone()) {
                        texts.insert(e.v.key.v.to_owned(), text.to_owned());
                    }
                }
                continue;
            }
            for entry in f.library.iter() {
                let mut text = String::new();
                if let Some(t) = entry.title() {
                    text.push_str(&t.value.to_string());
                }
                if let Some(n) = entry.note() {
                    text.push('\n');
                    text.push_str(&n.value.to_string());
                }
                if let Some(u) = entry.url() {
                    text.push('\n');
                    text.push_str(u.value.as_str());
                }
                if let Some(s) = entry.serial_number() {
                    for v in s.0.values() {
                        text.push('\n');
                        text.push_str(v);
                    }
                }
                texts.insert(entry.key().to_owned(), text);
            }
        }
        EntryTexts { texts }
    }

    /// The entry's text, empty when unknown.
    pub fn get(&self, key: &str) -> &str {
        self.texts.get(key).map_or("", String::as_str)
    }
}

/// Arm sizes by role: intervention (or the only arm) and control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArmSizes {
    /// Participants given the intervention (single-arm studies: all of them).
    pub treated: i64,
    /// Participants in control arms (0 for uncontrolled studies).
    pub control: i64,
}

impl std::fmt::Display for ArmSizes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.control > 0 {
            write!(f, "{}/{}", self.treated, self.control)
        } else {
            write!(f, "{}", self.treated)
        }
    }
}

impl ArmSizes {
    /// Whether every group of `self` fits inside the same group of `outer`.
    pub fn fits_in(&self, outer: &ArmSizes) -> bool {
        self.treated <= outer.treated
            && self.control <= outer.control
            && (self.control == 0 || outer.control > 0)
    }
}

/// One study as the identity check sees it.
#[derive(Debug, Clone)]
pub struct StudyFacts {
    /// Study id.
    pub id: String,
    /// Table label ("Zhao 2024").
    pub label: String,
    /// Registration ids with where each was read ("registration", "reference `zhao2024`").
    pub registrations: Vec<(RegistrationId, String)>,
    /// Authors of its reports (mentions left out), each person once.
    pub authors: Vec<AuthorName>,
    /// First author of the first report and the label's first word (as written), for
    /// "Zang et al." in another study's notes.
    pub surnames: Vec<String>,
    /// Distinctive words of the setting.
    pub setting: BTreeSet<String>,
    /// Countries, folded.
    pub countries: BTreeSet<String>,
    /// Country as written.
    pub country_text: String,
    /// Enrolment as written and parsed.
    pub enrolment: Option<(String, Period)>,
    /// Conditions, normalised.
    pub conditions: BTreeSet<String>,
    /// Condition as written.
    pub condition_text: String,
    /// Arm sizes of all participants.
    pub arms: ArmSizes,
    /// Notes, report notes and the records of its reports: where another study may be named.
    pub text: String,
    /// `text` in lower case (compared with other studies' ids and labels).
    pub text_lower: String,
    /// The registration ids `text` names (each study's text is searched once, not once
    /// per pair: at 1000 studies the pairs would take seconds).
    pub named_registrations: Vec<RegistrationId>,
    /// The words of `text` (maximal runs of letters, digits and `-`), as written and in
    /// lower case: a phrase can only be named in `text` if its first word is among them,
    /// so most pairs of studies are told apart without searching the text.
    pub words: HashSet<String>,
    /// See `words`.
    pub words_lower: HashSet<String>,
    /// `id` and `label` in lower case.
    pub id_lower: NamePhrase,
    /// See `id_lower`.
    pub label_lower: NamePhrase,
    /// The phrases by which another study's text names this one: each surname that is not
    /// very common followed by " et al", "'s team" or "'s group".
    pub surname_phrases: Vec<NamePhrase>,
    /// Studies the curator has declared distinct.
    pub distinct_from: Vec<String>,
}

impl StudyFacts {
    /// The facts of `loaded`, with its reports' records from `entries`.
    pub fn of(
        loaded: &LoadedStudy,
        bibliography: &Bibliography,
        entries: &EntryTexts,
    ) -> StudyFacts {
        let st = &loaded.study;
        let mut registrations: Vec<(RegistrationId, String)> = Vec::new();
        let mut add = |id: RegistrationId, place: String| {
            if !registrations.iter().any(|(r, _)| r.key == id.key) {
                registrations.push((id, place));
            }
        };
        for r in &st.registration {
            if let Ok(id) = parse_registration(r.get_ref()) {
                add(id, "registration".to_owned());
            }
        }
        let mut authors = Vec::new();
        let mut surnames = Vec::new();
        let mut text: Vec<String> = st.notes.clone();
        for report in &st.reports {
            text.extend(report.note.clone());
            // A paper that only mentions the study says nothing about who ran it.
            if report.role == ReportRole::Mention {
                continue;
            }
            let key = report.key.get_ref();
            let raw = entries.get(key);
            for id in find_registrations(raw) {
                add(id, format!("reference `{key}`"));
            }
            text.push(raw.to_owned());
            if let Some((_, entry)) = bibliography.entry(key) {
                for (i, p) in entry.authors().unwrap_or_default().iter().enumerate() {
                    if i == 0 && surnames.is_empty() {
                        surnames.push(p.name.clone());
                    }
                    if let Some(a) = AuthorName::new(&p.name, p.given_name.as_deref()) {
                        push_unique(&mut authors, a);
                    }
                }
            }
            for name in han_authors(raw) {
                if let Some(a) = AuthorName::new(&name, None) {
                    push_unique(&mut authors, a);
                }
            }
        }
        if let Some((first, rest)) = st.label.split_once(' ')
            && rest.trim().starts_with(|c: char| c.is_ascii_digit())
            && !surnames.iter().any(|s| s == first)
        {
            surnames.push(first.to_owned());
        }
        let size = |roles: &[ArmRole]| -> i64 {
            st.arms
                .iter()
                .filter(|a| roles.contains(&a.role))
                .map(|a| *a.n.get_ref())
                .sum()
        };
        let text = text.join("\n");
        let text_lower = text.to_lowercase();
        StudyFacts {
            id: st.id.get_ref().clone(),
            label: st.label.clone(),
            registrations,
            authors,
            surname_phrases: surname_phrases(&surnames),
            surnames,
            setting: st.setting.as_deref().map(setting_words).unwrap_or_default(),
            countries: st.country.as_deref().map(countries).unwrap_or_default(),
            country_text: st.country.clone().unwrap_or_default(),
            enrolment: st
                .enrolment
                .as_ref()
                .and_then(|e| parse_period(e).map(|p| (e.clone(), p))),
            conditions: conditions(&st.condition),
            condition_text: st.condition.clone(),
            arms: ArmSizes {
                treated: size(&[ArmRole::Intervention, ArmRole::Single]),
                control: size(&[ArmRole::Control]),
            },
            words: words(&text),
            words_lower: words(&text_lower),
            text_lower,
            named_registrations: crate::data::registration::find_registrations(&text),
            id_lower: NamePhrase::new(st.id.get_ref().to_lowercase()),
            label_lower: NamePhrase::new(st.label.to_lowercase()),
            text,
            distinct_from: st
                .distinct_from
                .iter()
                .map(|d| d.study.get_ref().clone())
                .collect(),
        }
    }
}

/// Names of an `author-zh` field in a raw BibTeX entry (`赵健 and 王岳鹏`).
fn han_authors(raw: &str) -> Vec<String> {
    let lower = raw.to_ascii_lowercase();
    let Some(at) = lower.find("author-zh") else {
        return Vec::new();
    };
    let rest = &raw[at..];
    let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) else {
        return Vec::new();
    };
    if close < open {
        return Vec::new();
    }
    rest[open + 1..close]
        .split(" and ")
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The phrases by which another study's text names a study with these `surnames` (see
/// `StudyFacts::surname_phrases`); very common surnames name no one in particular.
fn surname_phrases(surnames: &[String]) -> Vec<NamePhrase> {
    let mut out = Vec::new();
    for surname in surnames {
        let folded = crate::intake::normalise_title(surname);
        if folded.is_empty() || super::names::is_very_common(&folded) {
            continue;
        }
        for tail in [" et al", "'s team", "’s team", "'s group", "’s group"] {
            out.push(NamePhrase::new(format!("{surname}{tail}")));
        }
    }
    out
}

/// The words of `text` as `StudyFacts::words` counts them.
fn words(text: &str) -> HashSet<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A phrase by which another study's text may name a study, with its first word found
/// once: the check looks that word up among the other text's words for every pair of
/// studies (half a million pairs at 1000 studies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePhrase {
    /// The phrase.
    pub text: String,
    /// Where [`first_word`] of `text` ends (0: the phrase does not start with a word).
    first_word_end: usize,
}

impl NamePhrase {
    /// The phrase `text`, its first word found.
    pub fn new(text: String) -> Self {
        let first_word_end = first_word(&text).map_or(0, str::len);
        NamePhrase {
            text,
            first_word_end,
        }
    }

    /// [`first_word`] of the phrase.
    pub fn first_word(&self) -> Option<&str> {
        (self.first_word_end > 0).then(|| &self.text[..self.first_word_end])
    }
}

/// The first word of `phrase` (see `StudyFacts::words`), or `None` when the phrase does
/// not start with one.
pub fn first_word(phrase: &str) -> Option<&str> {
    let end = phrase
        .find(|c: char| !(c.is_alphanumeric() || c == '-'))
        .unwrap_or(phrase.len());
    (end > 0).then(|| &phrase[..end])
}

#[cfg(test)]
mod word_tests {
    use super::*;

    #[test]
    fn a_phrase_named_with_word_boundaries_has_its_first_word_among_the_words() {
        let text = "Follow-up of the zang-plagh-rct cohort (Zhao et al., 2024); 据张三 et al";
        let w = words(text);
        for phrase in ["zang-plagh-rct", "Zhao et al", "Follow-up of"] {
            assert!(w.contains(first_word(phrase).unwrap()), "{phrase}");
        }
        // "张三" is not a word here: Han characters run on ("据张三"), as `word_at` sees it.
        assert!(!w.contains(first_word("张三 et al").unwrap()));
        assert_eq!(first_word("(x"), None);
        assert_eq!(first_word("Zang 2024"), Some("Zang"));
    }

    #[test]
    fn a_name_phrase_keeps_the_first_word_of_its_text() {
        for text in [
            "zang-plagh-rct",
            "Zhao et al",
            "张三 et al",
            "(x",
            "",
            "Ünal’s team",
        ] {
            let phrase = NamePhrase::new(text.to_owned());
            assert_eq!(phrase.first_word(), first_word(text), "{text}");
            assert_eq!(phrase.text, text);
        }
    }
}
