//! Every clap type of the command line, in one place (as typst-cli's `args.rs`).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// evbrief: a typeset PDF evidence brief from curated clinical-study data.
#[derive(Debug, Parser)]
#[command(name = "evbrief", version, about, propagate_version = true)]
pub struct Cli {
    /// Print only errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print more detail (per-phase timings of a build).
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate the data and write the brief as PDF.
    Build(BuildArgs),
    /// Validate the data only; writes nothing.
    Check(CheckArgs),
    /// Rebuild output/brief.pdf whenever data, brief.toml, templates or fonts change
    /// (a preview: no editions are written). Stop with Ctrl-C.
    Watch(WatchArgs),
    /// Stay running and, at every tick of a cron expression or interval, rebuild the brief
    /// if its inputs changed since the latest edition. Stop with Ctrl-C.
    Schedule(ScheduleArgs),
    /// Run the statistics engine on a CSV file (metafor column names).
    Analyse(AnalyseArgs),
    /// Write a synthetic project with invented data (for trying evbrief at scale).
    Synthetic(SyntheticArgs),
    /// File new records from RIS, PubMed (.nbib), BibTeX or CSL-JSON exports into
    /// data/inbox/, skipping those already in the bibliography or the inbox.
    Import(ImportArgs),
    /// Draft a study file from an inbox record; run again when it is filled in to add it
    /// to the brief.
    NewStudy(NewStudyArgs),
    /// List the inbox records awaiting assessment: key, year, title, journal, where each
    /// came from and the first lines of its abstract.
    Screen(ScreenArgs),
    /// Move inbox records to data/excluded/ with a reason, the screening stage and today's
    /// date; a later import or search skips them.
    Exclude(ExcludeArgs),
    /// Run the saved searches of brief.toml ([[searches]]) against PubMed, Europe PMC,
    /// Crossref or ClinicalTrials.gov and file new records into data/inbox/.
    Search(SearchArgs),
    /// Write a new brief project that builds at once: brief.toml with every key explained,
    /// data folders and an extraction sheet; it uses the built-in templates.
    Init(InitArgs),
    /// The built-in templates: copy them into the project to customise (`eject`), or show
    /// how the project's copies differ (`diff`).
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Read an extraction sheet (CSV or .xlsx, one row per value) into study files and
    /// brief.toml outcomes.
    ImportData(ImportDataArgs),
}

/// Arguments of `evbrief init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder of the new project (created when missing; must be empty without --force).
    pub dir: PathBuf,
    /// The brief's title [default: a placeholder].
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// The brief's language.
    #[arg(long = "lang", value_name = "LANG", default_value = "en", value_parser = ["en", "zh"])]
    pub language: String,
    /// Write into a folder that is not empty (files of the same names are replaced).
    #[arg(long)]
    pub force: bool,
}

/// `evbrief templates eject|diff`.
#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Copy built-in templates into PROJECT/templates/ to customise them.
    Eject(TemplatesEjectArgs),
    /// Show how the project's templates differ from the built-in ones (a unified diff).
    Diff(TemplatesDiffArgs),
}

