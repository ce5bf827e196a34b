//! Identities for de-duplication: the same article arriving from PubMed, Zotero and
//! Crossref, or already in `data/references.bib`, is recognised by its DOI, its PMID,
//! its ClinicalTrials.gov NCT id (registrations), or its normalised title and year.

use std::fmt;

use unicode_normalization::UnicodeNormalization;

use super::record::{Record, RecordKind, clean_doi, clean_pmid};

/// A DOI for comparison: prefixes (`https://doi.org/`, `doi:`) and whitespace
/// removed, lower-cased (DOIs are case-insensitive).
pub fn normalise_doi(doi: &str) -> String {
    match clean_doi(doi) {
        Some(d) => d.to_lowercase(),
        None => doi.trim().to_lowercase(),
    }
}

/// A title for comparison: Unicode-compatibility normalised (NFKC, so full-width
/// `ＵＣ` equals `UC`), lower-cased, accents dropped from Latin letters, and every
/// character that is not a letter or digit removed. Han, kana and Hangul characters
/// are kept, so "Efficacy of UC-MSC…" equals "efficacy of uc msc…" while two
/// different Chinese titles stay different.
pub fn normalise_title(title: &str) -> String {
    let mut out = String::new();
    for c in title.nfkc() {
        if !c.is_alphanumeric() {
            continue;
        }
        for lower in c.to_lowercase() {
            if lower.is_ascii() {
                out.push(lower);
                continue;
            }
            // é → e, ü → u; characters whose decomposition does not start with an
            // ASCII letter (CJK, kana with voicing marks, Greek) are kept whole.
            match std::iter::once(lower).nfd().next() {
                Some(base) if base.is_ascii_alphabetic() => out.push(base),
                _ => out.push(lower),
            }
        }
    }
    out
}

/// A person's name written in Han characters ("赵健", "欧阳明华") split into family and
/// given name: a known two-character compound surname, else the first character (the
/// rule citation keys use). `None` for names not written in Han characters.
pub fn split_han_name(name: &str) -> Option<(&str, &str)> {
    let name = name.trim();
    let first = name.chars().next()?;
    if !super::bibtex_out::is_cjk(first) || name.chars().any(char::is_whitespace) {
        return None;
    }
    let family_len = super::bibtex_out::COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(**s))
        .map_or(first.len_utf8(), |s| s.len());
    Some(name.split_at(family_len))
}

/// Why two records are taken to be the same work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchReason {
    /// Same DOI (case and prefixes ignored).
    Doi,
    /// Same PubMed identifier.
    Pmid,
    /// Same ClinicalTrials.gov registration (NCT id in the record's address).
    Nct,
    /// Same normalised title and same year.
    TitleYear,
}

impl fmt::Display for MatchReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchReason::Doi => "same DOI",
            MatchReason::Pmid => "same PMID",
            MatchReason::Nct => "same NCT id",
            MatchReason::TitleYear => "same title and year",
        })
    }
}

/// What identifies a record for de-duplication, normalised once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordIdentity {
    /// Normalised DOI ([`normalise_doi`]).
    pub doi: Option<String>,
    /// PubMed identifier, digits only.
    pub pmid: Option<String>,
    /// The ClinicalTrials.gov id (`NCT` + 8 digits) of a registration, from its address.
    pub nct: Option<String>,
    /// Normalised title ([`normalise_title`]) with the year, when both are known.
    pub title_year: Option<(String, i32)>,
}

impl RecordIdentity {
    /// The identity of a record. Works for records without a title too (entries of
    /// the curated bibliography may lack one); they then match only by DOI or PMID.
    pub fn of(record: &Record) -> Self {
        let title = normalise_title(&record.title);
        RecordIdentity {
            doi: record.doi.as_deref().map(normalise_doi),
            pmid: record.pmid.as_deref().and_then(clean_pmid),
            nct: registration_nct(record.kind, record.url.as_deref()),
            title_year: match (title.is_empty(), record.year) {
                (false, Some(year)) => Some((title, year)),
                _ => None,
            },
        }
    }

