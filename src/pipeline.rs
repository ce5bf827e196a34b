//! One build: fingerprint → load → analyse → view model → Typst → PDF, then a dated
//! edition and `output/brief.pdf`, each written atomically.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDate;

use crate::analysis::analyse;
use crate::analysis::record::{EditionRecord, EditionStamp, InputsRecord, edition_record};
use crate::config::{Paper, PdfConformance};
use crate::data::{LoadError, Project, load_project};
use crate::i18n::Language;
use crate::render::{FontOptions, RenderError, Renderer};
use crate::store::editions::{EditionName, Editions, RecordError};
use crate::store::inputs::{extra_files, fingerprint, short_hash};
use crate::store::lock::{HolderInfo, LockError, LockWait, OutputLock};
use crate::store::write_atomically;
use crate::view::DocumentFormat;
use crate::view::changes::{ChangeWords, changes_between, summary_line};
use crate::view::{BriefView, EditionView, ViewOptions, build_view};

/// What a build needs to know; filled by the CLI or a test, never from globals.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// The project folder (holds `brief.toml`).
    pub project: PathBuf,
    /// Where the PDF goes; default `<project>/output/brief.pdf`.
    pub output: PathBuf,
    /// `SOURCE_DATE_EPOCH`, which overrides the as-of date as PDF timestamp.
    pub source_date_epoch: Option<i64>,
    /// The day a new edition is dated with (the clock's, or `SOURCE_DATE_EPOCH`'s).
    pub today: NaiveDate,
    /// Do nothing when the inputs equal the latest edition's (`build --if-changed`).
    pub if_changed: bool,
    /// Keep dated editions (a preview in `evbrief watch` does not).
    pub editions: bool,
    /// Which document to write: the brief (the edition itself), a handout or slides.
    pub format: DocumentFormat,
    /// The language to write it in, instead of `brief.toml`'s.
    pub language: Option<Language>,
    /// The paper size, instead of `brief.toml`'s (slides ignore it).
    pub paper: Option<Paper>,
    /// PDF standards, instead of `brief.toml`'s `pdf-standards`.
    pub pdf: Option<PdfConformance>,
    /// Which fonts to load besides the embedded ones and the project's `fonts/`.
    pub fonts: FontOptions,
    /// How long compiling the template may take (see [`crate::render::DEFAULT_TIME_LIMIT`]).
    pub template_time_limit: Duration,
}

impl BuildConfig {
    /// The default build of the project at `project`, dated `today`.
    pub fn new(project: impl Into<PathBuf>, today: NaiveDate) -> Self {
        let project = project.into();
        let output = project.join("output").join("brief.pdf");
        BuildConfig {
            project,
            output,
            source_date_epoch: None,
            today,
            if_changed: false,
            editions: true,
            format: DocumentFormat::Brief,
            language: None,
            paper: None,
            pdf: None,
            fonts: FontOptions::default(),
            template_time_limit: crate::render::DEFAULT_TIME_LIMIT,
        }
    }

    /// Asks for `format` in `language` on `paper` conforming to `pdf` (each `None`
    /// meaning `brief.toml`'s choice) and points the output at its default file:
    /// `output/<format>.pdf`, with the language, paper and standards added when given
    /// (`output/handout.zh.us-letter.pdf`, `output/brief.a-2b.ua-1.pdf`).
    pub fn document(
        mut self,
        format: DocumentFormat,
        language: Option<Language>,
        paper: Option<Paper>,
        pdf: Option<PdfConformance>,
    ) -> Self {
        self.format = format;
        self.language = language;
        self.paper = paper;
        self.pdf = pdf;
        let mut name = format.name().to_owned();
        if let Some(language) = language {
            name = format!("{name}.{}", language.code());
        }
        if let Some(paper) = paper {
            name = format!("{name}.{}", paper.name());
        }
        if let Some(pdf) = pdf {
            for standard in pdf.to_names() {
                name = format!("{name}.{standard}");
            }
        }
        self.output = self.output_dir().join(format!("{name}.pdf"));
        self
    }

    /// True for the brief as `brief.toml` describes it: the document an edition keeps.
    /// Anything else (a handout, slides, another language, paper or PDF standard) is
    /// made from an edition but not kept in it.
    pub fn is_edition_document(&self) -> bool {
        self.format == DocumentFormat::Brief
            && self.language.is_none()
            && self.paper.is_none()
            && self.pdf.is_none()
    }

