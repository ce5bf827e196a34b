//! From sheet rows to an extraction: studies, their arms and reports, and the values they
//! report, every cell checked and every problem located as `SHEET:row:column: message`.
//!
//! Study columns (`label`, `design`, `condition`, `population`) may repeat on every row of
//! a study and must agree; so must an arm's `role` and `n`. Value columns follow the forms
//! of study files: `events` and/or `percent` (binary), `mean` with `sd` or `sem`, `median`
//! with `q1` and `q3` or with `iqr` (continuous).

use std::collections::{BTreeMap, BTreeSet};

use super::read::{Sheet, SheetRow};
use crate::data::time::parse_time;

/// Every column of the sheet, in the order `evbrief init` writes them.
pub const COLUMNS: [&str; 21] = [
    "study",
    "label",
    "design",
    "condition",
    "population",
    "arm",
    "role",
    "n",
    "outcome",
    "time",
    "events",
    "percent",
    "mean",
    "sd",
    "sem",
    "median",
    "q1",
    "q3",
    "iqr",
    "report",
    "at",
];

/// Columns a sheet must have; the others may be left out.
const REQUIRED: [&str; 8] = [
    "study", "arm", "role", "n", "outcome", "time", "report", "at",
];

/// Value columns of a binary outcome.
const BINARY: [&str; 2] = ["events", "percent"];
/// Value columns of a continuous outcome.
const CONTINUOUS: [&str; 7] = ["mean", "sd", "sem", "median", "q1", "q3", "iqr"];
/// Study designs a sheet may name (as study files).
const DESIGNS: [&str; 4] = [
    "rct",
    "non-randomised-controlled",
    "registry",
    "case-report",
];
/// Arm roles (as study files).
const ROLES: [&str; 3] = ["intervention", "control", "single"];

/// A cell's place, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Row in the file.
    pub row: usize,
    /// Column in the file.
    pub col: usize,
}

/// A cell's text and place.
#[derive(Debug, Clone, PartialEq)]
pub struct CellText {
    /// The text as written (trimmed).
    pub text: String,
    /// Where it stands.
    pub at: Place,
}

/// Whether an outcome's values are counts of events or measurements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `events` / `percent`.
    Binary,
    /// `mean`, `sd`, `sem`, `median`, `q1`, `q3`, `iqr`.
    Continuous,
}

impl Kind {
    /// The name in `brief.toml` (`kind = "binary"`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Binary => "binary",
            Kind::Continuous => "continuous",
        }
    }
}

/// One study of the sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetStudy {
    /// Its id (the file name `data/studies/ID.toml`).
    pub id: String,
    /// Study-level fields given (`label`, `design`, `condition`, `population`).
    pub fields: BTreeMap<&'static str, CellText>,
    /// Report keys in the order first named.
    pub reports: Vec<String>,
    /// Arms in the order first named.
    pub arms: Vec<SheetArm>,
    /// Values, in sheet order.
    pub values: Vec<SheetValue>,
    /// The study's first row.
    pub first: Place,
}

/// One arm of a study.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetArm {
    /// The id written to the study file (the `arm` cell made a slug: `BCG vaccine` →
    /// `bcg-vaccine`).
    pub id: String,
    /// The `arm` cell as written, the arm's label.
    pub label: CellText,
    /// `intervention`, `control` or `single`.
    pub role: CellText,
    /// Participants (a whole number as written).
    pub n: CellText,
    /// Where its first row reads it: report key and place.
    pub report: String,
    /// Where in the report.
    pub at: String,
}

/// One reported value (a row).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetValue {
    /// Outcome id.
    pub outcome: String,
    /// Time point as written.
    pub time: String,
    /// Arm id.
    pub arm: String,
    /// Value columns given, in column order, with their text.
    pub values: Vec<(&'static str, CellText)>,
    /// Report key.
    pub report: String,
    /// Where in the report.
    pub at: String,
    /// The row.
    pub row: usize,
}

/// Everything a sheet says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Extraction {
    /// Studies in the order first named.
    pub studies: Vec<SheetStudy>,
    /// Outcomes the sheet names, with the kind their values show and their first place.
    pub outcomes: Vec<(String, Kind, Place)>,
}

/// What the rows are checked against.
#[derive(Debug, Clone, Default)]
pub struct Known {
    /// Ids of the studies the project has (their study fields may be left out).
    pub studies: BTreeSet<String>,
    /// Keys of the project's bibliography; `None` when it could not be read.
    pub references: Option<BTreeSet<String>>,
    /// Outcomes of `brief.toml` with their kind.
    pub outcomes: BTreeMap<String, Kind>,
}

