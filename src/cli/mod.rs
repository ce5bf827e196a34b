//! Command-line interface: the clap types ([`args`]) and one file per command, each
//! translating arguments into library calls and results into output and exit codes.
//!
//! Exit codes: 0 success, 1 internal failure, 2 bad data or usage, 75 the output folder is
//! busy (another evbrief process holds its lock; try again later, sysexits' EX_TEMPFAIL).

mod analyse;
pub mod args;
mod build;
mod check;
mod import_data;
mod inbox;
mod living;
mod screen;
mod search;
mod starter;
mod synthetic;

pub use args::*;

use std::io::Write;
use std::path::PathBuf;

use crate::data::LoadError;
use crate::pipeline::{BuildConfig, BuildError};
use crate::render::RenderError;

use analyse::run_analyse;
use build::run_build;
use check::run_check;
use import_data::run_import_data;
use inbox::{run_import, run_new_study};
use living::{run_schedule, run_watch};
use screen::{run_exclude, run_screen};
use search::run_search;
use starter::{run_init, run_templates};
use synthetic::run_synthetic;

/// Runs the parsed command and returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Build(args) => run_build(&args, cli.quiet, cli.verbose),
        Command::Check(args) => run_check(&args, cli.quiet),
        Command::Watch(args) => run_watch(&args, cli.quiet),
        Command::Schedule(args) => run_schedule(&args, cli.quiet),
        Command::Analyse(args) => run_analyse(&args),
        Command::Synthetic(args) => run_synthetic(&args, cli.quiet),
        Command::Import(args) => run_import(&args, cli.quiet),
        Command::NewStudy(args) => run_new_study(&args, cli.quiet),
        Command::Screen(args) => run_screen(&args),
        Command::Exclude(args) => run_exclude(&args, cli.quiet),
        Command::Search(args) => run_search(&args, cli.quiet),
        Command::Init(args) => run_init(&args, cli.quiet),
        Command::Templates(command) => run_templates(&command, cli.quiet),
        Command::ImportData(args) => run_import_data(&args, cli.quiet),
    }
}

/// `SOURCE_DATE_EPOCH` when set to a whole number of seconds.
pub(super) fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Today: from `SOURCE_DATE_EPOCH` when set (reproducible files), else the local clock.
pub(super) fn today() -> chrono::NaiveDate {
    source_date_epoch()
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
        .map(|t| t.date_naive())
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// [`today`] as YYYY-MM-DD.
pub(super) fn today_text() -> String {
    today().format("%Y-%m-%d").to_string()
}

/// The build settings of `project`, writing to `output` when given, dated today.
pub(super) fn build_config(project: &ProjectArgs, output: Option<&PathBuf>) -> BuildConfig {
    let mut config = BuildConfig::new(&project.project, today());
    if let Some(out) = output {
        config.output.clone_from(out);
    }
    config.source_date_epoch = source_date_epoch();
    config
}

pub(super) fn report_error(e: &BuildError, quiet: bool) -> i32 {
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
pub(super) fn exit_code(e: &BuildError) -> i32 {
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
