//! Which PDF standards a document conforms to: `pdf-standards` in `brief.toml` and
//! `evbrief build --pdf-standard`.
//!
//! Typst checks conformance while it writes the PDF and refuses a document that breaks
//! the standard (an image without alt text under PDF/UA-1, say), so a brief that builds
//! with a standard conforms to it as far as Typst can tell. Every PDF evbrief writes is
//! tagged (structure tree, reading order, table headers, alt text) whatever is chosen.

use serde::{Deserialize, Serialize};

/// A PDF/A (ISO 19005) level for long-term archiving: fonts embedded, colours defined,
/// XMP metadata, nothing that depends on outside resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum PdfA {
    /// PDF/A-2b: the pages will look the same in any future reader (visual fidelity).
    #[serde(rename = "a-2b")]
    A2b,
    /// PDF/A-2u: as A-2b, and all text maps to Unicode (it can be searched and copied).
    #[serde(rename = "a-2u")]
    A2u,
    /// PDF/A-2a: as A-2u, and the document is tagged (structure and reading order).
    #[serde(rename = "a-2a")]
    A2a,
    /// PDF/A-3b: A-2b that may also carry embedded files of any type.
    #[serde(rename = "a-3b")]
    A3b,
    /// PDF/A-3u: A-2u that may also carry embedded files.
    #[serde(rename = "a-3u")]
    A3u,
    /// PDF/A-3a: A-2a that may also carry embedded files.
    #[serde(rename = "a-3a")]
    A3a,
    /// PDF/A-4: the PDF 2.0 based level (no b/u/a split).
    #[serde(rename = "a-4")]
    A4,
}

impl PdfA {
    /// Every level, in the order the names are listed in messages.
    pub const ALL: [PdfA; 7] = [
        PdfA::A2b,
        PdfA::A2u,
        PdfA::A2a,
        PdfA::A3b,
        PdfA::A3u,
        PdfA::A3a,
        PdfA::A4,
    ];

    /// The name in `brief.toml`, on the command line and in Typst (`a-2b`).
    pub fn name(self) -> &'static str {
        match self {
            PdfA::A2b => "a-2b",
            PdfA::A2u => "a-2u",
            PdfA::A2a => "a-2a",
            PdfA::A3b => "a-3b",
            PdfA::A3u => "a-3u",
            PdfA::A3a => "a-3a",
            PdfA::A4 => "a-4",
        }
    }
}

/// The name of PDF/UA-1 (ISO 14289-1, universal accessibility).
pub const UA_1: &str = "ua-1";

/// The standards one document conforms to: at most one PDF/A level and, optionally,
/// PDF/UA-1. The default is neither (a plain, tagged PDF 1.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<String>", into = "Vec<String>")]
pub struct PdfConformance {
    /// The PDF/A level, if any.
    pub archival: Option<PdfA>,
    /// PDF/UA-1: Typst then requires a title, a language and alt text for every image,
    /// and checks the tag structure.
    pub universal_access: bool,
}

impl PdfConformance {
    /// Reads a list of standard names (`a-2b`, `ua-1`, …); the error says which name is
    /// unknown or which two cannot be combined.
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<PdfConformance, String> {
        let mut conformance = PdfConformance::default();
        for name in names {
            let name = name.as_ref().trim().to_ascii_lowercase();
            if name == UA_1 {
                conformance.universal_access = true;
                continue;
            }
            let Some(level) = PdfA::ALL.into_iter().find(|l| l.name() == name) else {
                return Err(format!(
                    "unknown PDF standard `{name}` (expected {})",
                    Self::names().join(", ")
                ));
            };
            match conformance.archival {
                Some(other) if other != level => {
                    return Err(format!(
                        "a PDF conforms to at most one PDF/A level, not both `{}` and `{}`",
                        other.name(),
                        level.name()
                    ));
                }
                _ => conformance.archival = Some(level),
            }
        }
        if conformance.universal_access && conformance.archival == Some(PdfA::A4) {
            return Err(format!(
                "`a-4` is based on PDF 2.0 and `{UA_1}` on PDF 1.7: one PDF cannot be both \
                 (use `a-2a` or `a-3a` with `{UA_1}`)"
            ));
        }
        Ok(conformance)
    }

    /// Every name [`PdfConformance::from_names`] accepts.
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<&str> = PdfA::ALL.iter().map(|l| l.name()).collect();
        names.push(UA_1);
        names
    }

    /// The chosen standards' names, PDF/A first (`["a-2b", "ua-1"]`); empty for none.
    pub fn to_names(self) -> Vec<&'static str> {
        let mut names: Vec<&str> = self.archival.iter().map(|l| l.name()).collect();
        if self.universal_access {
            names.push(UA_1);
        }
        names
    }

    /// True when no standard is asked for.
    pub fn is_plain(self) -> bool {
        self == PdfConformance::default()
    }
}

impl TryFrom<Vec<String>> for PdfConformance {
    type Error = String;

    fn try_from(names: Vec<String>) -> Result<Self, Self::Error> {
        PdfConformance::from_names(&names)
    }
}

impl From<PdfConformance> for Vec<String> {
    fn from(c: PdfConformance) -> Self {
        c.to_names().into_iter().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_in_any_order_and_case() {
        let c = PdfConformance::from_names(&["UA-1", "a-2b"]).unwrap();
        assert_eq!(c.archival, Some(PdfA::A2b));
        assert!(c.universal_access);
        assert_eq!(c.to_names(), ["a-2b", "ua-1"]);
        assert!(PdfConformance::from_names::<&str>(&[]).unwrap().is_plain());
        for name in PdfConformance::names() {
            let c = PdfConformance::from_names(&[name]).unwrap();
            assert_eq!(c.to_names(), [name]);
        }
    }

    #[test]
    fn refuses_unknown_names_and_impossible_pairs() {
        let unknown = PdfConformance::from_names(&["a-1b"]).unwrap_err();
        assert!(unknown.contains("unknown PDF standard `a-1b`"), "{unknown}");
        assert!(unknown.contains("a-2b, a-2u"), "{unknown}");
        let two = PdfConformance::from_names(&["a-2b", "a-3b"]).unwrap_err();
        assert!(two.contains("at most one PDF/A level"), "{two}");
        assert!(PdfConformance::from_names(&["a-2b", "a-2b"]).is_ok());
        let ua4 = PdfConformance::from_names(&["a-4", "ua-1"]).unwrap_err();
        assert!(ua4.contains("PDF 2.0"), "{ua4}");
    }

    #[test]
    fn reads_brief_toml_lists() {
        #[derive(Deserialize)]
        struct T {
            pdf: PdfConformance,
        }
        let t: T = toml::from_str(r#"pdf = ["a-2a", "ua-1"]"#).unwrap();
        assert_eq!(t.pdf.archival, Some(PdfA::A2a));
        let e = toml::from_str::<T>(r#"pdf = ["x"]"#).err().unwrap();
        assert!(e.message().contains("unknown PDF standard `x`"));
        assert_eq!(e.span(), Some(6..11));
    }
}
