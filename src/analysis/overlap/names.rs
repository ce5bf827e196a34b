//! Authors' names for comparison across studies: case, diacritics, hyphens and
//! initials folded; names in Han characters transliterated to pinyin ("母义明" → mu
//! yiming), so a Chinese article's 作者 and its English record's authors compare equal.

use deunicode::deunicode;

use crate::intake::identity::{normalise_title, split_han_name};

/// Family names so common that one of them shared between two studies says nothing
/// (the commonest Chinese, Korean, Vietnamese, Japanese, Indian and English surnames).
const VERY_COMMON_SURNAMES: [&str; 60] = [
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
    "zhu", "hu", "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han",
    "feng", "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang",
    "yu", "du", "kim", "lee", "park", "choi", "nguyen", "tran", "le", "pham", "sato", "suzuki",
    "tanaka", "singh", "kumar", "patel", "smith", "jones", "brown", "johnson", "williams",
    "miller",
];

/// Whether a folded family name is one of the very common ones.
pub fn is_very_common(family: &str) -> bool {
    VERY_COMMON_SURNAMES.contains(&family)
}

/// An author's name, folded for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorName {
    /// Family name: lower-case ASCII letters (`Müller` → `muller`, `赵` → `zhao`).
    pub family: String,
    /// Initials of the given names in order (`Xiao-Fen` → `xf`, `X. F.` → `xf`).
    pub initials: String,
    /// The given names spelled out and joined (`Xiao-Fen` → `xiaofen`), empty when only
    /// initials are known.
    pub given: String,
    /// The name as shown in messages ("Lian, Xiao-Fen").
    pub shown: String,
}

impl AuthorName {
    /// A name from its family and given parts as a bibliography gives them. A name
    /// written whole in Han characters is split into family and given name; another
    /// name without given names keeps only its family name.
    pub fn new(family: &str, given: Option<&str>) -> Option<AuthorName> {
        let family = family.trim();
        let (family_text, given_text) = match (given, split_han_name(family)) {
            (None, Some((f, g))) => (deunicode(f), Some(deunicode(g))),
            _ => (family.to_owned(), given.map(deunicode)),
        };
        let family_key = normalise_title(&deunicode(&family_text));
        if family_key.is_empty() {
            return None;
        }
        let mut initials = String::new();
        let mut spelled = String::new();
        let mut only_initials = true;
        for part in given_text
            .as_deref()
            .unwrap_or("")
            .split(|c: char| c.is_whitespace() || c == '-' || c == '.' || c == '\u{2010}')
        {
            let part = normalise_title(part);
            let Some(first) = part.chars().next() else {
                continue;
            };
            // "XF" written without dots (PubMed style) is two initials.
            if part.len() <= 3
                && part.chars().all(|c| c.is_ascii_alphabetic())
                && given_is_upper(&given_text, &part)
            {
                initials.push_str(&part);
                continue;
            }
            initials.push(first);
            spelled.push_str(&part);
            only_initials = false;
        }
        let shown = match given {
            Some(g) => format!("{family}, {g}"),
            None => family.to_owned(),
        };
        Some(AuthorName {
            family: family_key,
            initials,
            given: if only_initials {
                String::new()
            } else {
                spelled
            },
            shown,
        })
    }

    /// Whether `other` may be the same person: same family name, initials where both
    /// have them agreeing as far as the shorter goes, and full given names (where both
    /// spell them out) equal. `SurnameOnly` when either side has no given name.
    pub fn matches(&self, other: &AuthorName) -> Option<NameMatch> {
        if self.family != other.family {
            return None;
        }
        if self.initials.is_empty() || other.initials.is_empty() {
            return Some(NameMatch::SurnameOnly);
        }
        let (short, long) = if self.initials.len() <= other.initials.len() {
            (&self.initials, &other.initials)
        } else {
            (&other.initials, &self.initials)
        };
        if !long.starts_with(short.as_str()) {
            return None;
        }
        if !self.given.is_empty() && !other.given.is_empty() && self.given != other.given {
            return None;
        }
        Some(NameMatch::Person)
    }
}

/// Whether `part` (folded) was written in capitals in the given names ("XF", "J").
fn given_is_upper(given: &Option<String>, part: &str) -> bool {
    given.as_deref().is_some_and(|g| {
        g.split(|c: char| c.is_whitespace() || c == '-' || c == '.')
            .any(|w| {
                w.len() == part.len()
                    && w.eq_ignore_ascii_case(part)
                    && w.chars().all(|c| c.is_ascii_uppercase())
            })
    })
}