/// Arguments of `evbrief templates eject`.
#[derive(Debug, Args)]
pub struct TemplatesEjectArgs {
    /// Templates to copy (brief, handout, slides, common, forest, analyses, prisma) [default: all].
    pub names: Vec<String>,
    /// Replace the project's copies (their changes are lost).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Arguments of `evbrief templates diff`.
#[derive(Debug, Args)]
pub struct TemplatesDiffArgs {
    /// Templates to compare (brief, handout, slides, common, forest, analyses, prisma) [default: all].
    pub names: Vec<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Arguments of `evbrief search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Run only the saved search of this name.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Search, and report what would be filed, without writing anything (no inbox files,
    /// no search-log rows).
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `evbrief screen`.
#[derive(Debug, Args)]
pub struct ScreenArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Arguments of `evbrief exclude`.
#[derive(Debug, Args)]
pub struct ExcludeArgs {
    /// Citation keys of the inbox records to exclude (as `evbrief screen` lists them).
    #[arg(required = true, value_name = "KEY")]
    pub keys: Vec<String>,
    /// Why (one of `[screening] reasons` in brief.toml when that list exists).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The screening stage: title-abstract (counted only) or full-text (listed in the brief
    /// with its reason).
    #[arg(long, value_enum, default_value = "title-abstract")]
    pub stage: StageArg,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// The screening stage at which records are excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StageArg {
    /// On title and abstract.
    TitleAbstract,
    /// After the full text was read.
    FullText,
}

/// Arguments of `evbrief import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Export files (.ris, .nbib, .bib, .json); the format is also recognised by content.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Report what would be added and skipped without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `evbrief new-study`.
#[derive(Debug, Args)]
pub struct NewStudyArgs {
    /// Citation key of the inbox record (the file name in data/inbox/ without `.bib`).
    pub key: String,
    /// File the record as another report of this included study (its values move there
    /// where they fit) instead of adding it as a study.
    #[arg(long, value_name = "STUDY", conflicts_with = "distinct_from")]
    pub report_of: Option<String>,
    /// Record that the draft's participants are not this included study's
    /// (`[[distinct-from]]`), then add it; needs --reason.
    #[arg(long, value_name = "STUDY", requires = "reason")]
    pub distinct_from: Option<String>,
    /// Why the two studies are different participants (with --distinct-from).
    #[arg(long, value_name = "TEXT", requires = "distinct_from")]
    pub reason: Option<String>,
    #[command(flatten)]
    pub project: ProjectArgs,
}

/// Arguments of `evbrief synthetic`.
#[derive(Debug, Args)]
pub struct SyntheticArgs {
    /// Folder to write the project into (created; must not hold a brief.toml yet).
    pub dir: PathBuf,
    /// Number of studies.
    #[arg(long, default_value_t = 13)]
    pub studies: usize,
    /// Number of outcomes (alternately binary and continuous).
    #[arg(long, default_value_t = 1)]
    pub outcomes: usize,
    /// Seed of the invented numbers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Form subgroups by condition (T1D / T2DM).
    #[arg(long)]
    pub subgroups: bool,
    /// Folder of templates to copy into the project [default: none, the project uses the
    /// built-in templates].
    #[arg(long, value_name = "DIR")]
    pub templates: Option<PathBuf>,
}

/// Where the project is.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Project folder (contains brief.toml).
    #[arg(long, short, default_value = ".")]
    pub project: PathBuf,
}

/// Arguments of `evbrief check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Also list every curated text without a translation into this language (`notes`
    /// without `notes-zh` …) as `path:line:col`: a translator's to-do list.
    #[arg(long = "lang", value_name = "LANG", value_parser = ["zh"])]
    pub language: Option<String>,
}

/// Arguments of `evbrief build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output PDF [default: PROJECT/output/brief.pdf].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Print the time spent in each phase.
    #[arg(long)]
    pub timings: bool,
    /// Do nothing when the inputs (data, brief.toml, templates, fonts) are unchanged since
    /// the latest edition; for cron jobs, systemd timers and CI.
    #[arg(long)]
    pub if_changed: bool,
    /// Run the saved searches of brief.toml first (as `evbrief search`); with
    /// --if-changed, a search that files nothing new makes no new edition. Exits 75 when a
    /// search source failed, after the build.
    #[arg(long)]
    pub search: bool,
    /// Seconds to wait when another evbrief process is writing the output folder
    /// (0: exit at once with code 75).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub lock_wait: u64,
    /// Which document: `brief` (the edition), `handout` (two pages for a journal club) or
    /// `slides` (16:9); written to output/<format>.pdf.
    #[arg(long, default_value = "brief", value_parser = ["brief", "handout", "slides"])]
    pub format: String,
    /// Language of the document, `en` or `zh` [default: `language` in brief.toml]; adds
    /// the language to the file name (output/handout.zh.pdf).
    #[arg(long = "lang", value_name = "LANG", value_parser = ["en", "zh"])]
    pub language: Option<String>,
    /// Paper size, `a4` or `us-letter` [default: `paper` in brief.toml]; adds the paper to
    /// the file name. Slides are always 16:9.
    #[arg(long, value_parser = ["a4", "us-letter", "letter"])]
    pub paper: Option<String>,
    /// Load only the embedded fonts and PROJECT/fonts/, no system CJK font: the PDF then
    /// depends on the project alone.
    #[arg(long)]
    pub ignore_system_fonts: bool,
    /// Seconds compiling the template may take before the build gives up (a template that
    /// loops endlessly); nothing is written then.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::render::DEFAULT_TIME_LIMIT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub template_time_limit: u64,
    /// A PDF standard to conform to, instead of `pdf-standards` in brief.toml; repeat
    /// for two (`--pdf-standard a-2b --pdf-standard ua-1`). Adds the standards to the
    /// file name (output/brief.a-2b.ua-1.pdf). PDF/A: a-2b, a-2u, a-2a, a-3b, a-3u,
    /// a-3a, a-4; PDF/UA: ua-1.
    #[arg(long = "pdf-standard", value_name = "STANDARD")]
    pub pdf_standards: Vec<String>,
}