/// Lower-case letters, digits and single hyphens: an id of a study, arm or outcome.
pub fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !text.starts_with('-')
        && !text.ends_with('-')
        && !text.contains("--")
}

/// An arm's label made an id: ASCII letters and digits lower-cased, anything else a
/// hyphen (`BCG vaccine` → `bcg-vaccine`; `安慰剂` → `arm-1` by position).
pub fn slug(text: &str, position: usize) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        format!("arm-{position}")
    } else {
        out
    }
}

/// Problems located in one sheet.
struct Located<'a> {
    sheet: &'a str,
    problems: Vec<(Place, String)>,
}

impl Located<'_> {
    fn push(&mut self, at: Place, message: impl Into<String>) {
        self.problems.push((at, message.into()));
    }
}

/// Reads the rows of `sheet` into an extraction, or every problem as
/// `SHEET:row:column: message`, sorted by place.
pub fn extract(sheet: &Sheet, known: &Known) -> Result<Extraction, Vec<String>> {
    let mut out = Located {
        sheet: &sheet.name,
        problems: Vec::new(),
    };
    let columns = header_columns(sheet, &mut out);
    let mut extraction = Extraction::default();
    if out.problems.is_empty() {
        for row in &sheet.rows {
            read_row(row, &columns, known, &mut extraction, &mut out);
        }
        for study in &extraction.studies {
            if !known.studies.contains(&study.id) {
                for field in ["label", "design", "condition", "population"] {
                    if !study.fields.contains_key(field) {
                        let col = columns.get(field).map_or(1, |c| c + 1);
                        out.push(
                            Place { col, ..study.first },
                            format!(
                                "`{field}` is empty on every row of the new study `{}`; a study file needs it",
                                study.id
                            ),
                        );
                    }
                }
            }
        }
    }
    if out.problems.is_empty() {
        return Ok(extraction);
    }
    out.problems.sort_by_key(|(at, _)| (at.row, at.col));
    Err(out
        .problems
        .iter()
        .map(|(at, m)| format!("{}:{}:{}: {m}", out.sheet, at.row, at.col))
        .collect())
}

/// The index of every known column, checking the header.
fn header_columns(sheet: &Sheet, out: &mut Located) -> BTreeMap<&'static str, usize> {
    let mut columns = BTreeMap::new();
    let header_row = sheet.header_row;
    for (i, name) in sheet.header.iter().enumerate() {
        let at = Place {
            row: header_row,
            col: i + 1,
        };
        match COLUMNS.iter().find(|c| **c == name.as_str()) {
            Some(c) if columns.contains_key(c) => {
                out.push(at, format!("column `{c}` appears twice"))
            }
            Some(c) => {
                columns.insert(*c, i);
            }
            None if name.is_empty() => out.push(at, "a column without a name"),
            None => out.push(
                at,
                format!(
                    "unknown column `{name}`; the columns are {}",
                    COLUMNS.join(", ")
                ),
            ),
        }
    }
    let missing: Vec<&str> = REQUIRED
        .iter()
        .filter(|c| !columns.contains_key(*c))
        .copied()
        .collect();
    if !missing.is_empty() {
        out.push(
            Place {
                row: header_row,
                col: 1,
            },
            format!(
                "missing column{} {}",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", ")
            ),
        );
    }
    columns
}