    /// What the view model of this build's document is asked for.
    pub fn view_options(&self, brief: &crate::config::BriefConfig) -> ViewOptions {
        ViewOptions {
            format: self.format,
            language: self.language.unwrap_or(brief.language),
            paper: self.paper.unwrap_or(brief.paper),
            pdf: self.pdf.unwrap_or(brief.pdf_standards),
        }
    }

    /// The project's output folder: editions and the lock file live here.
    pub fn output_dir(&self) -> PathBuf {
        self.project.join("output")
    }

    /// Refuses a folder without `brief.toml`, before anything is read or created in it.
    pub fn ensure_project(&self) -> Result<(), BuildError> {
        if self.project.join("brief.toml").is_file() {
            Ok(())
        } else {
            Err(LoadError::NotAProject(self.project.clone()).into())
        }
    }
}

/// Why a build failed; `is_user_error` tells bad data from internal faults.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The project's files are invalid.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The inputs could not be fingerprinted or the editions listed.
    #[error("cannot read {path} ({source})")]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another evbrief process holds the output folder, or the lock file is unusable.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The PDF or an edition could not be written.
    #[error("cannot write {path} ({source})")]
    Write {
        /// Target file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

impl BuildError {
    /// True for problems the user can fix in data or templates (exit code 2).
    pub fn is_user_error(&self) -> bool {
        match self {
            BuildError::Load(_) => true,
            BuildError::Render(e) => matches!(
                e,
                RenderError::Template(_)
                    | RenderError::TimeLimit { .. }
                    | RenderError::Timestamp
                    | RenderError::NoCjkFont { .. }
            ),
            BuildError::Read { .. } | BuildError::Write { .. } | BuildError::Lock(_) => false,
        }
    }

    /// True when another evbrief process holds the output folder (try again later).
    pub fn is_busy(&self) -> bool {
        matches!(self, BuildError::Lock(LockError::Busy { .. }))
    }
}

/// Time spent in each phase of a build.
#[derive(Debug, Clone, Default)]
pub struct Timings {
    /// Hashing the inputs and reading the latest edition.
    pub fingerprint: Duration,
    /// Reading, parsing and validating the data.
    pub load: Duration,
    /// Analysis and view model.
    pub analyse: Duration,
    /// Typst compilation and PDF export.
    pub render: Duration,
    /// Of `render`, the PDF export alone.
    pub export: Duration,
    /// Writing the edition and the output file.
    pub write: Duration,
}

/// What a build did about editions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditionOutcome {
    /// A new edition with this name was written.
    New(String),
    /// The inputs equal those of this existing edition; no edition was written.
    Unchanged(String),
    /// A preview of the next edition (named here); no edition was written.
    Preview(String),
}

/// The result of a successful build.
#[derive(Debug)]
pub struct BuildReport {
    /// Where the PDF was written.
    pub output: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// Number of studies in the brief.
    pub studies: usize,
    /// Template warnings.
    pub warnings: String,
    /// Warnings about the data (studies that may share participants), `path:line:col: …`.
    pub data_warnings: Vec<String>,
    /// The edition written, matched or previewed.
    pub edition: EditionOutcome,
    /// The edition compared with for "What's new", if any.
    pub previous_edition: Option<String>,
    /// A line saying what changed, for the console.
    pub changes: Option<String>,
    /// Newer editions passed over because their record was unreadable.
    pub skipped_records: Vec<RecordError>,
    /// Time per phase.
    pub timings: Timings,
}

/// What `build` did.
#[derive(Debug)]
pub enum BuildOutcome {
    /// The brief was rendered and written.
    Built(Box<BuildReport>),
    /// `--if-changed`: the inputs equal the latest edition's, nothing was rendered.
    UpToDate {
        /// That edition's name.
        edition: String,
        /// The output file (restored from the edition when it was missing).
        output: PathBuf,
        /// True when the output file was missing and was restored from the edition.
        restored: bool,
    },
}

/// Loads and validates the project without rendering (`evbrief check`).
pub fn check(config: &BuildConfig) -> Result<Project, BuildError> {
    Ok(load_project(&config.project)?)
}

/// The latest edition and the current inputs, to decide whether anything changed.
pub struct InputsCheck {
    /// The newest edition with a readable record.
    pub latest: Option<(crate::store::editions::Edition, EditionRecord)>,
    /// Newer editions passed over.
    pub skipped: Vec<RecordError>,
    /// The inputs now.
    pub inputs: InputsRecord,
}

