//! Command-line interface: clap types and the translation of arguments into library calls.
//!
//! Exit codes: 0 success, 1 internal failure, 2 bad data or usage, 75 the output folder is
//! busy (another evbrief process holds its lock; try again later, sysexits' EX_TEMPFAIL).

use crate::data::bibliography::Shelf;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::analyse::{AnalyseOptions, Report, analyse};
use crate::config::PdfConformance;
use crate::data::LoadError;
use crate::inbox::{InboxError, NewStudy};
use crate::pipeline::{
    BuildConfig, BuildError, BuildOutcome, EditionOutcome, build_locked, check, lock_output,
};
use crate::render::RenderError;
use crate::stats::{Measure, Method, Test};
use crate::store::lock::{LockWait, OutputLock};

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
    Check(ProjectArgs),
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
    /// Folder of templates (brief.typ and anything it includes) to copy.
    #[arg(long, default_value = "templates")]
    pub templates: PathBuf,
}

/// Where the project is.
#[derive(Debug, Args)]
pub struct ProjectArgs {
    /// Project folder (contains brief.toml).
    #[arg(long, short, default_value = ".")]
    pub project: PathBuf,
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
    /// Effect measure: RR, OR, RD, PETO, MD, SMD, PR, PLO, PFT, MC, SMCR.
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
}

/// How `analyse` prints its result.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// Machine-readable JSON (metafor's field conventions).
    Json,
    /// A short human-readable table.
    Table,
}

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => run_build(&args, cli.quiet, cli.verbose),
        Command::Check(args) => match check(&BuildConfig::new(&args.project, today())) {
            Ok(project) => {
                if !cli.quiet {
                    println!(
                        "ok: {} studies, {} references, {} awaiting assessment",
                        project.studies.len(),
                        project.bibliography.len(Shelf::Curated),
                        project.bibliography.len(Shelf::Inbox)
                    );
                }
                0
            }
            Err(e) => report_error(&e, cli.quiet),
        },
        Command::Watch(args) => run_watch(&args, cli.quiet),
        Command::Schedule(args) => run_schedule(&args, cli.quiet),
        Command::Analyse(args) => run_analyse(&args),
        Command::Synthetic(args) => run_synthetic(&args, cli.quiet),
        Command::Import(args) => run_import(&args, cli.quiet),
        Command::NewStudy(args) => run_new_study(&args, cli.quiet),
    }
}