/// Checks one row and adds it to `extraction`.
fn read_row(
    row: &SheetRow,
    columns: &BTreeMap<&'static str, usize>,
    known: &Known,
    extraction: &mut Extraction,
    out: &mut Located,
) {
    let cell = |name: &str| -> Option<CellText> {
        let i = *columns.get(name)?;
        let text = row.cells.get(i).cloned().unwrap_or_default();
        Some(CellText {
            text,
            at: Place {
                row: row.row,
                col: i + 1,
            },
        })
    };
    let required = |name: &str, out: &mut Located| -> Option<CellText> {
        let c = cell(name)?;
        if c.text.is_empty() {
            out.push(c.at, format!("`{name}` is empty"));
            return None;
        }
        Some(c)
    };
    let before = out.problems.len();
    let study = required("study", out);
    if let Some(s) = &study
        && !is_id(&s.text)
    {
        out.push(
            s.at,
            format!(
                "study id `{}` must be lower-case letters, digits and hyphens (it names data/studies/ID.toml)",
                s.text
            ),
        );
    }
    let arm = required("arm", out);
    let role = required("role", out);
    if let Some(r) = &role
        && !ROLES.contains(&r.text.as_str())
    {
        out.push(
            r.at,
            format!("role `{}` must be intervention, control or single", r.text),
        );
    }
    let n = required("n", out);
    let n_value = n.as_ref().and_then(|n| match n.text.parse::<i64>() {
        Ok(v) if v > 0 => Some(v),
        _ => {
            out.push(
                n.at,
                format!("n must be a whole number above 0, found `{}`", n.text),
            );
            None
        }
    });
    let outcome = required("outcome", out);
    if let Some(o) = &outcome
        && !is_id(&o.text)
    {
        out.push(
            o.at,
            format!(
                "outcome id `{}` must be lower-case letters, digits and hyphens",
                o.text
            ),
        );
    }
    let time = required("time", out);
    if let Some(t) = &time
        && let Err(e) = parse_time(&t.text)
    {
        out.push(t.at, e);
    }
    let report = required("report", out);
    if let (Some(r), Some(keys)) = (&report, &known.references)
        && !keys.contains(&r.text)
    {
        out.push(
            r.at,
            format!("report `{}` is not a key of data/references.bib", r.text),
        );
    }
    let at = required("at", out);
    if let Some(d) = cell("design").filter(|d| !d.text.is_empty())
        && !DESIGNS.contains(&d.text.as_str())
    {
        out.push(
            d.at,
            format!("design `{}` must be one of {}", d.text, DESIGNS.join(", ")),
        );
    }
    let checked = out.problems.len();
    let values = value_cells(&cell, n_value, out);
    // A value cell that is wrong is reported once, not again as a missing value.
    let kind = if out.problems.len() > checked {
        None
    } else {
        value_kind(&values, row.row, columns, out)
    };
    if out.problems.len() > before {
        return;
    }
    let (
        Some(study),
        Some(arm),
        Some(role),
        Some(n),
        Some(outcome),
        Some(time),
        Some(report),
        Some(at),
        Some(kind),
    ) = (study, arm, role, n, outcome, time, report, at, kind)
    else {
        return;
    };
    if let Some(expected) = known.outcomes.get(&outcome.text).copied().or_else(|| {
        extraction
            .outcomes
            .iter()
            .find(|o| o.0 == outcome.text)
            .map(|o| o.1)
    }) && expected != kind
    {
        out.push(
            outcome.at,
            format!(
                "outcome `{}` is {}, but this row gives {} values",
                outcome.text,
                expected.name(),
                kind.name()
            ),
        );
        return;
    }
    if !extraction.outcomes.iter().any(|o| o.0 == outcome.text) {
        extraction
            .outcomes
            .push((outcome.text.clone(), kind, outcome.at));
    }
    let index = match extraction.studies.iter().position(|s| s.id == study.text) {
        Some(i) => i,
        None => {
            extraction.studies.push(SheetStudy {
                id: study.text.clone(),
                fields: BTreeMap::new(),
                reports: Vec::new(),
                arms: Vec::new(),
                values: Vec::new(),
                first: study.at,
            });
            extraction.studies.len() - 1
        }
    };
    let entry = &mut extraction.studies[index];
    for field in ["label", "design", "condition", "population"] {
        let Some(c) = cell(field).filter(|c| !c.text.is_empty()) else {
            continue;
        };
        match entry.fields.get(field) {
            Some(first) if first.text != c.text => out.push(
                c.at,
                format!(
                    "`{field}` of study `{}` is `{}` here but `{}` on row {}",
                    entry.id, c.text, first.text, first.at.row
                ),
            ),
            Some(_) => {}
            None => {
                entry.fields.insert(field, c);
            }
        }
    }
    if !entry.reports.contains(&report.text) {
        entry.reports.push(report.text.clone());
    }
    let arm_id = match entry.arms.iter().find(|a| a.label.text == arm.text) {
        Some(a) => {
            for (name, first, here) in [("role", &a.role, &role), ("n", &a.n, &n)] {
                if first.text != here.text {
                    out.push(
                        here.at,
                        format!(
                            "`{name}` of arm `{}` is `{}` here but `{}` on row {}",
                            arm.text, here.text, first.text, first.at.row
                        ),
                    );
                }
            }
            a.id.clone()
        }
        None => {
            let mut id = slug(&arm.text, entry.arms.len() + 1);
            if entry.arms.iter().any(|a| a.id == id) {
                id = format!("{id}-{}", entry.arms.len() + 1);
            }
            entry.arms.push(SheetArm {
                id: id.clone(),
                label: arm.clone(),
                role,
                n,
                report: report.text.clone(),
                at: at.text.clone(),
            });
            id
        }
    };
    if let Some(earlier) = entry.values.iter().find(|v| {
        v.outcome == outcome.text && v.time.eq_ignore_ascii_case(&time.text) && v.arm == arm_id
    }) {
        out.push(
            outcome.at,
            format!(
                "row {} gives `{}` at {} in arm `{}` of study `{}` already",
                earlier.row, outcome.text, time.text, arm.text, entry.id
            ),
        );
        return;
    }
    entry.values.push(SheetValue {
        outcome: outcome.text,
        time: time.text,
        arm: arm_id,
        values,
        report: report.text,
        at: at.text,
        row: row.row,
    });
}

