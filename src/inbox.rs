//! The door for new papers: `evbrief import` files records from export files into
//! `data/inbox/`, de-duplicated against the bibliography and the inbox, and `evbrief
//! new-study` turns an inbox record into a study file.
//!
//! Nothing is written unless every import file parses; curated files are never
//! overwritten, and each inbox record is its own file written atomically.

mod merge;
pub mod origin;
#[cfg(test)]
mod overlap_tests;
pub mod screen;

use std::fs;
use std::path::{Path, PathBuf};

use crate::analysis::overlap::{Overlap, find_overlaps};

use crate::data::bibliography::{Bibliography, Shelf};
use crate::data::{INBOX_DIR, LoadError, LoadOptions, load_bibliography, load_project_with};
use crate::diagnostic::{Problem, Problems, SourceFile};
use crate::intake::RecordIdentity;
use crate::intake::{ImportFormat, Record, bibtex_out};
use crate::store::write_atomically;

pub use origin::Origin;

/// Export files larger than this are refused (a PubMed export of 10 000 records is ~50 MB).
pub const MAX_IMPORT_BYTES: u64 = 64 * 1024 * 1024;

/// Where drafted study files wait until they validate.
pub const DRAFTS_DIR: &str = "data/drafts";

/// Why an import or a new study could not be done.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// Problems in the import files or the project, all of them; nothing was written.
    #[error(transparent)]
    Invalid(#[from] Problems),
    /// The project could not be loaded.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A request that cannot be met (unknown key, file already there …).
    #[error("{0}")]
    Refused(String),
    /// The draft may describe participants of studies already in the brief; nothing was
    /// added.
    #[error("{0}")]
    Overlap(OverlapRefusal),
    /// Writing a file failed.
    #[error("cannot write {path} ({source})")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl InboxError {
    /// Bad input or usage (exit 2) as opposed to an internal or I/O failure (exit 1).
    pub fn is_user_error(&self) -> bool {
        !matches!(self, InboxError::Write { .. })
    }
}

/// One record filed into the inbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// Its new citation key (also the file name).
    pub key: String,
    /// "Wang 2024: Title …", for the report.
    pub summary: String,
}

/// One record not filed, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// "Wang 2024: Title …".
    pub summary: String,
    /// Why, e.g. "same DOI as `lian2023` in data/references.bib".
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportReport {
    /// Records filed, in input order.
    pub added: Vec<Added>,
    /// Records left out, in input order.
    pub skipped: Vec<Skipped>,
}

/// A known record: where it is and what identifies it.
struct Known {
    key: String,
    place: String,
    identity: RecordIdentity,
}

/// Imports every record of `files` into the project's inbox (or only reports what it
/// would do when `dry_run`). `today` (YYYY-MM-DD) is written into each record's
/// provenance comment.
pub fn import(
    root: &Path,
    files: &[PathBuf],
    today: &str,
    dry_run: bool,
) -> Result<ImportReport, InboxError> {
    let mut problems = Vec::new();
    let mut parsed: Vec<(SourceFile, Vec<Record>)> = Vec::new();
    for path in files {
        if let Some(file) = read_import_file(path, &mut problems) {
            match ImportFormat::detect(&file.name, &file.text) {
                None => problems.push(Problem::new(
                    &file,
                    0..0,
                    "cannot tell the format (use .ris, .nbib, .bib or .json: RIS, PubMed/MEDLINE, BibTeX or CSL-JSON)",
                )),
                Some(format) => match crate::intake::parse(&file, format) {
                    Ok(records) => parsed.push((file, records)),
                    Err(mut found) => problems.append(&mut found),
                },
            }
        }
    }
    let bibliography = load_bibliography(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }

    let batches = parsed
        .into_iter()
        .map(|(file, records)| {
            let origin = Origin::File(file.name.to_string());
            let records = records
                .into_iter()
                .map(|r| {
                    let line = file.line_col(r.span.start).0;
                    (r, Some(line))
                })
                .collect();
            (origin, records)
        })
        .collect();
    file_records(root, &bibliography, batches, today, dry_run)
}