/// `SOURCE_DATE_EPOCH` when set to a whole number of seconds.
fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Today: from `SOURCE_DATE_EPOCH` when set (reproducible files), else the local clock.
fn today() -> chrono::NaiveDate {
    source_date_epoch()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// [`today`] as YYYY-MM-DD.
fn today_text() -> String {
    today().format("%Y-%m-%d").to_string()
}

/// The build settings of `project`, writing to `output` when given, dated today.
fn build_config(project: &ProjectArgs, output: Option<&PathBuf>) -> BuildConfig {
    let mut config = BuildConfig::new(&project.project, today());
    if let Some(out) = output {
        config.output.clone_from(out);
    }
    config.source_date_epoch = source_date_epoch();
    config
}

fn run_build(args: &BuildArgs, quiet: bool, verbose: bool) -> i32 {
    // clap has checked the values against these very lists.
    let format = args.format.parse().unwrap_or_default();
    let language = args.language.as_deref().and_then(|l| l.parse().ok());
    let paper = args.paper.as_deref().and_then(|p| p.parse().ok());
    let pdf = match args.pdf_standards.as_slice() {
        [] => None,
        names => match PdfConformance::from_names(names) {
            Ok(pdf) => Some(pdf),
            Err(e) => {
                eprintln!("error: --pdf-standard: {e}");
                return 2;
            }
        },
    };
    let mut config = build_config(&args.project, None).document(format, language, paper, pdf);
    if let Some(out) = &args.output {
        config.output.clone_from(out);
    }
    config.fonts.system_cjk = !args.ignore_system_fonts;
    config.template_time_limit = std::time::Duration::from_secs(args.template_time_limit);
    config.if_changed = args.if_changed;
    if config.if_changed && !config.is_edition_document() {
        eprintln!(
            "error: --if-changed applies to the brief an edition keeps; a handout, slides, \
             another language, paper or PDF standard is made with a plain `evbrief build …`"
        );
        return 2;
    }
    let lock = match take_lock(&config, "build", args.lock_wait, quiet) {
        Ok(lock) => lock,
        Err(e) => return report_error(&e, quiet),
    };
    match build_locked(&config, &lock, &mut None) {
        Ok(outcome) => {
            print_outcome(&outcome, quiet, args.timings || verbose);
            0
        }
        Err(e) => report_error(&e, quiet),
    }
}

fn run_watch(args: &WatchArgs, quiet: bool) -> i32 {
    use crate::living::session::WatchSession;
    use crate::living::watch::{FsWatcher, watch_loop};
    use std::ops::ControlFlow;

    let config = build_config(&args.project, args.output.as_ref());
    if let Err(e) = config.ensure_project() {
        return report_error(&e, quiet);
    }
    let root = config.project.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = match FsWatcher::new(&root, tx) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let mut session = WatchSession::new(config);
    println!(
        "watching {} (brief.toml, {}/); Ctrl-C to stop",
        root.display(),
        watcher.folders().join("/, ")
    );
    let mut rebuild = |changes: Option<&crate::living::watch::ChangeSet>| {
        let what = changes.map_or_else(|| "start".to_owned(), |c| c.describe());
        let stamp = chrono::Local::now().format("%H:%M:%S");
        let lock = match take_lock(session.config(), "watch", 60, quiet) {
            Ok(lock) => lock,
            Err(e) => {
                report_error(&e, quiet);
                return;
            }
        };
        match session.rebuild(&lock, changes) {
            Ok(done) => {
                let r = &done.report;
                if !quiet && !r.warnings.is_empty() {
                    eprint!("{}", r.warnings);
                }
                println!(
                    "{stamp} {what} → rebuilt ({}) in {:.0} ms: {}{}",
                    done.kind.label(),
                    done.elapsed.as_secs_f64() * 1e3,
                    r.output.display(),
                    r.changes
                        .as_ref()
                        .map(|c| format!("; {c}"))
                        .unwrap_or_default()
                );
            }
            Err(e) => {
                report_error(&e, quiet);
                println!(
                    "{stamp} {what} → failed; {} kept from the last good build",
                    session.config().output.display()
                );
            }
        }
    };
    rebuild(None);
    let quiet_period = std::time::Duration::from_millis(args.debounce.max(1));
    let _ = watch_loop(&rx, &root, quiet_period, |changes| {
        if let Err(e) = watcher.refresh(changes) {
            eprintln!("warning: {e}");
        }
        rebuild(Some(changes));
        ControlFlow::Continue(())
    });
    0
}

fn run_schedule(args: &ScheduleArgs, quiet: bool) -> i32 {
    use crate::living::schedule::{Schedule, SystemClock};
    use crate::living::scheduler::{Tick, run_schedule};
    use std::ops::ControlFlow;

    let schedule = match (&args.cron, &args.every) {
        (Some(cron), _) => Schedule::cron(cron),
        (None, Some(every)) => Schedule::every(every),
        (None, None) => unreachable!("clap requires --cron or --every"),
    };
    let schedule = match schedule {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let clock = SystemClock::new();
    let now = chrono::Utc::now();
    let show =
        |t: chrono::DateTime<chrono::Local>| t.format("%a %Y-%m-%d %H:%M:%S %:z").to_string();
    if let Some(n) = args.next {
        for t in schedule.upcoming(now.with_timezone(&chrono::Local), now, n) {
            println!("{}", show(t));
        }
        return 0;
    }
    let config = build_config(&args.project, args.output.as_ref());
    if let Err(e) = config.ensure_project() {
        return report_error(&e, quiet);
    }
    let wait = LockWait::For(std::time::Duration::from_secs(args.lock_wait));
    if !quiet {
        println!(
            "schedule: {}{}; checking {} now and at every tick; Ctrl-C to stop",
            schedule.describe(),
            if args.cron.is_some() {
                " (local time)"
            } else {
                ""
            },
            config.project.display()
        );
    }
    let mut clock = clock;
    // `run_schedule` anchors intervals when its first check is done.
    let mut anchor: Option<chrono::DateTime<chrono::Utc>> = None;
    run_schedule(
        &config,
        &schedule,
        &chrono::Local,
        &mut clock,
        wait,
        |at, tick| {
            let stamp = at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M:%S");
            match tick {
                Tick::UpToDate(edition) => {
                    if !quiet {
                        println!("{stamp} no change since edition {edition}");
                    }
                }
                Tick::Built(outcome) => {
                    if !quiet {
                        println!("{stamp} inputs changed:");
                    }
                    print_outcome(&outcome, quiet, false);
                }
                Tick::Failed(e) => {
                    report_error(&e, quiet);
                    println!(
                        "{stamp} the rebuild failed; the last good PDF stays; trying again at the next tick"
                    );
                }
            }
            if !quiet {
                let now = chrono::Utc::now();
                let anchor = *anchor.get_or_insert(now);
                if let Some(next) = schedule
                    .upcoming(now.with_timezone(&chrono::Local), anchor, 1)
                    .first()
                {
                    println!("next check: {}", show(*next));
                }
            }
            ControlFlow::Continue(())
        },
    );
    0
}

/// Takes the output lock, saying whom we wait for and what a dead holder left behind.
fn take_lock(
    config: &BuildConfig,
    command: &str,
    wait_seconds: u64,
    quiet: bool,
) -> Result<OutputLock, BuildError> {
    let wait = if wait_seconds == 0 {
        LockWait::NoWait
    } else {
        LockWait::For(std::time::Duration::from_secs(wait_seconds))
    };
    let lock = lock_output(config, command, wait, |holder| {
        if !quiet {
            let who =
                holder.map_or_else(|| "another evbrief process".to_owned(), |h| h.to_string());
            eprintln!("waiting up to {wait_seconds} s for {who} to release the output folder");
        }
    })?;
    if !quiet {
        if let Some(dead) = lock.recovered() {
            eprintln!("note: recovered a stale lock left by {dead}, which is no longer running");
        }
        for path in &lock.swept().removed {
            eprintln!(
                "note: removed {}, left by an interrupted build",
                path.display()
            );
        }
    }
    Ok(lock)
}

/// Prints what a build did: edition, changes, output file (and timings when asked).
fn print_outcome(outcome: &BuildOutcome, quiet: bool, timings: bool) {
    let report = match outcome {
        BuildOutcome::UpToDate {
            edition,
            output,
            restored,
        } => {
            if !quiet {
                println!(
                    "up to date: the inputs have not changed since edition {edition}; nothing built{}",
                    if *restored {
                        format!(" ({} restored from the edition)", output.display())
                    } else {
                        String::new()
                    }
                );
            }
            return;
        }
        BuildOutcome::Built(report) => report,
    };
    let mut err = std::io::stderr();
    if !quiet {
        for skipped in &report.skipped_records {
            let _ = writeln!(err, "warning: {skipped}; compared with an older edition");
        }
        if !report.warnings.is_empty() {
            let _ = write!(err, "{}", report.warnings);
        }
        match &report.edition {
            EditionOutcome::New(name) => println!("new edition {name}"),
            EditionOutcome::Unchanged(name) => {
                println!("edition {name} unchanged (same inputs); no new edition")
            }
            EditionOutcome::Preview(name) => println!("preview of edition {name}"),
        }
        if let Some(changes) = &report.changes {
            println!("{changes}");
        }
        println!(
            "wrote {} ({} studies, {} KiB)",
            report.output.display(),
            report.studies,
            report.bytes / 1024
        );
    }
    if timings {
        let t = &report.timings;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        println!(
            "timings: fingerprint {:.1} ms, load {:.1} ms, analyse {:.1} ms, render {:.1} ms (of it PDF export {:.1} ms), write {:.1} ms",
            ms(t.fingerprint),
            ms(t.load),
            ms(t.analyse),
            ms(t.render),
            ms(t.export),
            ms(t.write)
        );
    }
}

fn run_import(args: &ImportArgs, quiet: bool) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            quiet,
        );
    }
    match crate::inbox::import(root, &args.files, &today_text(), args.dry_run) {
        Ok(report) => {
            if !quiet {
                let verb = if args.dry_run { "would add" } else { "added" };
                for a in &report.added {
                    println!("{verb} {:<14} {}", a.key, a.summary);
                }
                for s in &report.skipped {
                    println!("skipped {} — {}", s.summary, s.reason);
                }
                println!(
                    "{} {} to {}, {} skipped{}",
                    report.added.len(),
                    if report.added.len() == 1 {
                        "record"
                    } else {
                        "records"
                    },
                    crate::data::INBOX_DIR,
                    report.skipped.len(),
                    if args.dry_run {
                        " (dry run: nothing written)"
                    } else {
                        ""
                    }
                );
            }
            0
        }
        Err(e) => report_inbox_error(&e, quiet),
    }
}

