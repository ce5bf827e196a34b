//! `evbrief init DIR`: a new brief project that builds at once.
//!
//! Writes `brief.toml` with every key present or commented and explained (as `cargo init`
//! and `mdbook init` do), `data/studies/`, an empty `data/references.bib`, the extraction
//! sheet `data/extraction.csv` (its header and two commented example rows) and a
//! `.gitignore` for `output/`. No `templates/`: the project uses the built-in ones
//! (`evbrief templates eject` copies them in for customising).

use std::path::{Path, PathBuf};

use crate::i18n::Language;

/// What `evbrief init` is asked for.
#[derive(Debug, Clone)]
pub struct InitOptions {
    /// The brief's title; a placeholder in the brief's language when absent.
    pub title: Option<String>,
    /// The brief's language.
    pub language: Language,
    /// The as-of date written into `brief.toml` (YYYY-MM-DD).
    pub as_of: String,
    /// Write into a folder that holds files already (never overwriting `brief.toml` or
    /// data without it).
    pub force: bool,
}

/// Why `init` wrote nothing (each is bad usage: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    /// The folder exists and is not empty.
    #[error("{} is not empty; choose a new folder, or add `--force` to write the project files into it (existing files are replaced)", .0.display())]
    NotEmpty(PathBuf),
    /// The path exists and is a file.
    #[error("{} is a file, not a folder", .0.display())]
    NotAFolder(PathBuf),
    /// A file could not be written.
    #[error("cannot write {} ({source})", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Where study files go, relative to the project.
const STUDIES_DIR: &str = "data/studies";

/// The extraction sheet's columns, in order (see `evbrief import-data`).
pub const SHEET_HEADER: &str = "study,label,design,condition,population,arm,role,n,outcome,time,events,percent,mean,sd,sem,median,q1,q3,iqr,report,at";

/// Writes a new project into `dir` (created if missing). Returns the files written,
/// relative to `dir`.
pub fn init(dir: &Path, options: &InitOptions) -> Result<Vec<String>, InitError> {
    if dir.is_file() {
        return Err(InitError::NotAFolder(dir.to_path_buf()));
    }
    let non_empty = std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some());
    if non_empty && !options.force {
        return Err(InitError::NotEmpty(dir.to_path_buf()));
    }
    let files = [
        ("brief.toml", brief_toml(options)),
        ("data/references.bib", String::new()),
        ("data/extraction.csv", extraction_csv()),
        (".gitignore", "output/\n".to_owned()),
    ];
    let mut written = Vec::new();
    for (rel, text) in files {
        let path = dir.join(rel);
        crate::store::write_atomically(&path, text.as_bytes())
            .map_err(|source| InitError::Write { path, source })?;
        written.push(rel.to_owned());
    }
    let studies = dir.join(STUDIES_DIR);
    std::fs::create_dir_all(&studies).map_err(|source| InitError::Write {
        path: studies,
        source,
    })?;
    written.push(format!("{}/", STUDIES_DIR));
    Ok(written)
}

/// The extraction sheet: its header and two commented example rows.
pub fn extraction_csv() -> String {
    format!(
        "{SHEET_HEADER}\n\
         # One row per reported value (delete these two example lines). Study columns repeat on every row of a study and must agree;\n\
         # give events (and/or percent) for a binary outcome, or mean with sd or sem (or median with q1 and q3, or iqr) for a continuous one.\n\
         # report is the key of the paper in data/references.bib, at is where in it the value stands. Then: evbrief import-data data/extraction.csv\n\
         # smith2020,Smith 2020,rct,adults,Adults with latent tuberculosis,Vaccine,intervention,120,tb,end of follow-up,4,,,,,,,,,smith2020,Table 2\n\
         # smith2020,Smith 2020,rct,adults,Adults with latent tuberculosis,Placebo,control,118,tb,end of follow-up,11,,,,,,,,,smith2020,Table 2\n"
    )
}

/// The placeholders of a new brief, in its language.
struct Placeholders {
    title: &'static str,
    subtitle: &'static str,
    population: &'static str,
    intervention: &'static str,
    comparison: &'static str,
    outcomes: &'static str,
}