impl InputsCheck {
    /// True when the inputs equal the latest edition's.
    pub fn unchanged(&self) -> bool {
        self.latest
            .as_ref()
            .is_some_and(|(_, r)| r.inputs.hash == self.inputs.hash)
    }
}

/// Fingerprints the inputs of `config`'s project against its latest edition. Cheap: no
/// parsing, no Typst; what `schedule` and `build --if-changed` run at every tick.
pub fn check_inputs(config: &BuildConfig) -> Result<InputsCheck, BuildError> {
    let editions = Editions::in_output(&config.output_dir());
    let latest = editions.latest().map_err(|source| BuildError::Read {
        path: editions.dir().to_path_buf(),
        source,
    })?;
    let extra = latest
        .edition
        .as_ref()
        .map(|(_, r)| extra_files(&r.inputs))
        .unwrap_or_default();
    config.ensure_project()?;
    let inputs = fingerprint(&config.project, &extra).map_err(|source| BuildError::Read {
        path: config.project.clone(),
        source,
    })?;
    Ok(InputsCheck {
        latest: latest.edition,
        skipped: latest.skipped,
        inputs,
    })
}

/// Takes the lock on `config`'s output folder for `command` ("build", "watch" …), waiting
/// as `wait` says; `on_wait` hears who holds it if we have to wait. A folder without
/// `brief.toml` is refused first, so no output folder is created in the wrong place.
pub fn lock_output(
    config: &BuildConfig,
    command: &str,
    wait: LockWait,
    on_wait: impl FnOnce(Option<&HolderInfo>),
) -> Result<OutputLock, BuildError> {
    config.ensure_project()?;
    Ok(OutputLock::acquire(
        &config.output_dir(),
        &HolderInfo::current(command),
        wait,
        on_wait,
    )?)
}

/// Builds the brief with a fresh renderer, holding the output lock (waiting up to a
/// minute for another evbrief process); see [`build_locked`].
pub fn build(config: &BuildConfig) -> Result<BuildOutcome, BuildError> {
    let lock = lock_output(
        config,
        "build",
        LockWait::For(Duration::from_secs(60)),
        |_| {},
    )?;
    build_locked(config, &lock, &mut None)
}

/// Builds the brief: a new dated edition when the inputs changed since the latest one,
/// and `config.output`. The caller holds the output lock (`_lock`), so no other evbrief
/// process writes editions or the output meanwhile. `renderer` is reused when given
/// (watch mode) and created when `None`. On any failure every existing file is left
/// untouched.
pub fn build_locked(
    config: &BuildConfig,
    _lock: &OutputLock,
    renderer: &mut Option<Renderer>,
) -> Result<BuildOutcome, BuildError> {
    let t0 = Instant::now();
    let check = check_inputs(config)?;
    if config.if_changed
        && check.unchanged()
        && let Some((edition, _)) = &check.latest
    {
        let restored = !config.output.is_file();
        if restored {
            let pdf = fs::read(edition.pdf()).map_err(|source| BuildError::Read {
                path: edition.pdf(),
                source,
            })?;
            write_atomically(&config.output, &pdf).map_err(|source| BuildError::Write {
                path: config.output.clone(),
                source,
            })?;
        }
        return Ok(BuildOutcome::UpToDate {
            edition: edition.name.to_string(),
            output: config.output.clone(),
            restored,
        });
    }
    let fingerprinted = t0.elapsed();
    let mut prepared = prepare(config, check)?;
    prepared.timings.fingerprint = fingerprinted;
    let report = if config.is_edition_document() {
        finish(config, &mut prepared, renderer)?
    } else {
        finish_document(config, &mut prepared, renderer)?
    };
    Ok(BuildOutcome::Built(Box::new(report)))
}

