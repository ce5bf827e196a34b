//! Trial registration ids (ClinicalTrials.gov `NCT…`, ChiCTR, ISRCTN, EudraCT, ACTRN,
//! JPRN/UMIN/jRCT, CTRI, DRKS, KCT, IRCT, PACTR, NTR): recognised in a study file's
//! `registration` field and found in free text (a bibliographic record's note, URL,
//! eprint or abstract), normalised so the same id written two ways compares equal.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// A trial registry evbrief recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Registry {
    /// ClinicalTrials.gov (`NCT` and 8 digits).
    ClinicalTrialsGov,
    /// Chinese Clinical Trial Registry (`ChiCTR2000012345`, `ChiCTR-TRC-12002345`).
    ChiCtr,
    /// ISRCTN registry (`ISRCTN` and 8 digits).
    Isrctn,
    /// EU Clinical Trials Register (`EudraCT 2004-000123-45`).
    EudraCt,
    /// Australian New Zealand Clinical Trials Registry (`ACTRN` and 14 digits).
    Actrn,
    /// Japan Primary Registries Network (`JPRN-UMIN000012345`, `UMIN000012345`, `jRCT…`).
    Jprn,
    /// Clinical Trials Registry – India (`CTRI/2019/05/019234`).
    Ctri,
    /// German Clinical Trials Register (`DRKS` and 8 digits).
    Drks,
    /// Clinical Research Information Service, Korea (`KCT` and 7 digits).
    Kct,
    /// Iranian Registry of Clinical Trials (`IRCT20190101042201N1`).
    Irct,
    /// Pan African Clinical Trials Registry (`PACTR` and 15 digits).
    Pactr,
    /// Netherlands Trial Register (`NTR` and digits).
    Ntr,
}

/// One registration id, as written and as compared.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegistrationId {
    /// The registry.
    pub registry: Registry,
    /// Comparison key: upper case, separators and the optional `JPRN-` prefix removed
    /// (`ChiCTR-TRC-12002345` → `CHICTRTRC12002345`).
    pub key: String,
    /// The id as written (trimmed).
    pub text: String,
}

impl fmt::Display for RegistrationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// (registry, pattern) in the order they are tried. Word boundaries keep an NCT number
/// inside a longer token from matching.
static PATTERNS: LazyLock<Vec<(Registry, Regex)>> = LazyLock::new(|| {
    let p = |r, s: &str| {
        // The patterns are constants; a typo would fail every test of this module.
        Regex::new(s).ok().map(|re| (r, re))
    };
    [
        p(Registry::ClinicalTrialsGov, r"(?i)\bNCT\d{8}\b"),
        p(Registry::ChiCtr, r"(?i)\bChiCTR-?(?:[A-Z]{3}-)?\d{8,10}\b"),
        p(Registry::Isrctn, r"(?i)\bISRCTN\s?\d{8}\b"),
        p(
            Registry::EudraCt,
            r"(?i)\bEudraCT(?:\s*(?:no\.?|number|n[°º])\s*)?[:\s]\s*\d{4}-\d{6}-\d{2}\b",
        ),
        p(Registry::Actrn, r"(?i)\bACTRN\d{14}\b"),
        p(
            Registry::Jprn,
            r"(?i)\b(?:JPRN-)?(?:UMIN\d{9}|jRCT[a-z]?\d{9,10}|JapicCTI-?\d{6}|JMA-IIA\d{5})\b",
        ),
        p(Registry::Ctri, r"(?i)\bCTRI/\d{4}/\d{2,3}/\d{6}\b"),
        p(Registry::Drks, r"(?i)\bDRKS\d{8}\b"),
        p(Registry::Kct, r"(?i)\bKCT\d{7}\b"),
        p(Registry::Irct, r"(?i)\bIRCT\d{6,14}N\d{1,3}\b"),
        p(Registry::Pactr, r"(?i)\bPACTR\d{15}\b"),
        p(Registry::Ntr, r"(?i)\bNTR\d{3,5}\b"),
    ]
    .into_iter()
    .flatten()
    .collect()
});

/// The comparison key of an id of `registry` written as `text`.
fn key_of(registry: Registry, text: &str) -> String {
    let mut key: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_uppercase();
    if registry == Registry::Jprn
        && let Some(rest) = key.strip_prefix("JPRN")
    {
        key = rest.to_owned();
    }
    if registry == Registry::EudraCt {
        // "EudraCT No 2004-000123-45" and "EudraCT: 2004-…" compare by the number.
        key = format!(
            "EUDRACT{}",
            key.chars().filter(char::is_ascii_digit).collect::<String>()
        );
    }
    key
}

