//! The common record every import format is parsed into, and the small text
//! clean-ups (whitespace, DOI prefixes, page ranges, languages, names) that all
//! parsers share so that the same article reads the same from any source.

use std::ops::Range;

/// What kind of work a record describes; decides the BibTeX entry type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// An article in a journal (`@article`).
    JournalArticle,
    /// A paper or abstract in conference proceedings (`@inproceedings`).
    ConferencePaper,
    /// A whole book (`@book`).
    Book,
    /// A chapter or section of an edited book (`@incollection`).
    BookChapter,
    /// A doctoral or master's thesis (`@thesis`).
    Thesis,
    /// A report, e.g. from an agency or a company (`@report`).
    Report,
    /// A trial registration, e.g. a ClinicalTrials.gov or ChiCTR record (`@online`).
    RegistryRecord,
    /// Any other web page (`@online`).
    Web,
    /// Anything else (`@misc`).
    Other,
}

/// One author: a family name and, for people written as "Family, Given", the given names.
///
/// Names given as one string (Chinese names such as `张帆`, organisations such as
/// `World Health Organization`) stay whole in `family` with `given = None`, so they
/// are never split at the wrong place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName {
    /// Family name, or the whole name when it cannot be split safely.
    pub family: String,
    /// Given names or initials, when the source separates them.
    pub given: Option<String>,
}

impl PersonName {
    /// A name kept as one unit (CJK name, organisation, a name without a comma).
    pub fn whole(name: impl Into<String>) -> Self {
        PersonName {
            family: name.into(),
            given: None,
        }
    }

    /// Replaces `=` in the name by `-`: BibTeX name lists cannot hold it (biblatex
    /// reads `given=Jing` as a name part, whatever the braces), so the name would
    /// vanish from the inbox and the printed bibliography. No real name has one; an
    /// export that writes one most likely means a hyphen.
    pub fn make_bibtex_safe(&mut self) {
        for part in std::iter::once(&mut self.family).chain(self.given.as_mut()) {
            if part.contains('=') {
                *part = part.replace('=', "-");
            }
        }
    }

    /// Parses `Family, Given` (the RIS, MEDLINE `FAU` and BibTeX convention); a name
    /// without a comma is kept whole. `None` when the text is blank.
    pub fn parse_inverted(text: &str) -> Option<Self> {
        let text = clean_text(text)?;
        match text.split_once(',') {
            Some((family, given)) => {
                let family = clean_text(family)?;
                Some(PersonName {
                    family,
                    given: clean_text(given),
                })
            }
            None => Some(PersonName::whole(text)),
        }
    }
}

/// A bibliographic record read from an export file, in one shape for every format.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What kind of work this is.
    pub kind: RecordKind,
    /// The title the record is cited under: the English title when the source gives
    /// an English translation next to the original (MEDLINE `TI`, RIS `TT`), else the
    /// title as given. Whitespace is collapsed; a closing full stop and the square
    /// brackets PubMed puts around translated titles are removed.
    pub title: String,
    /// The title in the work's own language when `title` is a translation, e.g. the
    /// Chinese title of a Chinese article indexed in PubMed (MEDLINE `TT`). Written
    /// to BibTeX as `titleaddon`, the convention of `data/references.bib`.
    pub original_title: Option<String>,
    /// Authors in the order the source lists them.
    pub authors: Vec<PersonName>,
    /// Year of publication.
    pub year: Option<i32>,
    /// Month of publication, 1–12.
    pub month: Option<u8>,
    /// Container title: the journal, or the book / proceedings for chapters and papers.
    pub journal: Option<String>,
    /// Volume.
    pub volume: Option<String>,
    /// Issue (BibTeX `number`).
    pub issue: Option<String>,
    /// Pages with plain hyphens, e.g. `5083-5096` or `571-577, 583`.
    pub pages: Option<String>,
    /// Publisher (institution for theses and reports).
    pub publisher: Option<String>,
    /// DOI without `https://doi.org/` or `doi:` prefix, trimmed, case kept.
    pub doi: Option<String>,
    /// PubMed identifier (digits).
    pub pmid: Option<String>,
    /// PubMed Central identifier, e.g. `PMC10410923`.
    pub pmcid: Option<String>,
    /// A link to the work.
    pub url: Option<String>,
    /// Language as a lower-case English name (`english`, `chinese`, …) when the
    /// source's code or name is known, else as given.
    pub language: Option<String>,
    /// The abstract, whitespace collapsed.
    pub abstract_text: Option<String>,
    /// Author keywords.
    pub keywords: Vec<String>,
    /// Byte range of the whole record in its file, for messages.
    pub span: Range<usize>,
}