/// Files records that did not come from an export file, e.g. the answer of a saved
/// search, through the same duplicate check as [`import`]: each new record becomes
/// `data/inbox/KEY.bib` with `origin` in its provenance comment (nothing is written when
/// `dry_run`).
pub fn import_records(
    root: &Path,
    origin: &Origin,
    records: Vec<Record>,
    today: &str,
    dry_run: bool,
) -> Result<ImportReport, InboxError> {
    let mut problems = Vec::new();
    let bibliography = load_bibliography(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let records = records.into_iter().map(|r| (r, None)).collect();
    file_records(
        root,
        &bibliography,
        vec![(origin.clone(), records)],
        today,
        dry_run,
    )
}

/// Records of one origin, each with its line in the origin's file when it has one.
type Batch = (Origin, Vec<(Record, Option<usize>)>);

/// The duplicate check and the filing shared by [`import`] and [`import_records`].
fn file_records(
    root: &Path,
    bibliography: &Bibliography,
    batches: Vec<Batch>,
    today: &str,
    dry_run: bool,
) -> Result<ImportReport, InboxError> {
    // Records excluded at screening are known too: found again, they are skipped.
    let mut problems = Vec::new();
    let excluded = crate::data::excluded::load_excluded(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let mut known = known_records(bibliography);
    known.extend(screen::known_excluded(&excluded));
    let mut taken: std::collections::BTreeSet<String> =
        known.iter().map(|k| k.key.clone()).collect();
    let inbox = root.join(INBOX_DIR);
    let mut report = ImportReport::default();
    let mut to_write: Vec<(PathBuf, String)> = Vec::new();
    for (origin, records) in batches {
        for (record, line) in records {
            let identity = RecordIdentity::of(&record);
            let summary = summary_of(&record);
            if let Some((k, reason)) = known
                .iter()
                .find_map(|k| identity.matches(&k.identity).map(|r| (k, r)))
            {
                report.skipped.push(Skipped {
                    summary,
                    reason: format!("{reason} as `{}` in {}", k.key, k.place),
                });
                continue;
            }
            let key = bibtex_out::citation_key(&record, &|k| {
                taken.contains(k)
                    || inbox.join(format!("{k}.bib")).exists()
                    || root
                        .join(crate::data::excluded::EXCLUDED_DIR)
                        .join(format!("{k}.bib"))
                        .exists()
            });
            let entry = format!(
                "{}{}",
                origin.header(today, line),
                bibtex_out::to_bibtex(&record, &key)
            );
            to_write.push((inbox.join(format!("{key}.bib")), entry));
            taken.insert(key.clone());
            known.push(Known {
                key: key.clone(),
                place: origin.place(line),
                identity,
            });
            report.added.push(Added { key, summary });
        }
    }
    if !dry_run {
        for (path, text) in &to_write {
            if path.exists() {
                return Err(InboxError::Refused(format!(
                    "{} appeared while importing; nothing more was written",
                    path.display()
                )));
            }
            write_atomically(path, text.as_bytes()).map_err(|source| InboxError::Write {
                path: path.display().to_string(),
                source,
            })?;
        }
    }
    Ok(report)
}

/// Identities of every curated and inbox entry, with where each one lives.
fn known_records(bibliography: &Bibliography) -> Vec<Known> {
    let mut out = Vec::new();
    for f in &bibliography.files {
        let place = match f.shelf {
            Shelf::Curated => f.file.name.clone(),
            Shelf::Inbox => format!("the inbox ({})", f.file.name),
        };
        for entry in f.library.iter() {
            out.push(Known {
                key: entry.key().to_owned(),
                place: place.clone(),
                identity: RecordIdentity::of_entry(entry),
            });
        }
    }
    out
}

/// "Wang 2024: First words of the title…" for messages.
pub fn summary_of(record: &Record) -> String {
    let author = record
        .authors
        .first()
        .map_or("Anonymous".to_owned(), |a| a.family.clone());
    let year = record
        .year
        .map_or_else(|| "n.d.".to_owned(), |y| y.to_string());
    let mut title: String = record.title.chars().take(70).collect();
    if record.title.chars().count() > 70 {
        title.push('…');
    }
    format!("{author} {year}: {title}")
}

fn read_import_file(path: &Path, problems: &mut Vec<Problem>) -> Option<SourceFile> {
    let name = path.to_string_lossy().replace('\\', "/");
    crate::data::read_text_file(path, name, MAX_IMPORT_BYTES, problems)
}

/// Why `evbrief new-study` did not add a draft: the studies it may share participants
/// with, and the two ways on.
#[derive(Debug, Clone, PartialEq)]
pub struct OverlapRefusal {
    /// The draft's key.
    pub key: String,
    /// Each overlap with the other study's file.
    pub overlaps: Vec<(Overlap, String)>,
}

impl std::fmt::Display for OverlapRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = &self.key;
        writeln!(
            f,
            "`{key}` may describe participants already in the brief, so it was not added:"
        )?;
        for (o, file) in &self.overlaps {
            writeln!(
                f,
                "  {file} (study `{}`): {}",
                o.other(key),
                o.verdict.words()
            )?;
            for s in &o.signals {
                writeln!(f, "    - {s}")?;
            }
        }
        let other = self.overlaps.first().map_or("STUDY", |(o, _)| o.other(key));
        writeln!(
            f,
            "the draft stays in {DRAFTS_DIR}/{key}.toml; decide, then run one of:"
        )?;
        writeln!(f, "  evbrief new-study {key} --report-of {other}")?;
        writeln!(
            f,
            "      the record is another report of `{other}`: its reference moves to data/references.bib, a [[reports]] entry is added to `{other}`, and the draft's values move there where they fit"
        )?;
        writeln!(
            f,
            "  evbrief new-study {key} --distinct-from {other} --reason \"WHY THEY ARE DIFFERENT PARTICIPANTS\""
        )?;
        write!(
            f,
            "      the decision is recorded in the draft as [[distinct-from]] and the study is added"
        )
    }
}

