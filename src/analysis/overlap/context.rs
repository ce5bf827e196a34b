//! The context of a study that decides whether two studies could share participants:
//! the enrolment period as written ("October 2015 to December 2018", "2015年10月至
//! 2018年12月", "2016–2019"), the setting's distinctive words, the countries and the
//! condition.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;

use crate::intake::identity::normalise_title;

/// An enrolment period in months since year 0 (January 2015 = 2015 × 12), both ends
/// included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First month.
    pub start: i32,
    /// Last month.
    pub end: i32,
}

impl Period {
    /// Whether the two periods share at least one month.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

static DATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?,?\s+)?((?:19|20)\d{2})(?:\s*年\s*(\d{1,2})\s*月|[-/.](\d{1,2})\b)?",
    )
    .ok()
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The period of an enrolment text: from its first date to its last. A date without a
/// month stands for the whole year; a single date for that month (or year) alone.
/// `None` when the text names no year.
pub fn parse_period(text: &str) -> Option<Period> {
    let re = DATE.as_ref()?;
    let mut dates = Vec::new();
    for c in re.captures_iter(text) {
        let y = c.get(2)?;
        // A year is four digits on their own (not part of 120150 or 2015123).
        let digit_before = text[..y.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit());
        let digit_after = text[y.end()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
        if digit_before || digit_after {
            continue;
        }
        let year: i32 = y.as_str().parse().ok()?;
        let month = c
            .get(1)
            .and_then(|m| {
                MONTHS
                    .iter()
                    .position(|x| m.as_str().eq_ignore_ascii_case(x))
            })
            .map(|i| i as i32 + 1)
            .or_else(|| {
                c.get(3)
                    .or(c.get(4))
                    .and_then(|m| m.as_str().parse::<i32>().ok())
                    .filter(|m| (1..=12).contains(m))
            });
        dates.push((year, month));
    }
    let first = dates.first()?;
    let last = dates.last()?;
    Some(Period {
        start: first.0 * 12 + first.1.unwrap_or(1) - 1,
        end: last.0 * 12 + last.1.unwrap_or(12) - 1,
    })
}

/// Words that say nothing about which place it is.
const GENERIC: [&str; 74] = [
    "the",
    "of",
    "and",
    "for",
    "in",
    "at",
    "from",
    "with",
    "on",
    "to",
    "by",
    "single",
    "multi",
    "centre",
    "center",
    "centres",
    "centers",
    "multicentre",
    "multicenter",
    "site",
    "sites",
    "hospital",
    "hospitals",
    "university",
    "medical",
    "medicine",
    "school",
    "college",
    "clinic",
    "clinics",
    "clinical",
    "department",
    "dept",
    "division",
    "institute",
    "affiliated",
    "general",
    "people",
    "peoples",
    "first",
    "second",
    "third",
    "central",
    "city",
    "provincial",
    "national",
    "research",
    "health",
    "endocrinology",
    "endocrine",
    "diabetes",
    "metabolism",
    "metabolic",
    "internal",
    "outpatients",
    "outpatient",
    "inpatients",
    "ward",
    "authors",
    "class",
    "participating",
    "registry",
    "trial",
    "study",
    "patients",
    "setting",
    "stated",
    "not",
    "given",
    "abstract",
    "chinese",
    "american",
    "british",
    "japanese",
];

/// The distinctive words of a setting: folded (case, diacritics), generic words and
/// words of one letter left out; runs of Han characters give their character pairs.
pub fn setting_words(setting: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for word in setting.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        let folded = normalise_title(word);
        if !folded.is_ascii() {
            let chars: Vec<char> = folded.chars().collect();
            for pair in chars.windows(2) {
                out.insert(pair.iter().collect());
            }
            continue;
        }
        if folded.len() > 1
            && !GENERIC.contains(&folded.as_str())
            && !folded.chars().all(|c| c.is_ascii_digit())
        {
            out.insert(folded);
        }
    }
    out
}