    /// The identity of an entry of the curated bibliography or the inbox, as hayagriva
    /// (and so Typst) reads it from BibTeX or YAML alike. Entries without a title match
    /// only by DOI or PMID.
    pub fn of_entry(entry: &hayagriva::Entry) -> Self {
        let title = entry
            .title()
            .map(|t| normalise_title(&t.value.to_string()))
            .unwrap_or_default();
        RecordIdentity {
            doi: entry.doi().map(normalise_doi),
            pmid: entry.pmid().and_then(clean_pmid),
            nct: match entry.entry_type() {
                hayagriva::types::EntryType::Web => nct_in(
                    &entry
                        .url_any()
                        .map(|u| u.value.to_string())
                        .unwrap_or_default(),
                ),
                _ => None,
            },
            title_year: match (title.is_empty(), entry.date_any().map(|d| d.year)) {
                (false, Some(year)) => Some((title, year)),
                _ => None,
            },
        }
    }

    /// Whether `other` is the same work, and why: same DOI, or same PMID, or same
    /// normalised title and year. Title and year are not trusted when both records
    /// carry DOIs (or both PMIDs) that differ: corrections, replies and protocol
    /// papers often share a title with the article they belong to.
    pub fn matches(&self, other: &RecordIdentity) -> Option<MatchReason> {
        let same = |a: &Option<String>, b: &Option<String>| match (a, b) {
            (Some(a), Some(b)) => Some(a == b),
            _ => None,
        };
        let doi = same(&self.doi, &other.doi);
        let pmid = same(&self.pmid, &other.pmid);
        let nct = same(&self.nct, &other.nct);
        if nct == Some(true) {
            return Some(MatchReason::Nct);
        }
        if doi == Some(true) {
            return Some(MatchReason::Doi);
        }
        if pmid == Some(true) {
            return Some(MatchReason::Pmid);
        }
        if doi == Some(false) || pmid == Some(false) || nct == Some(false) {
            return None;
        }
        match (&self.title_year, &other.title_year) {
            (Some(a), Some(b)) if a == b => Some(MatchReason::TitleYear),
            _ => None,
        }
    }
}

/// The NCT id of a registration record (`@online`), read from its address.
fn registration_nct(kind: RecordKind, url: Option<&str>) -> Option<String> {
    match kind {
        RecordKind::RegistryRecord | RecordKind::Web => nct_in(url?),
        _ => None,
    }
}