/// Every registration id in `text`, in order of appearance, each once.
pub fn find_registrations(text: &str) -> Vec<RegistrationId> {
    let mut found: Vec<(usize, RegistrationId)> = Vec::new();
    for (registry, re) in PATTERNS.iter() {
        for m in re.find_iter(text) {
            let id = RegistrationId {
                registry: *registry,
                key: key_of(*registry, m.as_str()),
                text: m.as_str().to_owned(),
            };
            if !found.iter().any(|(_, f)| f.key == id.key) {
                found.push((m.start(), id));
            }
        }
    }
    found.sort_by_key(|(at, _)| *at);
    found.into_iter().map(|(_, id)| id).collect()
}

/// `text` as one registration id, or why not.
pub fn parse_registration(text: &str) -> Result<RegistrationId, String> {
    let trimmed = text.trim();
    let found = find_registrations(trimmed);
    match found.as_slice() {
        [one] if one.text.len() == trimmed.len() => Ok(one.clone()),
        _ => Err(format!(
            "`{trimmed}` is not a trial registration id evbrief recognises (e.g. NCT01234567, ChiCTR2000012345, ChiCTR-TRC-12002345, ISRCTN12345678, EudraCT 2004-000123-45, ACTRN12610000123456, JPRN-UMIN000012345, CTRI/2019/05/019234, DRKS00012345)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_registry_is_recognised_and_normalised() {
        for (text, registry, key) in [
            ("NCT01234567", Registry::ClinicalTrialsGov, "NCT01234567"),
            ("nct01234567", Registry::ClinicalTrialsGov, "NCT01234567"),
            ("ChiCTR2000012345", Registry::ChiCtr, "CHICTR2000012345"),
            ("ChiCTR-TRC-12002345", Registry::ChiCtr, "CHICTRTRC12002345"),
            ("ISRCTN12345678", Registry::Isrctn, "ISRCTN12345678"),
            (
                "EudraCT 2004-000123-45",
                Registry::EudraCt,
                "EUDRACT200400012345",
            ),
            (
                "ACTRN12610000123456",
                Registry::Actrn,
                "ACTRN12610000123456",
            ),
            ("JPRN-UMIN000012345", Registry::Jprn, "UMIN000012345"),
            ("UMIN000012345", Registry::Jprn, "UMIN000012345"),
            ("jRCTs031180001", Registry::Jprn, "JRCTS031180001"),
            ("CTRI/2019/05/019234", Registry::Ctri, "CTRI201905019234"),
            ("DRKS00012345", Registry::Drks, "DRKS00012345"),
            ("KCT0001234", Registry::Kct, "KCT0001234"),
            (
                "IRCT20190101042201N1",
                Registry::Irct,
                "IRCT20190101042201N1",
            ),
            (
                "PACTR201901234567890",
                Registry::Pactr,
                "PACTR201901234567890",
            ),
            ("NTR1234", Registry::Ntr, "NTR1234"),
        ] {
            let id = parse_registration(text).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!((id.registry, id.key.as_str()), (registry, key), "{text}");
        }
    }

    #[test]
    fn the_same_id_written_two_ways_compares_equal() {
        let a = parse_registration("JPRN-UMIN000012345").unwrap();
        let b = parse_registration("UMIN000012345").unwrap();
        assert_eq!(a.key, b.key);
        let c = find_registrations("EudraCT number: 2004-000123-45");
        assert_eq!(
            c[0].key,
            parse_registration("EudraCT 2004-000123-45").unwrap().key
        );
    }

    #[test]
    fn ids_are_found_in_notes_urls_and_abstracts() {
        let found = find_registrations(
            "Registered at https://clinicaltrials.gov/ct2/show/NCT02302599 and ChiCTR-IOR-17013056; trial NCT02302599 again.",
        );
        let texts: Vec<&str> = found.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(texts, ["NCT02302599", "ChiCTR-IOR-17013056"]);
    }

    #[test]
    fn near_misses_are_not_ids() {
        assert!(
            find_registrations("NCT0123456 (seven digits), XNCT012345678, 2004-000123-45")
                .is_empty()
        );
        assert!(parse_registration("NCT01234567 and more").is_err());
        assert!(parse_registration("registered").is_err());
    }
}