fn run_new_study(args: &NewStudyArgs, quiet: bool) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            quiet,
        );
    }
    match crate::inbox::new_study(root, &args.key, &today_text()) {
        Ok(NewStudy::Drafted(path)) => {
            if !quiet {
                println!(
                    "drafted {}: fill it in, then run `evbrief new-study {}` again to add it to the brief",
                    path.display(),
                    args.key
                );
            }
            0
        }
        Ok(NewStudy::Added(path)) => {
            if !quiet {
                println!(
                    "added {}; `{}` moved from the inbox to data/references.bib",
                    path.display(),
                    args.key
                );
            }
            0
        }
        Err(e) => report_inbox_error(&e, quiet),
    }
}

fn report_inbox_error(e: &InboxError, quiet: bool) -> i32 {
    let mut err = std::io::stderr();
    match e {
        InboxError::Invalid(problems) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(err, "error: {problems}; nothing was written");
        }
        InboxError::Load(LoadError::Invalid(problems)) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(
                err,
                "error: {problems} in the project data; nothing was written"
            );
        }
        other => {
            let _ = writeln!(err, "error: {other}");
        }
    }
    if e.is_user_error() { 2 } else { 1 }
}

fn run_synthetic(args: &SyntheticArgs, quiet: bool) -> i32 {
    if args.dir.join("brief.toml").exists() {
        eprintln!(
            "error: {} already holds a brief project; choose an empty folder",
            args.dir.display()
        );
        return 2;
    }
    if args.studies == 0 || args.outcomes == 0 {
        eprintln!("error: --studies and --outcomes must be at least 1");
        return 2;
    }
    let spec = crate::synthetic::SyntheticSpec {
        studies: args.studies,
        outcomes: args.outcomes,
        seed: args.seed,
        subgroups: args.subgroups,
    };
    match crate::synthetic::write_project(&args.dir, &args.templates, &spec) {
        Ok(()) => {
            if !quiet {
                println!(
                    "wrote a synthetic project with {} studies and {} outcomes to {}",
                    args.studies,
                    args.outcomes,
                    args.dir.display()
                );
            }
            0
        }
        Err(e) => {
            eprintln!("error: cannot write the synthetic project ({e})");
            2
        }
    }
}