/// How the curator settles a draft that may share participants with an included study.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Decision {
    /// No decision: a draft that may overlap another study is not added.
    #[default]
    Undecided,
    /// The record is another report of this study (`--report-of`).
    ReportOf(String),
    /// The draft's participants are not this study's (`--distinct-from … --reason …`).
    DistinctFrom {
        /// The other study's id.
        study: String,
        /// Why, as the curator puts it.
        reason: String,
    },
}

/// What [`new_study_with`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum NewStudyDone {
    /// A skeleton was written (see [`NewStudy::Drafted`]).
    Drafted(PathBuf),
    /// The draft was added as a study (see [`NewStudy::Added`]).
    Added(PathBuf),
    /// The record became another report of an included study.
    FiledAsReport {
        /// The study file it was filed into.
        study: PathBuf,
        /// The draft, when values were left in it.
        draft_left: Option<PathBuf>,
        /// What was merged and what was not.
        messages: Vec<String>,
    },
}

/// What `evbrief new-study` did.
#[derive(Debug, Clone, PartialEq)]
pub enum NewStudy {
    /// A skeleton was written to `data/drafts/KEY.toml`; the record stays in the inbox.
    Drafted(PathBuf),
    /// The draft validated: it moved to `data/studies/`, and its reference from the
    /// inbox to `data/references.bib`.
    Added(PathBuf),
}

/// Starts or finishes the extraction of inbox record `key`.
///
/// The first call writes a study-file skeleton to `data/drafts/KEY.toml` (the brief
/// ignores drafts, so a half-done extraction never breaks a scheduled build). Once the
/// curator has filled it in, the next call checks the whole project as if the draft were
/// a study and the record curated; only if that validates does it move the draft into
/// `data/studies/` and the record out of the inbox into `data/references.bib`.
pub fn new_study(root: &Path, key: &str, today: &str) -> Result<NewStudy, InboxError> {
    match new_study_with(root, key, today, &Decision::Undecided)? {
        NewStudyDone::Drafted(p) => Ok(NewStudy::Drafted(p)),
        NewStudyDone::Added(p) | NewStudyDone::FiledAsReport { study: p, .. } => {
            Ok(NewStudy::Added(p))
        }
    }
}