impl Record {
    /// An empty record of a kind at a span; parsers fill in the fields.
    pub(crate) fn empty(kind: RecordKind, span: Range<usize>) -> Self {
        Record {
            kind,
            title: String::new(),
            original_title: None,
            authors: Vec::new(),
            year: None,
            month: None,
            journal: None,
            volume: None,
            issue: None,
            pages: None,
            publisher: None,
            doi: None,
            pmid: None,
            pmcid: None,
            url: None,
            language: None,
            abstract_text: None,
            keywords: Vec::new(),
            span,
        }
    }
}

/// Trims and collapses every run of whitespace to one space; `None` when nothing is left.
pub(crate) fn clean_text(text: &str) -> Option<String> {
    // Control characters (NUL, form feeds, stray escapes in exports) count as spaces:
    // BibTeX, Typst and terminals cannot show them.
    let joined = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    (!joined.is_empty()).then_some(joined)
}

/// A title as a source gives it, cleaned: whitespace collapsed, the square brackets
/// PubMed puts around translated titles and a closing full stop removed. Cleaning is
/// repeated until nothing changes, so a cleaned title cleans to itself: a record written
/// to the inbox reads back with the same title (`[Title] .` first loses the stop, then
/// the brackets).
pub(crate) fn clean_title(text: &str) -> Option<String> {
    let mut t = clean_text(text)?;
    loop {
        let before = t.len();
        if t.ends_with('.') && !t.ends_with("..") {
            t.pop();
            t = clean_text(&t)?;
        }
        if t.starts_with('[') && t.ends_with(']') && bracket_wraps_all(&t) {
            t = clean_text(&t[1..t.len() - 1])?;
        }
        if t.len() == before {
            return Some(t);
        }
    }
}

/// Whether the `[` opening `t` is closed by its last character (not `[a] and [b]`).
fn bracket_wraps_all(t: &str) -> bool {
    let mut depth = 0usize;
    for (i, c) in t.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1 == t.len();
                }
            }
            _ => {}
        }
    }
    false
}

/// A DOI as stored in a record: prefixes (`https://doi.org/`, `http://dx.doi.org/`,
/// `doi:`) and whitespace removed, case kept. `None` when nothing that starts with
/// `10.` is left.
pub(crate) fn clean_doi(text: &str) -> Option<String> {
    let mut t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    loop {
        let lower = t.to_ascii_lowercase();
        let prefix = [
            "https://doi.org/",
            "http://doi.org/",
            "https://dx.doi.org/",
            "http://dx.doi.org/",
            "doi.org/",
            "doi:",
        ]
        .into_iter()
        .find(|p| lower.starts_with(p));
        match prefix {
            Some(p) => t = t[p.len()..].to_string(),
            None => break,
        }
    }
    t.starts_with("10.").then_some(t)
}

/// Page ranges with plain hyphens: en dashes and `--` become `-`, and MEDLINE's
/// shortened end pages are written out (`5083-96` → `5083-5096`).
pub(crate) fn clean_pages(text: &str) -> Option<String> {
    let t = clean_text(text)?
        .replace("--", "-")
        .replace(['–', '—'], "-")
        .replace('+', ",");
    let parts: Vec<String> = t.split(',').map(|part| expand_range(part.trim())).collect();
    clean_text(&parts.join(", "))
}

fn expand_range(part: &str) -> String {
    if let Some((first, last)) = part.split_once('-') {
        let (first, last) = (first.trim(), last.trim());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if digits(first) && digits(last) && last.len() < first.len() {
            let head = &first[..first.len() - last.len()];
            return format!("{first}-{head}{last}");
        }
        return format!("{first}-{last}");
    }
    part.to_string()
}

