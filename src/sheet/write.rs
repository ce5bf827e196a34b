//! From an extraction to file contents: new or extended study files and the outcomes
//! `brief.toml` lacks, planned in memory so that nothing is written when anything is wrong.
//!
//! Editing goes through `toml_edit`, so a curator's comments and layout survive. A value a
//! study file holds already is never replaced unless asked (`--update`): a sheet value that
//! differs is a problem at its cell. Numbers keep the digits the sheet prints (`25.00`).

use std::path::{Path, PathBuf};

use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use super::rows::{CellText, Extraction, Kind, Place, SheetArm, SheetStudy, SheetValue};

/// The files to write and what changes in each.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Files and their new text, in the order to write them (studies, then brief.toml).
    pub writes: Vec<(PathBuf, String)>,
    /// One line per change, for the user (`added data/studies/x.toml: 2 arms, 2 values`).
    pub summary: Vec<String>,
}

/// A planned edit's problems at sheet cells, as (place, message).
type Problems = Vec<(Place, String)>;

/// Plans the writes for `extraction` into the project at `root`; `update` lets sheet
/// values replace differing ones. Problems come back as (place, message).
pub fn plan(root: &Path, extraction: &Extraction, update: bool) -> Result<Plan, Problems> {
    let mut problems = Vec::new();
    let mut plan = Plan::default();
    for study in &extraction.studies {
        let rel = format!("data/studies/{}.toml", study.id);
        let path = root.join(&rel);
        let existing = match std::fs::read_to_string(&path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                problems.push((study.first, format!("cannot read {rel} ({e})")));
                continue;
            }
        };
        let mut doc = match existing.as_deref().map(str::parse::<DocumentMut>) {
            None => DocumentMut::new(),
            Some(Ok(doc)) => doc,
            Some(Err(e)) => {
                problems.push((
                    study.first,
                    format!("{rel} is not valid TOML ({})", e.message()),
                ));
                continue;
            }
        };
        let mut edit = StudyEdit {
            rel: &rel,
            update,
            problems: Vec::new(),
            changes: Changes::default(),
        };
        edit.apply(&mut doc, study);
        problems.extend(edit.problems);
        let text = doc.to_string();
        let changes = edit.changes;
        if existing.as_deref() == Some(text.as_str()) {
            plan.summary.push(format!("unchanged {rel}"));
            continue;
        }
        let verb = if existing.is_some() {
            "extended"
        } else {
            "added"
        };
        plan.summary
            .push(format!("{verb} {rel}: {}", changes.describe()));
        plan.writes.push((path, text));
    }
    match brief_outcomes(root, extraction) {
        Ok(Some((text, added))) => {
            for (id, kind) in added {
                plan.summary.push(format!(
                    "added outcome `{id}` to brief.toml ({}, inferred from the values; its label, unit and better direction are marked `to check`)",
                    kind.name()
                ));
            }
            plan.writes.push((root.join("brief.toml"), text));
        }
        Ok(None) => {}
        Err(p) => problems.push(p),
    }
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(problems)
    }
}

/// Counts of what an edit adds or replaces.
#[derive(Debug, Default)]
struct Changes {
    reports: usize,
    arms: usize,
    values: usize,
    replaced: usize,
}

impl Changes {
    fn describe(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut parts = Vec::new();
        if self.reports > 0 {
            parts.push(plural(self.reports, "report", "reports"));
        }
        if self.arms > 0 {
            parts.push(plural(self.arms, "arm", "arms"));
        }
        if self.values > 0 {
            parts.push(plural(self.values, "value", "values"));
        }
        if self.replaced > 0 {
            parts.push(format!(
                "{} replaced",
                plural(self.replaced, "value", "values")
            ));
        }
        if parts.is_empty() {
            "study fields".to_owned()
        } else {
            parts.join(", ")
        }
    }
}

/// One study file being extended.
struct StudyEdit<'a> {
    rel: &'a str,
    update: bool,
    problems: Problems,
    changes: Changes,
}