/// Distinctive setting words two settings share, when they are at least two (one shared
/// city or one shared word is not the same place).
pub fn same_setting(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Option<Vec<String>> {
    let shared: Vec<String> = a.intersection(b).cloned().collect();
    (shared.len() >= 2).then_some(shared)
}

/// The countries of a `country` field, folded, with common synonyms merged.
pub fn countries(text: &str) -> BTreeSet<String> {
    text.split([',', ';', '/', '、', '，'])
        .flat_map(|p| p.split(" and "))
        .map(|c| {
            let folded = normalise_title(c);
            match folded.as_str() {
                "prc" | "peoplesrepublicofchina" | "mainlandchina" | "中国" => "china".to_owned(),
                "usa" | "us" | "unitedstatesofamerica" => "unitedstates".to_owned(),
                "uk" | "england" | "greatbritain" | "scotland" | "wales" => {
                    "unitedkingdom".to_owned()
                }
                _ => folded,
            }
        })
        .filter(|c| !c.is_empty())
        .collect()
}

/// The conditions named in a `condition` field: type 1, type 2 or gestational diabetes,
/// prediabetes; otherwise the folded text itself.
pub fn conditions(text: &str) -> BTreeSet<String> {
    let folded = text.to_lowercase();
    let mut out = BTreeSet::new();
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    if has(&["t2d", "type 2", "type ii", "2型"]) {
        out.insert("t2d".to_owned());
    }
    if has(&["t1d", "type 1", "type i ", "1型", "lada"]) {
        out.insert("t1d".to_owned());
    }
    if has(&["gestational", "gdm", "妊娠"]) {
        out.insert("gdm".to_owned());
    }
    if has(&["prediabet", "糖尿病前期"]) {
        out.insert("prediabetes".to_owned());
    }
    if out.is_empty() {
        let whole = normalise_title(text);
        if !whole.is_empty() {
            out.insert(whole);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> (i32, i32, i32, i32) {
        let period = parse_period(text).unwrap();
        (
            period.start / 12,
            period.start % 12 + 1,
            period.end / 12,
            period.end % 12 + 1,
        )
    }

    #[test]
    fn enrolment_periods_are_parsed_as_written() {
        assert_eq!(p("October 2015 to December 2018"), (2015, 10, 2018, 12));
        assert_eq!(p("Oct. 2015 – Dec. 2018"), (2015, 10, 2018, 12));
        assert_eq!(p("2015年10月至2018年12月"), (2015, 10, 2018, 12));
        assert_eq!(p("2015-10 to 2018-12"), (2015, 10, 2018, 12));
        assert_eq!(p("2016–2019"), (2016, 1, 2019, 12));
        assert_eq!(p("June 2022"), (2022, 6, 2022, 6));
        assert_eq!(p("between March 2016 and 2017"), (2016, 3, 2017, 12));
        assert!(parse_period("not reported").is_none());
    }

    #[test]
    fn periods_overlap_only_when_they_share_a_month() {
        let a = parse_period("October 2015 to December 2018").unwrap();
        assert!(a.overlaps(&parse_period("2018-12 to 2019-06").unwrap()));
        assert!(!a.overlaps(&parse_period("January 2019 to May 2020").unwrap()));
        assert!(!a.overlaps(&parse_period("2010 to 2012").unwrap()));
    }

    #[test]
    fn settings_compare_by_distinctive_words() {
        let pla = setting_words(
            "Single centre: Department of Endocrinology, First Medical Center of Chinese PLA General Hospital, Beijing",
        );
        assert_eq!(pla, ["beijing", "pla"].map(String::from).into());
        let pla2 = setting_words("Chinese PLA General Hospital, Beijing, China");
        assert!(same_setting(&pla, &pla2).is_some());
        // Another hospital in the same city is not the same setting.
        let pumch = setting_words("Peking Union Medical College Hospital, Beijing");
        assert!(same_setting(&pla, &pumch).is_none());
        let shenzhen =
            setting_words("Department of Endocrinology, Peking University Shenzhen Hospital");
        let lian = setting_words(
            "A Class A hospital; authors from the Department of Endocrinology, Peking University Shenzhen Hospital and Huizhou Central People's Hospital, Guangdong",
        );
        assert_eq!(
            same_setting(&shenzhen, &lian),
            Some(vec!["peking".into(), "shenzhen".into()])
        );
        let han = setting_words("解放军总医院");
        assert!(han.contains("解放"));
    }

    #[test]
    fn countries_and_conditions_are_normalised() {
        assert_eq!(countries("China"), countries("People's Republic of China"));
        assert_eq!(countries("USA, Canada").len(), 2);
        assert_eq!(
            conditions("T2DM"),
            conditions("Type 2 diabetes mellitus with NAFLD")
        );
        assert_ne!(conditions("T1D"), conditions("T2DM"));
    }
}