/// Arguments of `evbrief watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output PDF [default: PROJECT/output/brief.pdf].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Milliseconds without further changes before a rebuild starts (editors save in bursts).
    #[arg(long, value_name = "MS", default_value_t = 100)]
    pub debounce: u64,
}

/// Arguments of `evbrief schedule`.
#[derive(Debug, Args)]
pub struct ScheduleArgs {
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Output PDF [default: PROJECT/output/brief.pdf].
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Cron expression, in local time, like crontab: "0 7 * * MON" is Mondays at 07:00.
    #[arg(long, conflicts_with = "every", required_unless_present = "every")]
    pub cron: Option<String>,
    /// Interval between checks: "30m", "6h", "1d", "1h 30m".
    #[arg(long)]
    pub every: Option<String>,
    /// Print the next N check times and exit (to try an expression).
    #[arg(long, value_name = "N")]
    pub next: Option<usize>,
    /// Run the saved searches of brief.toml before every check (as `evbrief search`); new
    /// records rebuild the brief, a search that finds only duplicates does not.
    #[arg(long)]
    pub search: bool,
    /// Seconds a tick waits for another evbrief process writing the output folder.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub lock_wait: u64,
}

/// Arguments of `evbrief analyse`.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// CSV file with metafor escalc column names.
    #[arg(long)]
    pub data: PathBuf,
    /// Effect measure: RR, OR, RD, PETO, MD, SMD, PR, PLO, PFT, PAS, MC, SMCR, GEN.
    #[arg(long)]
    pub measure: String,
    /// Pooling method: FE, DL, REML, PM, MH, PETO.
    #[arg(long, default_value = "REML")]
    pub method: String,
    /// Test for the pooled estimate: z or knha (Hartung–Knapp).
    #[arg(long, default_value = "z")]
    pub test: String,
    /// Pre/post correlation assumed for MC/SMCR rows without `ri`.
    #[arg(long)]
    pub ri: Option<f64>,
    /// Double-zero studies (RR, OR, PETO): keep with 1/2 added to every cell (as metafor
    /// escalc) or drop as not estimable.
    #[arg(long, value_enum, default_value_t = DoubleZeroArg::Keep)]
    pub double_zero: DoubleZeroArg,
    /// Small-study effects: Egger (regtest, mixed and lm), Begg (ranktest), trim-and-fill.
    #[arg(long)]
    pub bias: bool,
    /// Leave-one-out analysis (metafor leave1out).
    #[arg(long)]
    pub leave_one_out: bool,
    /// Influence diagnostics (metafor influence).
    #[arg(long)]
    pub influence: bool,
    /// Cumulative meta-analysis ordered by this CSV column (metafor cumul).
    #[arg(long, value_name = "COLUMN")]
    pub cumulative_by: Option<String>,
    /// Moderator of a mixed-effects meta-regression (a CSV column; repeatable).
    #[arg(long = "mods", value_name = "COLUMN")]
    pub mods: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// What `analyse` does with double-zero studies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DoubleZeroArg {
    /// Keep them with 1/2 added to every cell (metafor escalc's default).
    Keep,
    /// Leave them out as not estimable.
    Drop,
}

/// How `analyse` prints its result.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// Machine-readable JSON (metafor's field conventions).
    Json,
    /// A short human-readable table.
    Table,
}

/// Arguments of `evbrief import-data`.
#[derive(Debug, Args)]
pub struct ImportDataArgs {
    /// The extraction sheet: a .csv file, or an .xlsx workbook (its first sheet).
    pub file: PathBuf,
    #[command(flatten)]
    pub project: ProjectArgs,
    /// Report what would be written without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Replace values the study files hold already when the sheet gives another.
    #[arg(long)]
    pub update: bool,
}
