//! `evbrief new-study KEY --report-of STUDY`: a drafted record turns out to describe the
//! participants of a study already in the brief, so it becomes one more `[[reports]]`
//! entry of that study, and the draft's values move into the study file where they fit.
//!
//! A value fits when its arms are the study's arms (same role and size), or the arms of
//! one of the study's `[[subpopulations]]` (then it is filed with `subpopulation = …`).
//! A result or adverse event the study already has for the same outcome, time and arm is
//! kept on record with `analyse = false`, so the same participants are never pooled
//! twice. Whatever does not fit stays in the draft, and a message says why.
//! The study file keeps its formatting (toml_edit); new tables go at its end.

use std::collections::BTreeMap;

use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

/// What merging a draft into a study gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The study file's new text.
    pub study_text: String,
    /// The draft's text with what was not merged, or `None` when everything moved.
    pub draft_left: Option<String>,
    /// What was done, in sentences for the curator.
    pub messages: Vec<String>,
}

/// Arrays of the draft whose entries may move.
const MOVABLE: [&str; 5] = [
    "baseline",
    "results",
    "comparisons",
    "adverse-events",
    "findings",
];

/// An arm as the study file gives it.
struct ArmInfo {
    id: String,
    role: String,
    n: i64,
}

fn arms_of(doc: &DocumentMut) -> Vec<ArmInfo> {
    doc.get("arms")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    Some(ArmInfo {
                        id: t.get("id")?.as_str()?.to_owned(),
                        role: t.get("role")?.as_str()?.to_owned(),
                        n: t.get("n")?.as_integer()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// How the draft's arms map onto the study: arm ids, and the subpopulation if any.
struct Mapping {
    arms: BTreeMap<String, String>,
    subpopulation: Option<String>,
}

/// The draft's arms as the study's whole arms, or as one of its subpopulations.
fn mapping(study: &DocumentMut, draft_arms: &[ArmInfo]) -> Option<Mapping> {
    if draft_arms.is_empty() {
        return None;
    }
    let arms = arms_of(study);
    let map_with = |size: &dyn Fn(&ArmInfo) -> Option<i64>| -> Option<BTreeMap<String, String>> {
        let mut out = BTreeMap::new();
        for d in draft_arms {
            let mut fits = arms
                .iter()
                .filter(|a| a.role == d.role && size(a) == Some(d.n));
            let a = fits.next()?;
            if fits.next().is_some() {
                return None;
            }
            out.insert(d.id.clone(), a.id.clone());
        }
        Some(out)
    };
    if let Some(m) = map_with(&|a: &ArmInfo| Some(a.n)) {
        return Some(Mapping {
            arms: m,
            subpopulation: None,
        });
    }
    let subs = study
        .get("subpopulations")
        .and_then(Item::as_array_of_tables)?;
    for p in subs.iter() {
        let (Some(id), Some(sizes)) = (
            p.get("id").and_then(Item::as_str),
            p.get("arms").and_then(Item::as_table_like),
        ) else {
            continue;
        };
        let size = |a: &ArmInfo| sizes.get(&a.id).and_then(Item::as_integer);
        if let Some(m) = map_with(&size) {
            return Some(Mapping {
                arms: m,
                subpopulation: Some(id.to_owned()),
            });
        }
    }
    None
}

fn describe(arms: &[ArmInfo]) -> String {
    arms.iter()
        .map(|a| format!("{} n={}", a.id, a.n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The arms an entry names (`arm`, or `arms = [...]`).
fn arms_named(t: &Table) -> Vec<String> {
    let mut out: Vec<String> = t
        .get("arm")
        .and_then(Item::as_str)
        .map(str::to_owned)
        .into_iter()
        .collect();
    if let Some(list) = t.get("arms").and_then(Item::as_array) {
        out.extend(list.iter().filter_map(|v| v.as_str().map(str::to_owned)));
    }
    out
}

/// Whether the study already analyses an entry like `t` (same outcome, time, arm and
/// subpopulation for results; same event and arm for adverse events).
fn already_there(study: &DocumentMut, array: &str, t: &Table) -> Option<String> {
    let existing = study.get(array).and_then(Item::as_array_of_tables)?;
    let s = |t: &Table, k: &str| t.get(k).and_then(Item::as_str).map(str::to_owned);
    let keys: &[&str] = match array {
        "results" => &["outcome", "time", "arm", "subpopulation"],
        "adverse-events" => &["event", "arm"],
        _ => return None,
    };
    existing
        .iter()
        .find(|e| {
            e.get("analyse").and_then(Item::as_bool) != Some(false)
                && keys.iter().all(|k| s(e, k) == s(t, k))
        })
        .map(|e| {
            let report = e
                .get("source")
                .and_then(Item::as_table_like)
                .and_then(|src| src.get("report"))
                .and_then(Item::as_str)
                .unwrap_or("?");
            format!("from `{report}`")
        })
}

/// Files inbox record `key` as another report of the study whose file text is
/// `study_text` (`study_id` for messages), moving the values of `draft_text` that fit.
pub fn merge_into(
    study_text: &str,
    study_id: &str,
    draft_text: Option<&str>,
    key: &str,
) -> Result<Merged, String> {
    let mut study: DocumentMut = study_text
        .parse()
        .map_err(|e| format!("data/studies/{study_id}.toml does not parse ({e})"))?;
    let mut messages = Vec::new();
    let mut draft: Option<DocumentMut> = match draft_text.map(str::parse::<DocumentMut>) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            messages.push(format!(
                "the draft does not parse ({}); none of its values were moved",
                e.to_string().trim()
            ));
            None
        }
        None => None,
    };

    // The report entry: the draft's role and note, unless it claims a second main report.
    let draft_report = draft.as_ref().and_then(|d| {
        d.get("reports")?
            .as_array_of_tables()?
            .iter()
            .find(|t| t.get("key").and_then(Item::as_str) == Some(key))
            .cloned()
    });
    let has_primary = study
        .get("reports")
        .and_then(Item::as_array_of_tables)
        .is_some_and(|a| {
            a.iter()
                .any(|t| t.get("role").and_then(Item::as_str) == Some("primary"))
        });
    let mut role = draft_report
        .as_ref()
        .and_then(|t| t.get("role")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| "secondary".to_owned());
    if role == "primary" && has_primary {
        role = "secondary".to_owned();
        messages.push(format!(
            "`{study_id}` already has a main report, so `{key}` is filed with role = \"secondary\"; set it to \"post-hoc\", \"abstract\" … in data/studies/{study_id}.toml if that describes it better"
        ));
    }
    let mut report = Table::new();
    report.insert("key", value(key));
    report.insert("role", value(role.as_str()));
    if let Some(note) = draft_report
        .as_ref()
        .and_then(|t| t.get("note"))
        .and_then(Item::as_str)
    {
        report.insert("note", value(note));
    }
    report.decor_mut().set_prefix(format!(
        "\n# Filed by `evbrief new-study {key} --report-of {study_id}`.\n"
    ));
    push_table(&mut study, "reports", report);

    if let Some(draft) = draft.as_mut() {
        move_values(&mut study, draft, study_id, &mut messages);
    }
    let draft_left = draft.filter(|d| {
        MOVABLE.iter().any(|a| {
            d.get(a)
                .and_then(Item::as_array_of_tables)
                .is_some_and(|t| !t.is_empty())
        })
    });
    Ok(Merged {
        study_text: study.to_string(),
        draft_left: draft_left.map(|d| d.to_string()),
        messages,
    })
}

/// Appends `table` to the array of tables `name` of `doc`, creating it if needed.
fn push_table(doc: &mut DocumentMut, name: &str, table: Table) {
    match doc.get_mut(name).and_then(Item::as_array_of_tables_mut) {
        Some(a) => a.push(table),
        None => {
            let mut a = ArrayOfTables::new();
            a.push(table);
            doc.insert(name, Item::ArrayOfTables(a));
        }
    }
}

/// Moves the draft's registration ids and the values that fit from `draft` into `study`.
fn move_values(
    study: &mut DocumentMut,
    draft: &mut DocumentMut,
    study_id: &str,
    messages: &mut Vec<String>,
) {
    if let Some(ids) = draft.get("registration").and_then(Item::as_array) {
        let mut added = Vec::new();
        for id in ids.iter().filter_map(|v| v.as_str()) {
            let list = study
                .entry("registration")
                .or_insert(value(toml_edit::Array::new()));
            if let Some(list) = list.as_array_mut()
                && !list.iter().any(|v| v.as_str() == Some(id))
            {
                list.push(id);
                added.push(id.to_owned());
            }
        }
        if !added.is_empty() {
            messages.push(format!(
                "registration {} added to `{study_id}`",
                added.join(", ")
            ));
        }
    }
    let draft_arms = arms_of(draft);
    let map = mapping(study, &draft_arms);
    let mut moved = 0;
    let mut left = 0;
    let mut kept_off = Vec::new();
    for array in MOVABLE {
        let Some(entries) = draft.get_mut(array).and_then(Item::as_array_of_tables_mut) else {
            continue;
        };
        let mut remaining = ArrayOfTables::new();
        for t in entries.iter() {
            let named = arms_named(t);
            let fits_arms = named
                .iter()
                .all(|a| map.as_ref().is_some_and(|m| m.arms.contains_key(a)));
            // A subpopulation's value can only be a result or a baseline value.
            let sub = map.as_ref().and_then(|m| m.subpopulation.clone());
            let fits = (named.is_empty() || fits_arms)
                && (sub.is_none() || named.is_empty() || matches!(array, "results" | "baseline"));
            if !fits {
                remaining.push(t.clone());
                left += 1;
                continue;
            }
            let mut t = t.clone();
            // Placed after the study's own entries of the array, not where the draft had it.
            t.set_position(None);
            if let Some(m) = &map {
                if let Some(a) = t
                    .get("arm")
                    .and_then(Item::as_str)
                    .and_then(|a| m.arms.get(a))
                {
                    t.insert("arm", value(a.as_str()));
                }
                if let Some(list) = t.get("arms").and_then(Item::as_array) {
                    let mapped: toml_edit::Array = list
                        .iter()
                        .filter_map(|v| v.as_str())
                        .map(|a| m.arms.get(a).map_or(a, String::as_str).to_owned())
                        .collect();
                    t.insert("arms", value(mapped));
                }
                if let (Some(sub), true) = (&sub, matches!(array, "results" | "baseline")) {
                    t.insert("subpopulation", value(sub.as_str()));
                }
            }
            if let Some(from) = already_there(study, array, &t) {
                t.insert("analyse", value(false));
                kept_off.push(format!(
                    "{} {}",
                    t.get("outcome")
                        .or(t.get("event"))
                        .and_then(Item::as_str)
                        .unwrap_or("?"),
                    from
                ));
            }
            push_table(study, array, t);
            moved += 1;
        }
        *entries = remaining;
    }
    if moved > 0 {
        let how = match map.as_ref().and_then(|m| m.subpopulation.as_deref()) {
            Some(sub) => format!(" (for its subpopulation `{sub}`)"),
            None => String::new(),
        };
        messages.push(format!(
            "{moved} value(s) of the draft moved into `{study_id}`{how}"
        ));
    }
    if !kept_off.is_empty() {
        messages.push(format!(
            "{} of them kept on record with analyse = false, because `{study_id}` already analyses the same: {}",
            kept_off.len(),
            kept_off.join("; ")
        ));
    }
    if left > 0 {
        let why = if map.is_none() {
            format!(
                "the draft's arms ({}) match neither the arms of `{study_id}` ({}) nor one of its [[subpopulations]]",
                describe(&draft_arms),
                describe(&arms_of(study))
            )
        } else {
            "they are not results or baseline values and the draft's arms are a subpopulation of the study".to_owned()
        };
        messages.push(format!(
            "{left} value(s) stay in the draft because {why}; add them by hand (for a subgroup, declare it under [[subpopulations]] with its arm sizes and give each result `subpopulation = …`)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARENT: &str = r#"id = "zang-rct"
label = "Zang 2019"
design = "rct"
condition = "T2DM"
population = "Adults with T2DM"

[[reports]]
key = "zang2019"
role = "primary"

[[subpopulations]]
id = "nafld"
population = "T2DM with NAFLD"
arms = { ucmsc = 33, placebo = 32 }
source = { report = "zang2019", at = "Table 1" }

[[arms]]
id = "ucmsc"
label = "UC-MSC"
role = "intervention"
n = 45
intervention = "UC-MSC"
source = { report = "zang2019", at = "Methods" }

[[arms]]
id = "placebo"
label = "Placebo"
role = "control"
n = 46
intervention = "Placebo"
source = { report = "zang2019", at = "Methods" }

[[results]]
outcome = "fpg"
time = "week 9"
arm = "ucmsc"
mean = 7.0
sd = 1.0
source = { report = "zang2019", at = "Table 2" }
"#;

    fn draft(n: (i64, i64)) -> String {
        format!(
            r#"id = "zhao2024"
label = "Zhao 2024"
design = "rct"
condition = "T2DM"
population = "T2DM with NAFLD"
registration = ["NCT01234567"]

[[reports]]
key = "zhao2024"
role = "post-hoc"
note = "Post hoc subgroup"

[[arms]]
id = "intervention"
label = "UC-MSC"
role = "intervention"
n = {}
intervention = "x"
source = {{ report = "zhao2024", at = "Methods" }}

[[arms]]
id = "control"
label = "Placebo"
role = "control"
n = {}
intervention = "y"
source = {{ report = "zhao2024", at = "Methods" }}

[[results]]
outcome = "fpg"
time = "week 9"
arm = "intervention"
mean = 7.46
sd = 1.79
source = {{ report = "zhao2024", at = "Results" }}

[[comparisons]]
outcome = "fpg"
time = "week 9"
arms = ["intervention", "control"]
p = "0.007"
source = {{ report = "zhao2024", at = "Results" }}

[[findings]]
text = "Liver enzymes fell."
source = {{ report = "zhao2024", at = "Results" }}
"#,
            n.0, n.1
        )
    }

    #[test]
    fn a_subgroup_report_is_filed_under_the_parents_subpopulation() {
        let m = merge_into(PARENT, "zang-rct", Some(&draft((33, 32))), "zhao2024").unwrap();
        let study: crate::data::model::Study = toml::from_str(&m.study_text).unwrap();
        assert_eq!(study.reports[1].key.get_ref(), "zhao2024");
        assert_eq!(study.reports[1].role.key(), "post-hoc");
        assert_eq!(study.registration[0].get_ref(), "NCT01234567");
        assert_eq!(study.results.len(), 2);
        let r = &study.results[1];
        assert_eq!(r.arm.get_ref(), "ucmsc");
        assert_eq!(r.subpopulation.as_ref().unwrap().get_ref(), "nafld");
        assert!(r.analyse);
        assert_eq!(study.findings.len(), 1);
        // The comparison cannot be a subpopulation's: it stays in the draft.
        assert!(study.comparisons.is_empty());
        let left = m.draft_left.unwrap();
        assert!(left.contains("[[comparisons]]") && !left.contains("[[results]]"));
        assert_eq!(m.messages.len(), 3, "{:?}", m.messages);
        // The parent's own text is kept as written, the new entries after its own.
        assert!(m.study_text.contains(
            &PARENT
                [PARENT.find("[[subpopulations]]").unwrap()..PARENT.find("[[results]]").unwrap()]
        ));
        assert!(m.study_text.contains(
            "source = { report = \"zang2019\", at = \"Table 2\" }\n\n[[results]]\noutcome = \"fpg\""
        ));
    }

    #[test]
    fn whole_trial_values_already_analysed_are_kept_off_the_analysis() {
        let m = merge_into(PARENT, "zang-rct", Some(&draft((45, 46))), "zhao2024").unwrap();
        let study: crate::data::model::Study = toml::from_str(&m.study_text).unwrap();
        assert!(!study.results[1].analyse, "{}", m.study_text);
        assert_eq!(
            study.comparisons[0].arms.as_ref().unwrap().get_ref(),
            &["ucmsc", "placebo"]
        );
        assert!(m.draft_left.is_none());
        assert!(
            m.messages
                .iter()
                .any(|s| s.contains("analyse = false") && s.contains("fpg from `zang2019`"))
        );
    }

    #[test]
    fn values_whose_arms_do_not_fit_stay_in_the_draft() {
        let m = merge_into(PARENT, "zang-rct", Some(&draft((20, 20))), "zhao2024").unwrap();
        let study: crate::data::model::Study = toml::from_str(&m.study_text).unwrap();
        assert_eq!(study.results.len(), 1);
        assert_eq!(study.findings.len(), 1);
        assert!(m.messages.iter().any(|s| s.contains(
            "the draft's arms (intervention n=20, control n=20) match neither the arms of `zang-rct` (ucmsc n=45, placebo n=46)"
        )));
    }

    #[test]
    fn without_a_draft_the_record_becomes_a_secondary_report() {
        let m = merge_into(PARENT, "zang-rct", None, "zhao2024").unwrap();
        assert!(m.study_text.contains(
            "role = \"primary\"\n\n# Filed by `evbrief new-study zhao2024 --report-of zang-rct`.\n[[reports]]\nkey = \"zhao2024\"\nrole = \"secondary\"\n\n[[subpopulations]]"
        ), "{}", m.study_text);
        assert!(m.draft_left.is_none());
    }
}