/// Writes a document other than the edition's brief (handout, slides, another language
/// or paper). It names the edition it is made from, so when the inputs changed the new
/// edition is written first, exactly as `evbrief build` would write it.
fn finish_document(
    config: &BuildConfig,
    prepared: &mut Prepared,
    renderer: &mut Option<Renderer>,
) -> Result<BuildReport, BuildError> {
    let edition = if config.editions && !prepared.unchanged {
        let brief = BuildConfig {
            output: config.output_dir().join("brief.pdf"),
            format: DocumentFormat::Brief,
            language: None,
            paper: None,
            ..config.clone()
        };
        let report = finish(&brief, prepared, renderer)?;
        prepared.name = match &report.edition {
            EditionOutcome::New(name) => EditionName::parse(name).unwrap_or(prepared.name),
            _ => prepared.name,
        };
        prepared.view.edition.name = Some(prepared.name.to_string());
        report.edition
    } else if config.editions {
        EditionOutcome::Unchanged(prepared.name.to_string())
    } else {
        EditionOutcome::Preview(prepared.name.to_string())
    };
    let t3 = Instant::now();
    let options = config.view_options(&prepared.project.config);
    let view = build_view(
        &prepared.project,
        &prepared.analysed,
        prepared.view.edition.clone(),
        options,
    );
    let renderer = renderer_for(renderer, &prepared.project.root, config)?;
    let rendered = renderer.render(&prepared.project, &view, config.source_date_epoch)?;
    let t4 = Instant::now();
    write_output(config, &rendered.pdf)?;
    Ok(build_report(config, prepared, rendered, edition, (t3, t4)))
}

/// A brief ready to render: the loaded project, its view model and edition record.
/// `evbrief watch` keeps one so a template edit re-renders without reloading the data.
pub struct Prepared {
    /// The validated project.
    pub project: Project,
    /// Its analysis, kept to build views of other formats and languages.
    pub analysed: crate::analysis::Analysed,
    /// The view model the template reads.
    pub view: BriefView,
    /// The edition record (`analysis.json`) of this build.
    pub record: EditionRecord,
    /// The edition this build is (or previews).
    pub name: EditionName,
    /// True when the inputs equal the latest edition's.
    pub unchanged: bool,
    /// The edition compared with.
    pub previous_edition: Option<String>,
    /// One line on what changed since it.
    pub changes: Option<String>,
    /// Newer editions passed over because their record was unreadable.
    pub skipped_records: Vec<RecordError>,
    /// Time so far.
    pub timings: Timings,
}

/// Loads and analyses the project and builds its view and record, as the edition `check`
/// makes it the next one (or the same one, when nothing changed).
pub fn prepare(config: &BuildConfig, check: InputsCheck) -> Result<Prepared, BuildError> {
    let t1 = Instant::now();
    let unchanged = check.unchanged();
    let editions = Editions::in_output(&config.output_dir());
    // The edition this build is, and the one it is compared with.
    let (name, previous) = match &check.latest {
        Some((edition, record)) if unchanged => {
            let previous = record
                .previous_edition
                .as_deref()
                .and_then(|p| editions.find(p).ok().flatten())
                .and_then(|e| editions.record(&e).ok());
            (edition.name, previous)
        }
        latest => {
            let name = editions
                .next_name(config.today)
                .map_err(|source| BuildError::Read {
                    path: editions.dir().to_path_buf(),
                    source,
                })?;
            (name, latest.as_ref().map(|(_, r)| r.clone()))
        }
    };
    let project = load_project(&config.project)?;
    let t2 = Instant::now();
    let analysed = analyse(&project);
    let stamp = EditionStamp {
        edition: name.to_string(),
        date: name.date.format("%Y-%m-%d").to_string(),
        previous_edition: previous.as_ref().map(|p| p.edition.clone()),
        inputs: check.inputs,
    };
    let record = edition_record(&project, &analysed, stamp);
    let question = &project.config.question;
    let arms = (
        question.intervention_short.as_str(),
        question.comparison_short.as_str(),
    );
    let as_written = |text: &str| text.to_owned();
    let english = ChangeWords {
        labels: Language::En.labels(),
        arms,
        curated: &as_written,
    };
    let changes = previous
        .as_ref()
        .map(|p| summary_line(&changes_between(p, &record, &english)));
    let draft = !config.editions && !unchanged;
    let edition = EditionView {
        name: Some(name.to_string()),
        // Filled in by the view, in its language.
        date: None,
        // A preview of unchanged inputs is the latest edition itself, byte for byte.
        draft,
        // A draft prints no input hash: it changes with every save, and printing it on
        // every page would make Typst lay out every page again after a template edit.
        inputs: (!draft).then(|| short_hash(&record.inputs)),
        // Worded by the view, in its language.
        changes: None,
        compared: previous
            .as_ref()
            .map(|p| Box::new((p.clone(), record.clone()))),
        history: editions.records_before(name),
    };
    let view = build_view(
        &project,
        &analysed,
        edition,
        ViewOptions::brief(&project.config),
    );
    let t3 = Instant::now();
    Ok(Prepared {
        project,
        analysed,
        view,
        record,
        name,
        unchanged,
        previous_edition: previous.map(|p| p.edition),
        changes,
        skipped_records: check.skipped,
        timings: Timings {
            load: t2 - t1,
            analyse: t3 - t2,
            ..Timings::default()
        },
    })
}