/// A language code or name as a lower-case English name (`eng` → `english`,
/// `chi`/`zh`/`中文` → `chinese`); unknown values are kept as given, trimmed.
pub(crate) fn clean_language(text: &str) -> Option<String> {
    let t = clean_text(text)?;
    let key = t.to_lowercase();
    let key = key.split(['-', '_']).next().unwrap_or_default();
    let name = match key {
        "en" | "eng" | "english" | "英文" => "english",
        "zh" | "chi" | "zho" | "chinese" | "中文" | "汉语" => "chinese",
        "de" | "ger" | "deu" | "german" => "german",
        "fr" | "fre" | "fra" | "french" => "french",
        "es" | "spa" | "spanish" => "spanish",
        "it" | "ita" | "italian" => "italian",
        "pt" | "por" | "portuguese" => "portuguese",
        "ja" | "jpn" | "japanese" => "japanese",
        "ko" | "kor" | "korean" => "korean",
        "ru" | "rus" | "russian" => "russian",
        _ => return Some(t),
    };
    Some(name.to_string())
}

/// A PubMed identifier when `text` is one (digits only, after trimming).
pub(crate) fn clean_pmid(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t.len() <= 12 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.to_string())
}

/// A PMCID normalised to `PMC` + digits, accepting `PMC123`, `pmc123` or `PMCID: PMC123`.
pub(crate) fn clean_pmcid(text: &str) -> Option<String> {
    let upper = text.trim().to_ascii_uppercase();
    let at = upper.find("PMC")?;
    let rest = &upper[at..];
    let rest = rest.strip_prefix("PMCID:").map_or(rest, str::trim_start);
    let digits: String = rest
        .strip_prefix("PMC")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (!digits.is_empty()).then(|| format!("PMC{digits}"))
}

/// Whether a text names a trial registration: a ClinicalTrials.gov (`NCT` + 8
/// digits), ChiCTR, ISRCTN or ANZCTR number, or a registry's web address.
pub(crate) fn mentions_registry(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let prefixed = |prefix: &str, min_digits: usize| {
        upper.match_indices(prefix).any(|(i, _)| {
            let digits = upper[i + prefix.len()..]
                .trim_start_matches('-')
                .bytes()
                .take_while(u8::is_ascii_digit)
                .count();
            digits >= min_digits
        })
    };
    prefixed("NCT", 8)
        || prefixed("CHICTR", 6)
        || prefixed("ISRCTN", 6)
        || prefixed("ACTRN", 12)
        || upper.contains("CLINICALTRIALS.GOV")
        || upper.contains("CHICTR.ORG")
}

/// Year and month from a date written `2023`, `2023/07/26/`, `2023-07`, `2023 Jul 26`
/// or `2023 Jul-Aug`: the first four-digit number is the year, a following number
/// 1–12 or an English month abbreviation is the month.
pub(crate) fn parse_year_month(text: &str) -> (Option<i32>, Option<u8>) {
    let mut words = text
        .split(|c: char| c.is_whitespace() || matches!(c, '/' | '-' | '.' | ','))
        .filter(|w| !w.is_empty());
    let mut year = None;
    for w in words.by_ref() {
        if w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()) {
            year = w.parse().ok();
            break;
        }
    }
    let month = year.and(words.next()).and_then(month_of);
    (year, month)
}