/// [`new_study`] with the curator's decision about a possible overlap: before a draft is
/// added, the study-identity check compares it with the included studies, and a likely
/// or possible overlap that no `[[distinct-from]]` settles refuses the addition
/// ([`InboxError::Overlap`]) unless `decision` settles it.
pub fn new_study_with(
    root: &Path,
    key: &str,
    today: &str,
    decision: &Decision,
) -> Result<NewStudyDone, InboxError> {
    let mut problems = Vec::new();
    let bibliography = load_bibliography(root, &mut problems);
    if !problems.is_empty() {
        return Err(Problems(problems).into());
    }
    let entry = match bibliography.entry(key) {
        Some((Shelf::Inbox, entry)) => entry.clone(),
        Some((Shelf::Curated, _)) => {
            return Err(InboxError::Refused(format!(
                "`{key}` is already a curated reference, not an inbox record"
            )));
        }
        None => {
            let waiting = bibliography.keys(Shelf::Inbox);
            let list = if waiting.is_empty() {
                "the inbox is empty; add records with `evbrief import FILE`".to_owned()
            } else {
                format!("records awaiting assessment: {}", waiting.join(", "))
            };
            return Err(InboxError::Refused(format!(
                "no inbox record `{key}` ({list})"
            )));
        }
    };
    let draft = root.join(DRAFTS_DIR).join(format!("{key}.toml"));
    let study = root.join("data/studies").join(format!("{key}.toml"));
    if study.exists() {
        return Err(InboxError::Refused(format!(
            "data/studies/{key}.toml already exists; choose another key or remove that file"
        )));
    }
    if let Decision::ReportOf(other) = decision {
        return report_of(root, &bibliography, key, other, &draft);
    }
    if !draft.exists() {
        if let Decision::DistinctFrom { .. } = decision {
            return Err(InboxError::Refused(format!(
                "there is no draft {DRAFTS_DIR}/{key}.toml yet: run `evbrief new-study {key}` first, fill it in, then decide"
            )));
        }
        let outcomes = outcome_ids(root);
        let text = skeleton(key, &entry, &outcomes, today);
        write_atomically(&draft, text.as_bytes()).map_err(|source| InboxError::Write {
            path: draft.display().to_string(),
            source,
        })?;
        return Ok(NewStudyDone::Drafted(draft));
    }
    if let Decision::DistinctFrom {
        study: other,
        reason,
    } = decision
    {
        record_distinct(root, &draft, other, reason)?;
    }
    let options = LoadOptions {
        extra_study: Some(draft.clone()),
        curate: Some(key.to_owned()),
    };
    let project = load_project_with(root, &options)?;
    let overlaps: Vec<(Overlap, String)> = find_overlaps(&project.studies, &project.bibliography)
        .into_iter()
        .filter(|o| o.first == key || o.second == key)
        .map(|o| {
            let file = project
                .studies
                .iter()
                .find(|s| s.study.id.get_ref() == o.other(key))
                .map_or_else(String::new, |s| s.file.name.clone());
            (o, file)
        })
        .collect();
    if !overlaps.is_empty() {
        return Err(InboxError::Overlap(OverlapRefusal {
            key: key.to_owned(),
            overlaps,
        }));
    }
    file_reference(root, &bibliography, key)?;
    fs::rename(&draft, &study).map_err(|source| InboxError::Write {
        path: study.display().to_string(),
        source,
    })?;
    Ok(NewStudyDone::Added(study))
}

/// Appends the curator's `[[distinct-from]]` decision to the draft (once per study).
fn record_distinct(root: &Path, draft: &Path, other: &str, reason: &str) -> Result<(), InboxError> {
    if reason.trim().is_empty() {
        return Err(InboxError::Refused(
            "--distinct-from needs --reason: why are they different participants?".into(),
        ));
    }
    if !root
        .join("data/studies")
        .join(format!("{other}.toml"))
        .is_file()
    {
        return Err(InboxError::Refused(format!(
            "no study `{other}` (no data/studies/{other}.toml)"
        )));
    }
    let text = fs::read_to_string(draft).map_err(|source| InboxError::Write {
        path: draft.display().to_string(),
        source,
    })?;
    let doc: toml::Table = toml::from_str(&text).unwrap_or_default();
    let already = doc
        .get("distinct-from")
        .and_then(toml::Value::as_array)
        .is_some_and(|a| {
            a.iter()
                .any(|d| d.get("study").and_then(toml::Value::as_str) == Some(other))
        });
    if already {
        return Ok(());
    }
    let mut text = text;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n# Recorded by `evbrief new-study --distinct-from`: not the same participants.\n[[distinct-from]]\nstudy = {}\nreason = {}\n",
        quoted(other),
        quoted(reason.trim())
    ));
    write_atomically(draft, text.as_bytes()).map_err(|source| InboxError::Write {
        path: draft.display().to_string(),
        source,
    })
}