/// Renders `prepared` and writes it: a new edition when it is one, then `config.output`.
/// Files the templates read outside the tracked folders join the input fingerprint.
pub fn finish(
    config: &BuildConfig,
    prepared: &mut Prepared,
    renderer: &mut Option<Renderer>,
) -> Result<BuildReport, BuildError> {
    let t3 = Instant::now();
    let renderer = renderer_for(renderer, &prepared.project.root, config)?;
    let mut rendered =
        renderer.render(&prepared.project, &prepared.view, config.source_date_epoch)?;
    let read_outside: Vec<String> = renderer
        .files_read()
        .into_iter()
        .filter(|f| !prepared.record.inputs.files.contains_key(f))
        .collect();
    if !read_outside.is_empty() {
        let mut extra = extra_files(&prepared.record.inputs);
        extra.extend(read_outside);
        prepared.record.inputs =
            fingerprint(&config.project, &extra).map_err(|source| BuildError::Read {
                path: config.project.clone(),
                source,
            })?;
        prepared.unchanged = false;
        if prepared.view.edition.inputs.is_some() {
            prepared.view.edition.inputs = Some(short_hash(&prepared.record.inputs));
        }
        rendered = renderer.render(&prepared.project, &prepared.view, config.source_date_epoch)?;
    }
    let t4 = Instant::now();
    let name = prepared.name;
    let outcome = if !config.editions {
        EditionOutcome::Preview(name.to_string())
    } else if prepared.unchanged {
        EditionOutcome::Unchanged(name.to_string())
    } else {
        let editions = Editions::in_output(&config.output_dir());
        let json = serde_json::to_vec_pretty(&prepared.record).map_err(RenderError::from)?;
        let written = editions
            .write(name, &rendered.pdf, &json)
            .map_err(|source| BuildError::Write {
                path: editions.dir().join(name.to_string()),
                source,
            })?;
        EditionOutcome::New(written.name.to_string())
    };
    write_output(config, &rendered.pdf)?;
    Ok(build_report(config, prepared, rendered, outcome, (t3, t4)))
}

/// The renderer kept in `slot` (watch mode), or a new one for `root`, with `config`'s
/// fonts and time limit.
fn renderer_for<'a>(
    slot: &'a mut Option<Renderer>,
    root: &Path,
    config: &BuildConfig,
) -> Result<&'a mut Renderer, BuildError> {
    let renderer = match slot {
        Some(r) => r,
        None => slot.insert(Renderer::new(root, config.fonts)?),
    };
    renderer.set_time_limit(config.template_time_limit);
    Ok(renderer)
}

/// Writes the rendered PDF to `config.output`, atomically.
fn write_output(config: &BuildConfig, pdf: &[u8]) -> Result<(), BuildError> {
    write_atomically(&config.output, pdf).map_err(|source| BuildError::Write {
        path: config.output.clone(),
        source,
    })
}

/// The report of a build that rendered from `started` and finished rendering at
/// `rendered_at` (`started..rendered_at` is the render time, the rest until now the write).
fn build_report(
    config: &BuildConfig,
    prepared: &mut Prepared,
    rendered: crate::render::Rendered,
    edition: EditionOutcome,
    (started, rendered_at): (Instant, Instant),
) -> BuildReport {
    BuildReport {
        output: config.output.clone(),
        bytes: rendered.pdf.len(),
        studies: prepared.project.studies.len(),
        // the printed p-values the printed data do not give, then the template's warnings
        warnings: crate::analysis::consistency::warnings_text(
            &prepared.project,
            &prepared.analysed.consistency,
        ) + &rendered.warnings,
        data_warnings: crate::analysis::overlap::warnings(
            &prepared.project.studies,
            &prepared.analysed.overlaps,
        )
        .iter()
        .map(ToString::to_string)
        .collect(),
        edition,
        previous_edition: prepared.previous_edition.clone(),
        changes: prepared.changes.clone(),
        skipped_records: std::mem::take(&mut prepared.skipped_records),
        timings: Timings {
            render: rendered_at - started,
            export: rendered.export,
            write: rendered_at.elapsed(),
            ..prepared.timings.clone()
        },
    }
}
