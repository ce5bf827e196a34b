//! Sentences of the curated bottom line, each with the results it rests on.
//!
//! In `brief.toml` a sentence is either a plain string or a table naming the results it
//! rests on, so `check` can compare its words with the analysis:
//!
//! ```toml
//! [[bottom-line]]
//! text = "Fasting glucose was lower than with placebo at week 20."
//! rests-on = ["fpg@week 20"]
//! ```
//!
//! A citation is `outcome@time` for an outcome's between-arm result or the key of an
//! adverse-event row of the summary of findings (`serious`, `infusion-reaction`).
//! Templates see each sentence as its text only.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use toml::Spanned;

/// One sentence of the bottom line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BottomLineSentence {
    /// The sentence as printed.
    pub text: String,
    /// The results it rests on (`outcome@time` or an adverse-event category key), each
    /// with its place in `brief.toml`.
    pub rests_on: Vec<Spanned<String>>,
}

impl BottomLineSentence {
    /// A sentence that cites nothing.
    pub fn plain(text: impl Into<String>) -> BottomLineSentence {
        BottomLineSentence {
            text: text.into(),
            rests_on: Vec::new(),
        }
    }
}

/// What a citation of `rests-on` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Citation<'a> {
    /// An outcome's between-arm result at one time point.
    Outcome {
        /// Outcome id.
        outcome: &'a str,
        /// Time point as written ("week 20").
        time: &'a str,
    },
    /// An adverse-event row of the summary of findings, by category key.
    AdverseEvent(&'a str),
}

/// Splits `fpg@week 20` into outcome and time; anything without `@` names an
/// adverse-event category.
pub fn parse_citation(text: &str) -> Citation<'_> {
    match text.split_once('@') {
        Some((outcome, time)) => Citation::Outcome {
            outcome: outcome.trim(),
            time: time.trim(),
        },
        None => Citation::AdverseEvent(text.trim()),
    }
}

impl Serialize for BottomLineSentence {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for BottomLineSentence {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SentenceVisitor)
    }
}

struct SentenceVisitor;

impl<'de> Visitor<'de> for SentenceVisitor {
    type Value = BottomLineSentence;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a sentence, or a table with `text` and `rests-on`")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(BottomLineSentence::plain(v))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(BottomLineSentence::plain(v))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut text: Option<String> = None;
        let mut rests_on: Option<Vec<Spanned<String>>> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "text" if text.is_none() => text = Some(map.next_value()?),
                "rests-on" if rests_on.is_none() => rests_on = Some(map.next_value()?),
                "text" | "rests-on" => return Err(de::Error::duplicate_field("text")),
                other => return Err(de::Error::unknown_field(other, &["text", "rests-on"])),
            }
        }
        Ok(BottomLineSentence {
            text: text.ok_or_else(|| de::Error::missing_field("text"))?,
            rests_on: rests_on.unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Serialize)]
    #[serde(rename_all = "kebab-case")]
    struct Doc {
        bottom_line: Vec<Spanned<BottomLineSentence>>,
    }

    #[test]
    fn plain_strings_and_tables_mix_and_keep_their_places() {
        let text = "bottom-line = [\n  \"Plain.\",\n  { text = \"Cites.\", rests-on = [\"fpg@week 20\", \"serious\"] },\n]\n";
        let doc: Doc = toml::from_str(text).unwrap();
        assert_eq!(doc.bottom_line.len(), 2);
        assert_eq!(doc.bottom_line[0].get_ref().text, "Plain.");
        assert!(doc.bottom_line[0].get_ref().rests_on.is_empty());
        let cited = doc.bottom_line[1].get_ref();
        assert_eq!(cited.text, "Cites.");
        let first = &cited.rests_on[0];
        assert_eq!(&text[first.span()], "\"fpg@week 20\"");
        assert_eq!(
            parse_citation(first.get_ref()),
            Citation::Outcome {
                outcome: "fpg",
                time: "week 20"
            }
        );
        assert_eq!(
            parse_citation(cited.rests_on[1].get_ref()),
            Citation::AdverseEvent("serious")
        );
        assert!(text[doc.bottom_line[1].span()].starts_with("{ text"));
        // Templates see only the text.
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(json, r#"{"bottom-line":["Plain.","Cites."]}"#);
    }

    #[test]
    fn array_of_tables_works_too_and_unknown_keys_are_refused() {
        let doc: Doc = toml::from_str(
            "[[bottom-line]]\ntext = \"A.\"\nrests-on = [\"hba1c@week 9\"]\n[[bottom-line]]\ntext = \"B.\"\n",
        )
        .unwrap();
        assert_eq!(doc.bottom_line[0].get_ref().rests_on.len(), 1);
        assert_eq!(doc.bottom_line[1].get_ref().text, "B.");
        let err = toml::from_str::<Doc>("[[bottom-line]]\ntext = \"A.\"\nrest-on = []\n")
            .err()
            .unwrap();
        assert!(err.to_string().contains("rest-on"), "{err}");
        assert!(toml::from_str::<Doc>("[[bottom-line]]\nrests-on = []\n").is_err());
    }
}