/// Files inbox record `key` as another report of study `other` (see [`merge`]). Every
/// file touched is restored if the project does not validate afterwards.
fn report_of(
    root: &Path,
    bibliography: &Bibliography,
    key: &str,
    other: &str,
    draft: &Path,
) -> Result<NewStudyDone, InboxError> {
    let study_path = root.join("data/studies").join(format!("{other}.toml"));
    let Ok(study_text) = fs::read_to_string(&study_path) else {
        return Err(InboxError::Refused(format!(
            "no study `{other}` (no data/studies/{other}.toml)"
        )));
    };
    let draft_text = fs::read_to_string(draft).ok();
    let merged = merge::merge_into(&study_text, other, draft_text.as_deref(), key)
        .map_err(InboxError::Refused)?;
    // Keep what will be changed, to put it back if the result does not validate.
    let mut saved: Vec<(PathBuf, Option<Vec<u8>>)> = vec![
        (study_path.clone(), Some(study_text.clone().into_bytes())),
        (
            draft.to_path_buf(),
            draft_text.clone().map(String::into_bytes),
        ),
        (
            root.join(crate::data::CURATED_BIBLIOGRAPHIES[0]),
            fs::read(root.join(crate::data::CURATED_BIBLIOGRAPHIES[0])).ok(),
        ),
    ];
    for f in bibliography
        .files
        .iter()
        .filter(|f| f.shelf == Shelf::Inbox)
    {
        let path = root.join(&f.file.name);
        let bytes = fs::read(&path).ok();
        saved.push((path, bytes));
    }
    let write = |path: &Path, bytes: &[u8]| {
        write_atomically(path, bytes).map_err(|source| InboxError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    let result = (|| {
        write(&study_path, merged.study_text.as_bytes())?;
        file_reference(root, bibliography, key)?;
        match &merged.draft_left {
            Some(left) => write(draft, left.as_bytes())?,
            None if draft.exists() => {
                fs::remove_file(draft).map_err(|source| InboxError::Write {
                    path: draft.display().to_string(),
                    source,
                })?
            }
            None => {}
        }
        crate::data::load_project(root)?;
        Ok(())
    })();
    if let Err(e) = result {
        for (path, bytes) in &saved {
            match bytes {
                Some(b) => {
                    let _ = write_atomically(path, b);
                }
                None => {
                    let _ = fs::remove_file(path);
                }
            }
        }
        return Err(e);
    }
    Ok(NewStudyDone::FiledAsReport {
        study: study_path,
        draft_left: merged.draft_left.as_ref().map(|_| draft.to_path_buf()),
        messages: merged.messages,
    })
}

/// Moves the inbox entry `key` to the end of `data/references.bib`, then removes it from
/// its inbox file (the whole file when it held only this entry).
fn file_reference(root: &Path, bibliography: &Bibliography, key: &str) -> Result<(), InboxError> {
    let Some(inbox_file) = bibliography
        .files
        .iter()
        .find(|f| f.shelf == Shelf::Inbox && f.library.get(key).is_some())
    else {
        return Err(InboxError::Refused(format!("no inbox record `{key}`")));
    };
    let text = &inbox_file.file.text;
    let entries = screen::entry_spans(text)
        .map_err(|e| InboxError::Refused(format!("{}: {e}", inbox_file.file.name)))?;
    let Some(span) = entries
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, span)| span.clone())
    else {
        return Err(InboxError::Refused(format!("no inbox record `{key}`")));
    };
    let alone = entries.len() == 1;
    // A lone entry moves with its provenance comment; one of several moves by itself.
    let moved = if alone {
        text.trim()
    } else {
        text[span.clone()].trim()
    };
    let references = root.join(crate::data::CURATED_BIBLIOGRAPHIES[0]);
    let mut curated = fs::read_to_string(&references).unwrap_or_default();
    if !curated.is_empty() && !curated.ends_with("\n\n") {
        curated.push_str(if curated.ends_with('\n') {
            "\n"
        } else {
            "\n\n"
        });
    }
    curated.push_str(moved);
    curated.push('\n');
    let inbox_path = root.join(&inbox_file.file.name);
    let write = |path: &Path, bytes: &[u8]| {
        write_atomically(path, bytes).map_err(|source| InboxError::Write {
            path: path.display().to_string(),
            source,
        })
    };
    write(&references, curated.as_bytes())?;
    if alone {
        fs::remove_file(&inbox_path).map_err(|source| InboxError::Write {
            path: inbox_path.display().to_string(),
            source,
        })?;
    } else {
        let rest = format!("{}{}", &text[..span.start], &text[span.end..]);
        write(&inbox_path, rest.as_bytes())?;
    }
    Ok(())
}