/// How far two names agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameMatch {
    /// Same family name and compatible given names or initials.
    Person,
    /// Same family name; one side gives no given name.
    SurnameOnly,
}

/// Authors of `a` that are also authors of `b` (compatible given names, not surname
/// alone), each of `b` used once, as `a` shows them.
pub fn shared_authors<'a>(a: &'a [AuthorName], b: &[AuthorName]) -> Vec<&'a AuthorName> {
    let mut used = vec![false; b.len()];
    let mut out = Vec::new();
    for x in a {
        if let Some(i) =
            (0..b.len()).find(|&i| !used[i] && x.matches(&b[i]) == Some(NameMatch::Person))
        {
            used[i] = true;
            out.push(x);
        }
    }
    out
}

/// Whether the shared authors are a signal: two or more people, or one whose family
/// name is not very common (a single shared Wang or Smith is not).
pub fn authors_are_a_signal(shared: &[&AuthorName]) -> bool {
    match shared {
        [] => false,
        [one] => !is_very_common(&one.family),
        _ => true,
    }
}

/// Adds `name` unless the same person (same family name, initials and given name) is
/// already listed: a Chinese article's 作者 repeat its English authors.
pub fn push_unique(list: &mut Vec<AuthorName>, name: AuthorName) {
    let same = |x: &AuthorName| {
        x.family == name.family
            && (x.initials.starts_with(&name.initials) || name.initials.starts_with(&x.initials))
            && (x.given.is_empty() || name.given.is_empty() || x.given == name.given)
    };
    if !list.iter().any(same) {
        list.push(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(family: &str, given: Option<&str>) -> AuthorName {
        AuthorName::new(family, given).unwrap()
    }

    #[test]
    fn case_diacritics_and_initials_are_folded() {
        let a = n("Müller", Some("Jörg"));
        assert_eq!(
            (a.family.as_str(), a.initials.as_str(), a.given.as_str()),
            ("muller", "j", "jorg")
        );
        assert_eq!(n("MULLER", Some("J.")).matches(&a), Some(NameMatch::Person));
        let xf = n("Lian", Some("Xiao-Fen"));
        assert_eq!((xf.initials.as_str(), xf.given.as_str()), ("xf", "xiaofen"));
        assert_eq!(n("Lian", Some("XF")).matches(&xf), Some(NameMatch::Person));
        assert_eq!(
            n("Lian", Some("X.-F.")).matches(&xf),
            Some(NameMatch::Person)
        );
        assert_eq!(
            n("Lian", Some("Xiaofen")).matches(&xf),
            Some(NameMatch::Person)
        );
        assert_eq!(n("Lian", Some("Y")).matches(&xf), None);
        assert_eq!(n("Lian", Some("Xiaoyu")).matches(&xf), None);
        assert_eq!(n("Lian", None).matches(&xf), Some(NameMatch::SurnameOnly));
    }

    #[test]
    fn han_names_are_transliterated() {
        let han = n("母义明", None);
        assert_eq!(
            (
                han.family.as_str(),
                han.initials.as_str(),
                han.given.as_str()
            ),
            ("mu", "ym", "yiming")
        );
        assert_eq!(
            n("Mu", Some("Yiming")).matches(&han),
            Some(NameMatch::Person)
        );
        assert_eq!(n("Mu", Some("Y")).matches(&han), Some(NameMatch::Person));
        assert_eq!(n("欧阳明华", None).family, "ouyang");
        let mut list = vec![n("Zhao", Some("Jian"))];
        push_unique(&mut list, n("赵健", None));
        assert_eq!(list.len(), 1);
    }

    #[test]
    fn a_single_very_common_surname_is_not_a_signal() {
        let a = [n("Wang", Some("Y.")), n("Mu", Some("Yiming"))];
        let b = [n("Wang", Some("Yuepeng"))];
        let shared = shared_authors(&a, &b);
        assert_eq!(shared.len(), 1);
        assert!(!authors_are_a_signal(&shared));
        let c = [n("Wang", Some("Yuepeng")), n("Mu", Some("Y.-M."))];
        assert!(authors_are_a_signal(&shared_authors(&a, &c)));
        let d = [n("Zang", Some("Li"))];
        assert!(authors_are_a_signal(&shared_authors(
            &[n("Zang", Some("L"))],
            &d
        )));
    }
}