/// A month from `7`, `07`, `Jul` or `July`.
pub(crate) fn month_of(word: &str) -> Option<u8> {
    if let Ok(n) = word.parse::<u8>() {
        return (1..=12).contains(&n).then_some(n);
    }
    const NAMES: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = word.to_ascii_lowercase();
    let head = lower.get(..3)?;
    NAMES
        .iter()
        .position(|n| *n == head)
        .and_then(|i| u8::try_from(i + 1).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_title_cleans_to_itself() {
        // Found by the `import_nbib` fuzz target: control characters between `]` and
        // the full stop left the brackets on the first cleaning only.
        let dirty = "[Efficacy of UC-MSC: a post hoc analysis]\u{8}\u{0}\u{0}.";
        assert_eq!(
            clean_title(dirty).as_deref(),
            Some("Efficacy of UC-MSC: a post hoc analysis")
        );
        for text in [
            dirty,
            "[A]. .",
            "[[Nested]].",
            "Plain title.",
            "Ends with... ",
            "[a] and [b].",
        ] {
            let once = clean_title(text).unwrap();
            assert_eq!(
                clean_title(&once).as_deref(),
                Some(once.as_str()),
                "{text:?}"
            );
        }
        assert_eq!(clean_title("[a] and [b].").as_deref(), Some("[a] and [b]"));
        assert_eq!(clean_title("Ends with...").as_deref(), Some("Ends with..."));
    }

    #[test]
    fn titles_lose_pubmed_brackets_and_closing_full_stop() {
        assert_eq!(
            clean_title("[Efficacy of  UC-MSC\n      infusion].").as_deref(),
            Some("Efficacy of UC-MSC infusion")
        );
        assert_eq!(
            clean_title("Why? A trial.").as_deref(),
            Some("Why? A trial")
        );
        assert_eq!(
            clean_title("[a] and [b]").as_deref(),
            Some("[a] and [b]"),
            "brackets that do not wrap the whole title stay"
        );
        assert_eq!(clean_title("Wait..."), Some("Wait...".into()));
        assert_eq!(clean_title(" . "), None);
    }

    #[test]
    fn dois_lose_prefixes_and_keep_case() {
        assert_eq!(
            clean_doi(" https://doi.org/10.1002/SCTM.19-0012 ").as_deref(),
            Some("10.1002/SCTM.19-0012")
        );
        assert_eq!(
            clean_doi("doi: 10.12998/wjcc.v11.i21.5083").as_deref(),
            Some("10.12998/wjcc.v11.i21.5083")
        );
        assert_eq!(
            clean_doi("http://dx.doi.org/10.1/x").as_deref(),
            Some("10.1/x")
        );
        assert_eq!(clean_doi("not a doi"), None);
    }

    #[test]
    fn pages_are_expanded_and_use_hyphens() {
        assert_eq!(clean_pages("5083-96").as_deref(), Some("5083-5096"));
        assert_eq!(
            clean_pages("571--577, 583").as_deref(),
            Some("571-577, 583")
        );
        assert_eq!(clean_pages("e12–e19").as_deref(), Some("e12-e19"));
        assert_eq!(clean_pages("12-3").as_deref(), Some("12-13"));
        assert_eq!(clean_pages("571-577+583").as_deref(), Some("571-577, 583"));
    }

    #[test]
    fn dates_give_year_and_month() {
        assert_eq!(parse_year_month("2023 Jul 26"), (Some(2023), Some(7)));
        assert_eq!(parse_year_month("2021/07/26/"), (Some(2021), Some(7)));
        assert_eq!(parse_year_month("2021///"), (Some(2021), None));
        assert_eq!(parse_year_month("2024 Jul-Aug"), (Some(2024), Some(7)));
        assert_eq!(parse_year_month("Spring 2020"), (Some(2020), None));
        assert_eq!(parse_year_month("2020 Spring"), (Some(2020), None));
        assert_eq!(parse_year_month("n.d."), (None, None));
    }

    #[test]
    fn names_split_only_at_a_comma() {
        assert_eq!(
            PersonName::parse_inverted("Lian,  Xiao-Fen"),
            Some(PersonName {
                family: "Lian".into(),
                given: Some("Xiao-Fen".into())
            })
        );
        assert_eq!(
            PersonName::parse_inverted("赵健"),
            Some(PersonName::whole("赵健"))
        );
        assert_eq!(
            PersonName::parse_inverted("Smith,"),
            Some(PersonName::whole("Smith"))
        );
        assert_eq!(PersonName::parse_inverted(" "), None);
    }

    #[test]
    fn identifiers_and_languages_are_normalised() {
        assert_eq!(
            clean_pmcid("PMCID: PMC10410923").as_deref(),
            Some("PMC10410923")
        );
        assert_eq!(clean_pmcid("pmc42").as_deref(), Some("PMC42"));
        assert_eq!(clean_pmid(" 37583848 ").as_deref(), Some("37583848"));
        assert_eq!(clean_pmid("PMC1"), None);
        assert_eq!(clean_language("chi").as_deref(), Some("chinese"));
        assert_eq!(clean_language("zh-CN").as_deref(), Some("chinese"));
        assert_eq!(clean_language("English").as_deref(), Some("english"));
        assert_eq!(clean_language("Klingon").as_deref(), Some("Klingon"));
        assert!(mentions_registry(
            "https://clinicaltrials.gov/study/NCT04216849"
        ));
        assert!(mentions_registry("ChiCTR2000029990"));
        assert!(!mentions_registry("NCT123"));
    }
}
