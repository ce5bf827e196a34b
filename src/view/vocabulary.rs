//! A reader's vocabulary: the abbreviations list and the methods with their references, as
//! the view model carries them (issue 26).

use serde::Serialize;

use crate::analysis::Analysed;
use crate::analysis::methods::methods_named;
use crate::config::BriefConfig;
use crate::data::Project;
use crate::i18n::Labels;
use crate::i18n::glossary::{GlossaryEntry, abbreviations};

/// One method the brief names, with the key of its reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodRefView {
    /// "Risk of bias in randomised trials: Cochrane RoB 2".
    pub label: String,
    /// Bibliography key of its reference (`method-sterne2019`).
    pub key: String,
}

/// Every method the brief names, in listing order, labelled in the edition's language.
pub fn method_refs(project: &Project, analysed: &Analysed, labels: &Labels) -> Vec<MethodRefView> {
    methods_named(project, analysed)
        .into_iter()
        .map(|m| MethodRefView {
            label: labels
                .text(&format!("method-refs.{}", m.label_key()))
                .to_owned(),
            key: m.key().to_owned(),
        })
        .collect()
}

/// Keys of a serialised view whose strings the brief does not print: the label tables
/// (every label, printed or not), the curated texts of other languages, the glossary
/// itself and the journal-club material of the handout and slides.
const NOT_PRINTED: [&str; 4] = ["labels", "translations", "glossary", "journal_club"];

/// Every string a serialised view holds, except under the keys of [`NOT_PRINTED`].
pub fn printed_strings(view: &serde_json::Value) -> Vec<&str> {
    fn walk<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
        match v {
            serde_json::Value::String(s) => out.push(s),
            serde_json::Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    if !NOT_PRINTED.contains(&k.as_str()) {
                        walk(v, out);
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(view, &mut out);
    out
}

/// The abbreviations list of a document: terms used in the view's strings and in the
/// label sections the template prints as they are (`template_sections`, e.g. `brief`).
pub fn abbreviations_of(
    view: &serde_json::Value,
    template_sections: &[&str],
    config: &BriefConfig,
    labels: &Labels,
) -> Vec<GlossaryEntry> {
    let mut texts = printed_strings(view);
    for section in template_sections {
        if let Some(table) = view.get("labels").and_then(|l| l.get(section)) {
            texts.extend(printed_strings(table));
        }
    }
    abbreviations(texts, &config.glossary, labels.language())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_tables_count_only_where_the_template_prints_them() {
        let view = json!({
            "labels": { "brief": { "intro": "GRADE certainty" }, "measure": { "or": "OR" } },
            "rows": [{ "relative": "RR 3.88 (95% CI 1.45 to 10.35)" }],
        });
        let config: BriefConfig = toml::from_str(
            "title = \"t\"\nas-of = 2026-01-01\n[question]\npopulation = \"p\"\nintervention = \"i\"\ncomparison = \"c\"\noutcomes = \"o\"\n",
        )
        .unwrap();
        let list = abbreviations_of(
            &view,
            &["brief"],
            &config,
            crate::i18n::Language::En.labels(),
        );
        let terms: Vec<&str> = list.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(terms, ["CI", "GRADE", "RR"]);
    }
}