impl StudyEdit<'_> {
    fn apply(&mut self, doc: &mut DocumentMut, study: &SheetStudy) {
        if !doc.contains_key("id") {
            doc.insert("id", Item::Value(Value::from(study.id.as_str())));
        }
        for field in ["label", "design", "condition", "population"] {
            if let Some(cell) = study.fields.get(field) {
                let value = Value::from(cell.text.as_str());
                self.set(doc.as_table_mut(), field, value, cell, "");
            }
        }
        self.reports(doc, study);
        for arm in &study.arms {
            self.arm(doc, arm);
        }
        for value in &study.values {
            let arm = study
                .arms
                .iter()
                .find(|a| a.id == value.arm)
                .map(|a| arm_id_in(doc, a))
                .unwrap_or_else(|| value.arm.clone());
            self.result(doc, value, &arm);
        }
    }

    /// Sets `key` of `table` to `value` (from `cell`): added when absent, a problem when
    /// it differs (replaced with `--update`). `what` names the table for messages.
    fn set(&mut self, table: &mut Table, key: &str, value: Value, cell: &CellText, what: &str) {
        match table.get(key).and_then(Item::as_value).cloned() {
            None => {
                table.insert(key, Item::Value(value));
            }
            Some(old) if same(&old, &value) => {}
            Some(old) => {
                if self.update {
                    table.insert(key, Item::Value(value));
                    self.changes.replaced += 1;
                } else {
                    let old = old.to_string();
                    self.problems.push((
                        cell.at,
                        format!(
                            "`{key}`{what} is {} here, but {} holds {}; `--update` replaces it",
                            display(&value),
                            self.rel,
                            old.trim()
                        ),
                    ));
                }
            }
        }
    }

    fn reports(&mut self, doc: &mut DocumentMut, study: &SheetStudy) {
        let reports = tables(doc, "reports");
        for key in &study.reports {
            if reports
                .iter()
                .any(|t| t.get("key").and_then(Item::as_str) == Some(key))
            {
                continue;
            }
            let mut table = Table::new();
            table.insert("key", Item::Value(Value::from(key.as_str())));
            let role = if reports.is_empty() {
                "primary"
            } else {
                "secondary"
            };
            let mut role = Value::from(role);
            if !reports.is_empty() {
                role.decor_mut().set_suffix(
                    "  # to check: primary, post-hoc, secondary, abstract, registration or mention",
                );
            }
            table.insert("role", Item::Value(role));
            reports.push(table);
            self.changes.reports += 1;
        }
    }

    fn arm(&mut self, doc: &mut DocumentMut, arm: &SheetArm) {
        let arms = tables(doc, "arms");
        let found = arms.iter_mut().find(|t| {
            t.get("id").and_then(Item::as_str) == Some(arm.id.as_str())
                || t.get("label").and_then(Item::as_str) == Some(arm.label.text.as_str())
        });
        let what = format!(" of arm `{}`", arm.label.text);
        match found {
            Some(table) => {
                self.set(
                    table,
                    "role",
                    Value::from(arm.role.text.as_str()),
                    &arm.role,
                    &what,
                );
                self.set(table, "n", integer(&arm.n.text), &arm.n, &what);
            }
            None => {
                let mut table = Table::new();
                table.insert("id", Item::Value(Value::from(arm.id.as_str())));
                table.insert("label", Item::Value(Value::from(arm.label.text.as_str())));
                table.insert("role", Item::Value(Value::from(arm.role.text.as_str())));
                table.insert("n", Item::Value(integer(&arm.n.text)));
                let mut intervention = Value::from(arm.label.text.as_str());
                intervention
                    .decor_mut()
                    .set_suffix("  # to check: the treatment and dose as written");
                table.insert("intervention", Item::Value(intervention));
                table.insert(
                    "source",
                    Item::Value(Value::InlineTable(source(&arm.report, &arm.at))),
                );
                arms.push(table);
                self.changes.arms += 1;
            }
        }
    }

    fn result(&mut self, doc: &mut DocumentMut, value: &SheetValue, arm: &str) {
        let results = tables(doc, "results");
        let found = results.iter_mut().find(|t| {
            t.get("outcome").and_then(Item::as_str) == Some(value.outcome.as_str())
                && t.get("time")
                    .and_then(Item::as_str)
                    .is_some_and(|x| x.eq_ignore_ascii_case(&value.time))
                && t.get("arm").and_then(Item::as_str) == Some(arm)
                && !t.contains_key("subpopulation")
        });
        let what = format!(" of `{}` at {} in arm `{arm}`", value.outcome, value.time);
        match found {
            Some(table) => {
                for (name, cell) in &value.values {
                    self.set(table, name, number_value(name, &cell.text), cell, &what);
                }
                let old_source = table.get("source").and_then(Item::as_value).map(|v| {
                    let t = v.as_inline_table();
                    (
                        t.and_then(|t| t.get("report"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                        t.and_then(|t| t.get("at"))
                            .and_then(Value::as_str)
                            .map(str::to_owned),
                    )
                });
                let new = (Some(value.report.clone()), Some(value.at.clone()));
                if old_source.as_ref() != Some(&new) {
                    let place = value.values.first().map_or(
                        Place {
                            row: value.row,
                            col: 1,
                        },
                        |(_, c)| c.at,
                    );
                    if self.update || old_source.is_none() {
                        table.insert(
                            "source",
                            Item::Value(Value::InlineTable(source(&value.report, &value.at))),
                        );
                        self.changes.replaced += usize::from(old_source.is_some());
                    } else {
                        self.problems.push((
                            place,
                            format!(
                                "the source{what} is {} ({}) here, but {} gives another; `--update` replaces it",
                                value.report, value.at, self.rel
                            ),
                        ));
                    }
                }
            }
            None => {
                let mut table = Table::new();
                table.insert("outcome", Item::Value(Value::from(value.outcome.as_str())));
                table.insert("time", Item::Value(Value::from(value.time.as_str())));
                table.insert("arm", Item::Value(Value::from(arm)));
                for (name, cell) in &value.values {
                    table.insert(name, Item::Value(number_value(name, &cell.text)));
                }
                table.insert(
                    "source",
                    Item::Value(Value::InlineTable(source(&value.report, &value.at))),
                );
                results.push(table);
                self.changes.values += 1;
            }
        }
    }
}

/// The id the study file gives the sheet's arm (an existing arm may be matched by label).
fn arm_id_in(doc: &DocumentMut, arm: &SheetArm) -> String {
    doc.get("arms")
        .and_then(Item::as_array_of_tables)
        .and_then(|arms| {
            arms.iter().find(|t| {
                t.get("id").and_then(Item::as_str) == Some(arm.id.as_str())
                    || t.get("label").and_then(Item::as_str) == Some(arm.label.text.as_str())
            })
        })
        .and_then(|t| t.get("id").and_then(Item::as_str))
        .map_or_else(|| arm.id.clone(), str::to_owned)
}

/// The array of tables `key` of `doc`, made when missing.
fn tables<'d>(doc: &'d mut DocumentMut, key: &str) -> &'d mut ArrayOfTables {
    if !doc.get(key).is_some_and(Item::is_array_of_tables) {
        doc.insert(key, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    doc[key].as_array_of_tables_mut().expect("just made")
}

/// `{ report = "…", at = "…" }`.
fn source(report: &str, at: &str) -> InlineTable {
    let mut t = InlineTable::new();
    t.insert("report", Value::from(report));
    t.insert("at", Value::from(at));
    t
}

/// A whole number as written.
fn integer(text: &str) -> Value {
    text.parse::<i64>()
        .map_or_else(|_| Value::from(text), Value::from)
}

/// A value column's number with the digits as written: `events` a whole number, the
/// others floats (`12` is written `12.0`, the form study files read as a number).
fn number_value(name: &str, text: &str) -> Value {
    if name == "events" {
        return integer(text);
    }
    match text.parse::<Value>() {
        Ok(v @ Value::Float(_)) => v,
        Ok(Value::Integer(i)) => format!("{}.0", i.value())
            .parse::<Value>()
            .unwrap_or_else(|_| Value::from(*i.value() as f64)),
        _ => text
            .parse::<f64>()
            .map_or_else(|_| Value::from(text), Value::from),
    }
}

/// Equal values, numbers compared as numbers (`4` and `4.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (as_number(a), as_number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a.as_str().is_some() && a.as_str() == b.as_str(),
    }
}