fn report_error(e: &BuildError, quiet: bool) -> i32 {
    let mut err = std::io::stderr();
    match e {
        BuildError::Load(LoadError::Invalid(problems)) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(
                err,
                "error: {problems} in the project data; nothing was written"
            );
        }
        BuildError::Render(RenderError::Template(problems)) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(
                err,
                "error: the template failed to compile; nothing was written"
            );
        }
        BuildError::Render(RenderError::TimeLimit { .. }) => {
            let _ = writeln!(err, "error: {e}; nothing was written");
        }
        other => {
            let _ = writeln!(err, "error: {other}");
        }
    }
    exit_code(e)
}

/// The exit code of a failed build.
fn exit_code(e: &BuildError) -> i32 {
    if e.is_busy() {
        EXIT_BUSY
    } else if e.is_user_error() {
        2
    } else {
        1
    }
}

/// Exit code when another evbrief process holds the output folder (EX_TEMPFAIL).
pub const EXIT_BUSY: i32 = 75;

fn run_analyse(args: &AnalyseArgs) -> i32 {
    let parsed = (
        args.measure.parse::<Measure>(),
        args.method.parse::<Method>(),
        args.test.parse::<Test>(),
    );
    let (measure, method, test) = match parsed {
        (Ok(m), Ok(me), Ok(t)) => (m, me, t),
        (m, me, t) => {
            for e in [
                m.err().map(|e| e.to_string()),
                me.err().map(|e| e.to_string()),
                t.err().map(|e| e.to_string()),
            ]
            .into_iter()
            .flatten()
            {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    let text = match std::fs::read_to_string(&args.data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {} ({e})", args.data.display());
            return 2;
        }
    };
    let mut options = AnalyseOptions::new(measure, method, test);
    if args.ri.is_some() {
        options.ri = args.ri;
    }
    match analyse(&text, &options) {
        Ok(report) => {
            match args.format {
                OutputFormat::Json => match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: cannot serialise the result ({e})");
                        return 1;
                    }
                },
                OutputFormat::Table => print_table(&report),
            }
            0
        }
        Err(errors) => {
            let name = args.data.display();
            for e in errors {
                let col = e
                    .column
                    .map(|c| format!(" (column `{c}`)"))
                    .unwrap_or_default();
                match e.line {
                    Some(line) => eprintln!("{name}:{line}: {}{col}", e.message),
                    None => eprintln!("{name}: {}{col}", e.message),
                }
            }
            2
        }
    }
}