/// The value cells of a row that are filled in, each checked as study files check it.
fn value_cells(
    cell: &dyn Fn(&str) -> Option<CellText>,
    n: Option<i64>,
    out: &mut Located,
) -> Vec<(&'static str, CellText)> {
    let mut values = Vec::new();
    for name in BINARY.iter().chain(CONTINUOUS.iter()) {
        let name: &'static str = name;
        let Some(c) = cell(name).filter(|c| !c.text.is_empty()) else {
            continue;
        };
        let problem = match name {
            "events" => match c.text.parse::<i64>() {
                Ok(e) if e < 0 => Some(format!("events must not be negative, found {e}")),
                Ok(e) if n.is_some_and(|n| e > n) => Some(format!(
                    "events ({e}) exceed the number of participants ({})",
                    n.unwrap_or_default()
                )),
                Ok(_) => None,
                Err(_) => Some(format!("events must be a whole number, found `{}`", c.text)),
            },
            _ => match number(&c.text) {
                None => Some(format!("{name} must be a number, found `{}`", c.text)),
                Some(v) if name == "percent" && !(0.0..=100.0).contains(&v) => Some(format!(
                    "percent must be between 0 and 100, found {}",
                    c.text
                )),
                Some(v) if matches!(name, "sd" | "sem" | "iqr") && v <= 0.0 => {
                    Some(format!("{name} must be positive, found {}", c.text))
                }
                Some(_) => None,
            },
        };
        match problem {
            Some(p) => out.push(c.at, p),
            None => values.push((name, c)),
        }
    }
    values
}

/// A finite number written in decimal (`12`, `-0.5`, `1.2e-3`), or `None`.
pub fn number(text: &str) -> Option<f64> {
    let ok = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    text.parse::<f64>().ok().filter(|v| ok && v.is_finite())
}