fn as_number(v: &Value) -> Option<f64> {
    v.as_float().or_else(|| v.as_integer().map(|i| i as f64))
}

/// A value as the message shows it: text in backticks, numbers as written.
fn display(v: &Value) -> String {
    match v.as_str() {
        Some(s) => format!("`{s}`"),
        None => v.to_string().trim().to_owned(),
    }
}

/// `brief.toml`'s new text and the outcomes added to it (id and kind).
type AddedOutcomes = (String, Vec<(String, Kind)>);

/// `brief.toml` with the outcomes the sheet names and it lacks (`None` when it has them
/// all), and those added. An existing outcome of another kind is a problem at its cell.
fn brief_outcomes(
    root: &Path,
    extraction: &Extraction,
) -> Result<Option<AddedOutcomes>, (Place, String)> {
    let first = extraction
        .outcomes
        .first()
        .map_or(Place { row: 1, col: 1 }, |o| o.2);
    let text = std::fs::read_to_string(root.join("brief.toml"))
        .map_err(|e| (first, format!("cannot read brief.toml ({e})")))?;
    let doc: DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        (
            first,
            format!("brief.toml is not valid TOML ({})", e.message()),
        )
    })?;
    let existing: Vec<String> = doc
        .get("outcomes")
        .and_then(Item::as_array_of_tables)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("id").and_then(Item::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let missing: Vec<(String, Kind)> = extraction
        .outcomes
        .iter()
        .filter(|(id, _, _)| !existing.contains(id))
        .map(|(id, kind, _)| (id.clone(), *kind))
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    // Appended as text after everything else, so that the file's trailing comments
    // (commented examples) stay where they are.
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for (id, kind) in &missing {
        let unit = match kind {
            Kind::Binary => "participants",
            Kind::Continuous => "",
        };
        let q = |s: &str| toml_edit::Value::from(s).to_string();
        text.push_str(&format!(
            "\n# Added by `evbrief import-data`: check the lines marked `to check`.\n\
             [[outcomes]]\n\
             id = {id}\n\
             label = {id}  # to check: the name printed in the brief\n\
             unit = {unit}  # to check: the unit of the values\n\
             kind = {kind}  # inferred from the values\n\
             better = \"lower\"  # to check: lower or higher, which is better for patients\n",
            id = q(id),
            unit = q(unit),
            kind = q(kind.name()),
        ));
    }
    Ok(Some((text, missing)))
}