fn print_table(report: &Report) {
    let json = serde_json::to_value(report).unwrap_or_default();
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64());
    let show = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), |x| crate::format::fixed(x, 4));
    println!(
        "{:<24} {:>10} {:>10} {:>21} {:>8}",
        "study", "yi", "vi", "95% CI", "weight%"
    );
    if let Some(rows) = json.get("studies").and_then(|s| s.as_array()) {
        for r in rows {
            let name = r.get("study").and_then(|s| s.as_str()).unwrap_or("");
            println!(
                "{:<24} {:>10} {:>10} {:>21} {:>8}",
                name,
                show(num(r, "yi")),
                show(num(r, "vi")),
                format!(
                    "[{}, {}]",
                    show(num(r, "ci_lower")),
                    show(num(r, "ci_upper"))
                ),
                num(r, "weight").map_or("—".into(), |w| crate::format::fixed(w, 2))
            );
        }
    }
    println!(
        "pooled ({}, {}, test {}): k = {}, estimate {} [{}, {}], p = {}",
        json.get("measure").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("method").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("test").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("k").and_then(|x| x.as_u64()).unwrap_or(0),
        show(num(&json, "estimate")),
        show(num(&json, "ci_lower")),
        show(num(&json, "ci_upper")),
        num(&json, "p").map_or("—".into(), |p| format!("{p:.4}"))
    );
    println!(
        "heterogeneity: tau² = {}, I² = {}%, Q = {} (df {}), p = {}",
        show(num(&json, "tau2")),
        num(&json, "i2").map_or("—".into(), |x| crate::format::fixed(x, 2)),
        show(num(&json, "q")),
        show(num(&json, "q_df")),
        num(&json, "q_p").map_or("—".into(), |p| format!("{p:.4}"))
    );
}