/// Outcome ids of `brief.toml`, for the skeleton's comments (none if it does not parse).
fn outcome_ids(root: &Path) -> Vec<(String, String)> {
    fs::read_to_string(root.join("brief.toml"))
        .ok()
        .and_then(|t| toml::from_str::<crate::config::BriefConfig>(&t).ok())
        .map(|c| {
            c.outcomes
                .iter()
                .map(|o| {
                    let o = o.get_ref();
                    (o.id.clone(), format!("{:?}", o.kind).to_lowercase())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A TOML string literal.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

/// The study-file skeleton for an inbox entry: reference and label filled in, every field
/// to extract marked `FILL IN` or commented out.
fn skeleton(
    key: &str,
    entry: &hayagriva::Entry,
    outcomes: &[(String, String)],
    today: &str,
) -> String {
    let author = entry
        .authors()
        .and_then(|a| a.first())
        .map(|p| p.name.clone())
        .unwrap_or_else(|| "Anonymous".into());
    let year = entry
        .date_any()
        .map_or_else(|| "n.d.".to_owned(), |d| d.year.to_string());
    let title = entry
        .title()
        .map(|t| t.value.to_string())
        .unwrap_or_else(|| "(no title)".into());
    let first_outcome = outcomes.first().map_or("OUTCOME", |o| o.0.as_str());
    let outcome_list = if outcomes.is_empty() {
        "(none defined yet in brief.toml)".to_owned()
    } else {
        outcomes
            .iter()
            .map(|(id, kind)| format!("{id} ({kind})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut s = String::new();
    s.push_str(&format!(
        "# Study file drafted by `evbrief new-study {key}` on {today} from the inbox record:\n#   {author} {year}. {title}\n"
    ));
    s.push_str(&format!(
        "# Replace every FILL IN, uncomment what the report gives, then run\n#   evbrief new-study {key}\n# again: when the brief validates with this file, it moves to data/studies/ and the\n# reference from data/inbox/ to data/references.bib. Until then the brief ignores it.\n\n"
    ));
    s.push_str(&format!(
        "id = {}              # keep: a study's id is its file name\n",
        quoted(key)
    ));
    s.push_str(&format!(
        "label = {}\n",
        quoted(&format!("{author} {year}"))
    ));
    s.push_str(
        "design = \"FILL IN\"        # rct | non-randomised-controlled | registry | case-report\n",
    );
    s.push_str("condition = \"FILL IN\"     # e.g. T2DM or T1D\n");
    s.push_str("population = \"FILL IN\"    # who was studied, in the report's words\n");
    s.push_str("# registration = []          # trial registration ids, e.g. [\"NCT01234567\"]\n# country = \"\"\n# setting = \"\"\n# enrolment = \"\"             # enrolment period as written, e.g. \"October 2015 to December 2018\"\n# enrolled = 0                # must equal the sum of the arm sizes\n# follow-up = \"\"\n# blinding = \"\"              # e.g. double-blind, open-label\nnotes = []\n\n");
    s.push_str(&format!(
        "[[reports]]\nkey = {}\nrole = \"primary\"           # primary | post-hoc | secondary | abstract | registration | mention\n\n",
        quoted(key)
    ));
    for (id, role, label) in [
        ("intervention", "intervention", "FILL IN (e.g. UC-MSC)"),
        ("control", "control", "FILL IN (e.g. Placebo)"),
    ] {
        s.push_str(&format!(
            "[[arms]]\nid = \"{id}\"\nlabel = \"{label}\"\nrole = \"{role}\"          # intervention | control | single (uncontrolled study)\nn = 0                       # FILL IN: participants allocated\nintervention = \"FILL IN\"\nsource = {{ report = {}, at = \"FILL IN (e.g. Methods)\" }}\n\n",
            quoted(key)
        ));
    }
    s.push_str(&format!(
        "# ---------------- results ----------------\n# Outcomes in brief.toml: {outcome_list}.\n# One block per outcome, arm and time point, values exactly as printed.\n# [[results]]\n# outcome = \"{first_outcome}\"\n# time = \"week 12\"            # or \"baseline\", \"month 6\" …\n# arm = \"intervention\"\n# mean = 0.0                 # continuous: mean with sd (or sem, or median with iqr / q1 and q3)\n# sd = 0.0\n# events = 0                 # binary: events (or percent)\n# n = 0                      # participants analysed, when it differs from the arm size\n# source = {{ report = {k}, at = \"Table 2\" }}\n\n# [[comparisons]]\n# outcome = \"{first_outcome}\"\n# time = \"week 12\"\n# arms = [\"intervention\", \"control\"]\n# p = \"0.008\"\n# source = {{ report = {k}, at = \"Results\" }}\n\n# [[adverse-events]]\n# event = \"Fever\"\n# category = \"infusion-reaction\"  # death | serious | infusion-reaction | hypoglycaemia | laboratory | other\n# arm = \"intervention\"\n# status = \"events\"          # events | none-observed | none-reported | not-reported\n# events = 0\n# source = {{ report = {k}, at = \"Safety\" }}\n\n# [[findings]]\n# text = \"A result reported only in words.\"\n# source = {{ report = {k}, at = \"Discussion\" }}\n\n# [risk-of-bias]                # see the README: RoB 2 for RCTs, ROBINS-I otherwise\n",
        k = quoted(key)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A project with one YAML reference and an empty inbox.
    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("data")).unwrap();
        fs::write(
            dir.path().join("data/references.yaml"),
            "smith2019:\n  type: article\n  title: Preliminary results of a small trial\n  author: [\"Smith, Anna\"]\n  date: 2019\n",
        )
        .unwrap();
        dir
    }

    fn ris(dir: &Path, body: &str) -> PathBuf {
        let path = dir.join("export.ris");
        fs::write(&path, body).unwrap();
        path
    }

    #[test]
    fn yaml_references_count_as_known_and_keys_avoid_them() {
        let dir = project();
        let file = ris(
            dir.path(),
            "TY  - JOUR\nAU  - Smith, A.\nTI  - Preliminary Results of a Small Trial.\nPY  - 2019\nER  - \n\nTY  - JOUR\nAU  - Smith, Anna\nTI  - Final results of a small trial\nPY  - 2019\nER  - \n",
        );
        let report = import(dir.path(), &[file], "2026-11-23", false).unwrap();
        assert_eq!(
            report.skipped[0].reason,
            "same title and year as `smith2019` in data/references.yaml"
        );
        assert_eq!(report.added.len(), 1);
        assert_eq!(report.added[0].key, "smith2019b");
        let written = fs::read_to_string(dir.path().join("data/inbox/smith2019b.bib")).unwrap();
        assert!(written.starts_with("% Imported by evbrief on 2026-11-23 from "));
        assert!(written.contains("export.ris, line 7; awaiting assessment.\n@article{smith2019b,"));
    }

    #[test]
    fn a_dry_run_writes_nothing() {
        let dir = project();
        let file = ris(
            dir.path(),
            "TY  - JOUR\nTI  - A new trial\nPY  - 2024\nER  - \n",
        );
        let report = import(dir.path(), &[file], "2026-11-23", true).unwrap();
        assert_eq!(report.added[0].key, "anon2024");
        assert!(!dir.path().join("data/inbox").exists());
    }

    #[test]
    fn new_study_refuses_unknown_and_curated_keys() {
        let dir = project();
        let err = new_study(dir.path(), "smith2019", "2026-11-23").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`smith2019` is already a curated reference, not an inbox record"
        );
        let err = new_study(dir.path(), "nobody", "2026-11-23").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no inbox record `nobody` (the inbox is empty; add records with `evbrief import FILE`)"
        );
    }
}