/// The first `NCT` + 8 digits in a text, upper-cased.
pub fn nct_in(text: &str) -> Option<String> {
    let upper = text.to_ascii_uppercase();
    upper.match_indices("NCT").find_map(|(i, _)| {
        let digits = upper.get(i + 3..i + 11)?;
        let after = upper[i + 11..].bytes().next();
        (digits.bytes().all(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit()))
            .then(|| format!("NCT{digits}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, year: Option<i32>, doi: Option<&str>, pmid: Option<&str>) -> Record {
        let mut r = Record::empty(RecordKind::JournalArticle, 0..0);
        r.title = title.into();
        r.year = year;
        r.doi = doi.map(Into::into);
        r.pmid = pmid.map(Into::into);
        r
    }

    #[test]
    fn dois_compare_without_case_or_prefix() {
        assert_eq!(
            normalise_doi(" https://doi.org/10.12998/WJCC.v11.i21.5083 "),
            "10.12998/wjcc.v11.i21.5083"
        );
        assert_eq!(normalise_doi("doi:10.1/AB"), "10.1/ab");
        let a = RecordIdentity::of(&record("A", None, Some("10.1/AB"), None));
        let b = RecordIdentity::of(&record("B", None, Some("https://dx.doi.org/10.1/ab"), None));
        assert_eq!(a.matches(&b), Some(MatchReason::Doi));
    }

    #[test]
    fn pmids_match() {
        let a = RecordIdentity::of(&record("A", Some(2020), None, Some("37583848")));
        let b = RecordIdentity::of(&record("B", Some(2021), Some("10.1/x"), Some(" 37583848")));
        assert_eq!(a.matches(&b), Some(MatchReason::Pmid));
        assert_eq!(MatchReason::Pmid.to_string(), "same PMID");
    }

    #[test]
    fn titles_match_across_punctuation_case_width_and_accents() {
        assert_eq!(
            normalise_title("Efficacy of UC-MSC infusion: a trial."),
            "efficacyofucmscinfusionatrial"
        );
        assert_eq!(normalise_title("ＵＣ–ＭＳＣ   Café"), "ucmsccafe");
        let a = RecordIdentity::of(&record(
            "Efficacy of UC-MSC infusion in T2DM",
            Some(2024),
            None,
            None,
        ));
        let b = RecordIdentity::of(&record(
            "efficacy of uc msc infusion in t2dm.",
            Some(2024),
            None,
            None,
        ));
        let c = RecordIdentity::of(&record(
            "efficacy of uc msc infusion in t2dm.",
            Some(2023),
            None,
            None,
        ));
        assert_eq!(a.matches(&b), Some(MatchReason::TitleYear));
        assert_eq!(a.matches(&c), None, "different years");
    }

    #[test]
    fn cjk_titles_are_kept_and_distinct() {
        let a = normalise_title("脐带间充质干细胞输注对2型糖尿病的疗效");
        let b = normalise_title("脐带间充质干细胞移植对1型糖尿病的疗效");
        assert_eq!(a, "脐带间充质干细胞输注对2型糖尿病的疗效");
        assert_ne!(a, b);
        assert_eq!(normalise_title("「がん」の治療"), "がんの治療");
        let x = RecordIdentity::of(&record(
            "脐带间充质干细胞输注对2型糖尿病的疗效",
            Some(2024),
            None,
            None,
        ));
        let y = RecordIdentity::of(&record(
            "脐带间充质干细胞移植对1型糖尿病的疗效",
            Some(2024),
            None,
            None,
        ));
        assert_eq!(x.matches(&y), None);
        let z = RecordIdentity::of(&record(
            "脐带间充质干细胞输注对2型糖尿病的疗效。",
            Some(2024),
            None,
            None,
        ));
        assert_eq!(x.matches(&z), Some(MatchReason::TitleYear));
    }

    #[test]
    fn differing_identifiers_overrule_equal_titles() {
        let a = RecordIdentity::of(&record("Correction", Some(2023), Some("10.1/a"), None));
        let b = RecordIdentity::of(&record("Correction", Some(2023), Some("10.1/b"), None));
        let c = RecordIdentity::of(&record("Correction", Some(2023), None, None));
        assert_eq!(a.matches(&b), None);
        assert_eq!(a.matches(&c), Some(MatchReason::TitleYear));
        let untitled = RecordIdentity::of(&record("", Some(2023), None, None));
        assert_eq!(untitled.title_year, None);
        assert_eq!(untitled.matches(&untitled.clone()), None);
    }

    #[test]
    fn registrations_match_by_nct_id_in_their_address() {
        assert_eq!(
            nct_in("https://clinicaltrials.gov/study/nct06000001?tab=results").as_deref(),
            Some("NCT06000001")
        );
        assert_eq!(nct_in("NCT123456789"), None);
        let mut a = record("UC-MSC in T2D", Some(2026), None, None);
        a.kind = RecordKind::RegistryRecord;
        a.url = Some("https://clinicaltrials.gov/study/NCT06000001".into());
        let mut b = a.clone();
        b.title = "Another title".into();
        b.url = Some("https://clinicaltrials.gov/ct2/show/NCT06000001".into());
        let (ia, ib) = (RecordIdentity::of(&a), RecordIdentity::of(&b));
        assert_eq!(ia.matches(&ib), Some(MatchReason::Nct));
        b.url = Some("https://clinicaltrials.gov/study/NCT06000002".into());
        b.title = a.title.clone();
        assert_eq!(ia.matches(&RecordIdentity::of(&b)), None);
        let mut article = record("UC-MSC in T2D", Some(2026), None, None);
        article.url = a.url.clone();
        assert_eq!(
            RecordIdentity::of(&article).nct,
            None,
            "articles are not registrations"
        );
    }
}