/// The kind the values of a row show, checking that they form one value of a study file.
fn value_kind(
    values: &[(&'static str, CellText)],
    row: usize,
    columns: &BTreeMap<&'static str, usize>,
    out: &mut Located,
) -> Option<Kind> {
    let has = |name: &str| values.iter().any(|(n, _)| *n == name);
    let first_value_col = BINARY
        .iter()
        .chain(CONTINUOUS.iter())
        .filter_map(|c| columns.get(c))
        .min()
        .map_or(1, |c| c + 1);
    let at = |name: &str| {
        values.iter().find(|(n, _)| *n == name).map_or(
            Place {
                row,
                col: first_value_col,
            },
            |(_, c)| c.at,
        )
    };
    let binary = BINARY.iter().any(|c| has(c));
    let continuous = CONTINUOUS.iter().any(|c| has(c));
    match (binary, continuous) {
        (false, false) => {
            out.push(
                Place { row, col: first_value_col },
                "no value: give events or percent (binary), or mean with sd or sem, or median with q1 and q3 or iqr (continuous)",
            );
            None
        }
        (true, true) => {
            let c = CONTINUOUS
                .iter()
                .find(|c| has(c))
                .copied()
                .unwrap_or("mean");
            out.push(
                at(c),
                "a row gives either events/percent or a continuous summary, not both",
            );
            None
        }
        (true, false) => Some(Kind::Binary),
        (false, true) => {
            let spread = has("sd") || has("sem");
            let quartiles = has("q1") && has("q3");
            let problem = if has("mean") && !spread {
                Some(("mean", "a mean needs its sd or sem"))
            } else if !has("mean") && spread {
                Some((
                    if has("sd") { "sd" } else { "sem" },
                    "sd and sem go with a mean",
                ))
            } else if has("median") && !(quartiles || has("iqr")) {
                Some(("median", "a median needs q1 and q3, or iqr"))
            } else if !has("median") && (has("q1") || has("q3") || has("iqr")) {
                Some((
                    ["q1", "q3", "iqr"]
                        .into_iter()
                        .find(|c| has(c))
                        .unwrap_or("iqr"),
                    "quartiles and iqr go with a median",
                ))
            } else if has("q1") != has("q3") {
                Some((if has("q1") { "q1" } else { "q3" }, "give both q1 and q3"))
            } else {
                None
            };
            match problem {
                Some((col, message)) => {
                    out.push(at(col), message);
                    None
                }
                None => Some(Kind::Continuous),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::read::read_csv;

    fn known() -> Known {
        Known {
            references: Some(["a2020".to_owned()].into()),
            ..Known::default()
        }
    }

    #[test]
    fn arm_labels_become_ids() {
        assert_eq!(slug("BCG vaccine", 1), "bcg-vaccine");
        assert_eq!(slug("  UC-MSC (IV) ", 1), "uc-msc-iv");
        assert_eq!(slug("安慰剂", 2), "arm-2");
        assert!(is_id("frimodt-moller1973"));
        assert!(!is_id("Aronson"));
        assert!(!is_id("a--b"));
        assert_eq!(number("1.2e-3"), Some(0.0012));
        assert_eq!(number("1,5"), None);
        assert_eq!(number("inf"), None);
    }

    #[test]
    fn rows_group_into_studies_arms_and_values() {
        let text = "study,label,design,condition,population,arm,role,n,outcome,time,mean,sd,report,at\n\
                    a,A 2020,rct,T2DM,Adults,Cells,intervention,20,hba1c,week 12,7.10,1.20,a2020,Table 2\n\
                    a,,,,,Placebo,control,19,hba1c,week 12,7.90,1.00,a2020,Table 2\n\
                    a,,,,,Cells,intervention,20,hba1c,baseline,8.00,1.10,a2020,Table 1\n";
        let sheet = read_csv(text.as_bytes(), "s.csv").unwrap();
        let extraction = extract(&sheet, &known()).unwrap();
        assert_eq!(extraction.outcomes.len(), 1);
        assert_eq!(extraction.outcomes[0].1, Kind::Continuous);
        let study = &extraction.studies[0];
        assert_eq!(study.arms.len(), 2);
        assert_eq!(study.values.len(), 3);
        assert_eq!(study.values[0].values[0].1.text, "7.10");
        assert_eq!(study.fields["label"].text, "A 2020");
    }

    #[test]
    fn disagreeing_study_and_arm_cells_are_located() {
        let text = "study,label,design,condition,population,arm,role,n,outcome,time,events,report,at\n\
                    a,A 2020,rct,T2DM,Adults,Cells,intervention,20,x,week 12,3,a2020,T2\n\
                    a,A 2021,rct,T2DM,Adults,Cells,intervention,21,x,week 24,4,a2020,T2\n\
                    a,A 2020,rct,T2DM,Adults,Cells,intervention,20,x,week 24,4,a2020,T2\n";
        let sheet = read_csv(text.as_bytes(), "s.csv").unwrap();
        assert_eq!(
            extract(&sheet, &known()).unwrap_err(),
            [
                "s.csv:3:2: `label` of study `a` is `A 2021` here but `A 2020` on row 2",
                "s.csv:3:8: `n` of arm `Cells` is `21` here but `20` on row 2",
                "s.csv:4:9: row 3 gives `x` at week 24 in arm `Cells` of study `a` already",
            ]
        );
    }

    #[test]
    fn a_header_without_required_columns_is_one_problem() {
        let sheet = read_csv(b"study,arm,weight\na,b,1\n", "s.csv").unwrap();
        assert_eq!(
            extract(&sheet, &known()).unwrap_err(),
            [
                "s.csv:1:1: missing columns role, n, outcome, time, report, at",
                "s.csv:1:3: unknown column `weight`; the columns are study, label, design, condition, population, arm, role, n, outcome, time, events, percent, mean, sd, sem, median, q1, q3, iqr, report, at",
            ]
        );
    }
}