fn placeholders(language: Language) -> Placeholders {
    match language {
        Language::Zh => Placeholders {
            title: "新的证据简报",
            subtitle: "证据简报",
            population: "（待填写：研究对象）",
            intervention: "（待填写：干预措施）",
            comparison: "（待填写：对照）",
            outcomes: "（待填写：结局指标）",
        },
        _ => Placeholders {
            title: "A new evidence brief",
            subtitle: "Evidence brief",
            population: "(to be written: who was studied)",
            intervention: "(to be written: the intervention)",
            comparison: "(to be written: the comparison)",
            outcomes: "(to be written: the outcomes)",
        },
    }
}

/// A TOML basic string holding `text`.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// `brief.toml` of a new project: every key present or commented and explained.
pub fn brief_toml(options: &InitOptions) -> String {
    let p = placeholders(options.language);
    let title = quoted(options.title.as_deref().unwrap_or(p.title));
    let code = options.language.code();
    let as_of = &options.as_of;
    let (subtitle, population, intervention, comparison, outcomes) = (
        quoted(p.subtitle),
        quoted(p.population),
        quoted(p.intervention),
        quoted(p.comparison),
        quoted(p.outcomes),
    );
    format!(
        r#"# brief.toml: what the brief is about and how it is analysed (written by `evbrief init`).
# Every key is here; a commented one (#) shows its default or an example. The README's
# "The project format" explains each in detail. Then:
#   fill data/extraction.csv, run `evbrief import-data data/extraction.csv`, and `evbrief build`.

title = {title}
subtitle = {subtitle}                    # a line under the title (optional)
as-of = {as_of}                          # the date the evidence was searched and curated; also the PDF's date
language = "{code}"                            # en | zh; `evbrief build --lang zh` makes the other edition
authors = []                                 # people responsible for the brief: ["A. Author", "B. Author"]
# paper = "a4"                               # a4 | us-letter
# citation-style = "nlm-citation-sequence"   # or "ama", "ieee", a Typst style name, or a .csl file in the project
# pdf-standards = ["a-2b", "ua-1"]           # archival (PDF/A) and accessible (PDF/UA-1) documents; none by default
# detail = "auto"                            # auto | full | summary: per-study rows are summarised above 50 studies
# contact = "curator@example.org"            # e-mail the literature services ask for (`evbrief search`)

# The bottom line, read first: one table per sentence, naming the results it rests on
# (`outcome@time`, or an adverse-event row of the summary of findings); `evbrief check`
# compares its words with them. A plain string per sentence works too.
# [[bottom-line]]
# text = "Vaccination lowered the risk of tuberculosis."
# rests-on = ["tb@end of follow-up"]

[question]                                   # the review question (PICO), printed on the first page
population = {population}
intervention = {intervention}
comparison = {comparison}
outcomes = {outcomes}
# intervention-short = "intervention"        # short names for figure headers ("Favours intervention | Favours control")
# comparison-short = "control"

[analysis]                                   # defaults for every outcome; these are the defaults
# method = "REML"                            # FE | DL | REML | PM | MH | PETO
# test = "knha"                              # knha (Hartung–Knapp–Sidik–Jonkman) | z
# prediction = true                          # 95% prediction interval from three studies on
# common-effect = false                      # also draw the common-effect diamond
# subgroup = "none"                          # none | condition | design
# double-zero = "drop"                       # drop | keep: studies without events in either arm

# Outcomes, in reading order; study files name them by id. `evbrief import-data` adds
# those its sheet names (marked "to check" where it had to guess).
# [[outcomes]]
# id = "tb"                                  # used by study files and the sheet's `outcome` column
# label = "Tuberculosis"                     # printed in the brief
# unit = "participants"
# kind = "binary"                            # binary | continuous
# better = "lower"                           # lower | higher: decides the "Favours …" sides of the plot
# measure = "RR"                             # optional: RR | OR | RD (binary), MD | SMD (continuous)
# method = "REML"                            # optional: overrides [analysis]; so can test, prediction,
#                                            # common-effect and subgroup

# Abbreviations the curated texts use; the brief lists those it prints.
# [glossary]
# BCG = "bacille Calmette–Guérin"

# The GRADE summary of findings: the critical outcomes with their certainty.
# [[summary-of-findings]]
# outcome = "tb"
# time = "end of follow-up"
# certainty.risk-of-bias = {{ rating = "serious", reason = "Allocation not concealed in 6 of 13 trials." }}
# certainty.inconsistency = {{ rating = "serious", reason = "I² above 90%." }}
# certainty.indirectness = {{ rating = "not-serious" }}   # not-serious | serious | very-serious; a
# certainty.imprecision = {{ rating = "not-serious" }}    # downgrade needs a reason (the footnote)
# certainty.publication-bias = {{ rating = "not-serious" }}

# The journal-club handout and slides (`evbrief build --format handout|slides`).
# [journal-club]
# key-outcome = "tb"
# discussion-questions = ["Would these results apply to our patients?"]

# Saved literature searches, run by `evbrief search` (and `evbrief schedule --search`);
# what they find goes to the inbox, data/inbox/, for screening.
# [[searches]]
# name = "pubmed-main"                       # unique: letters, digits, - _ .
# source = "pubmed"                          # pubmed | europepmc | crossref | clinicaltrials
# query = '"BCG vaccine"[MeSH] AND tuberculosis[tiab]'
# since = 2015-01-01                         # optional: the first run starts here

# Reasons a record may be excluded for at screening (`evbrief exclude KEY --reason …`);
# without a list any reason is accepted. Full-text exclusions are listed in the brief.
# [screening]
# reasons = ["Animal study", "Review", "Wrong intervention"]

# Curated texts of the Chinese edition (`evbrief build --lang zh`).
# [translations.zh]
# title = "卡介苗预防结核病"
# [translations.zh.question]
# population = "……"
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(language: Language) -> InitOptions {
        InitOptions {
            title: None,
            language,
            as_of: "2026-12-04".into(),
            force: false,
        }
    }

    #[test]
    fn the_new_brief_toml_is_a_valid_brief_in_either_language() {
        for language in [Language::En, Language::Zh] {
            let text = brief_toml(&options(language));
            let config: crate::config::BriefConfig = toml::from_str(&text).unwrap();
            assert_eq!(config.language, language);
            assert!(config.outcomes.is_empty());
        }
        let mut titled = options(Language::En);
        titled.title = Some("BCG \"vaccine\" and tuberculosis".into());
        let config: crate::config::BriefConfig = toml::from_str(&brief_toml(&titled)).unwrap();
        assert_eq!(config.title, "BCG \"vaccine\" and tuberculosis");
    }

    #[test]
    fn the_commented_examples_are_valid_too() {
        // Uncommenting every commented key and table gives a brief evbrief reads.
        let key = regex::Regex::new(r"^# (\[|[a-z.-]+ = )").unwrap();
        let text = brief_toml(&options(Language::En));
        let uncommented: Vec<&str> = text
            .lines()
            .map(|l| if key.is_match(l) { &l[2..] } else { l })
            .collect();
        assert!(uncommented.len() > 40);
        let parsed: Result<crate::config::BriefConfig, _> = toml::from_str(&uncommented.join("\n"));
        let config = parsed.unwrap();
        assert_eq!(config.outcomes.len(), 1);
        assert_eq!(config.summary_of_findings.len(), 1);
        assert_eq!(config.bottom_line.len(), 1);
        assert_eq!(config.searches.len(), 1);
        assert_eq!(
            config.contact.as_ref().map(|c| c.get_ref().as_str()),
            Some("curator@example.org")
        );
    }

    #[test]
    fn refuses_a_non_empty_folder_without_force() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
        let err = init(dir.path(), &options(Language::En)).unwrap_err();
        assert!(matches!(err, InitError::NotEmpty(_)));
        assert!(!dir.path().join("brief.toml").exists());
        let mut forced = options(Language::En);
        forced.force = true;
        let written = init(dir.path(), &forced).unwrap();
        assert_eq!(
            written,
            [
                "brief.toml",
                "data/references.bib",
                "data/extraction.csv",
                ".gitignore",
                "data/studies/"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("notes.txt")).unwrap(),
            "mine"
        );
    }
}
