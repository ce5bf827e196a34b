//! `evbrief search`: run the saved searches of `brief.toml`, file new records into the
//! inbox, log each run, and print one summary per search. Also the search step of
//! `build --search` and `schedule --search`.

use std::io::{IsTerminal, Write};
use std::path::Path;

use crate::inbox::InboxError;
use crate::search::SearchSettings;
use crate::search::run::{Progress, SearchError, SearchOptions, SearchOutcome, run_searches};

use super::inbox::report_inbox_error;
use super::*;

/// What a search step did, for the commands that go on to build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SearchStep {
    /// Records filed into the inbox.
    pub added: usize,
    /// Saved searches that failed (nothing of them was written).
    pub failed: usize,
}

/// Runs `evbrief search`; exit 0, 2 for bad configuration or usage, 75 when a source
/// failed (after the others ran), 1 when writing failed.
pub(super) fn run_search(args: &SearchArgs, quiet: bool) -> i32 {
    match search_step(
        &args.project.project,
        args.name.clone(),
        args.dry_run,
        quiet,
        today(),
    ) {
        Ok(step) if step.failed > 0 => EXIT_BUSY,
        Ok(_) => 0,
        Err(code) => code,
    }
}

/// Loads the project, runs its saved searches (or the one named) as of `day` and prints
/// what each did. `Err` is the exit code when nothing could be run (or writing failed).
pub(super) fn search_step(
    root: &Path,
    only: Option<String>,
    dry_run: bool,
    quiet: bool,
    day: chrono::NaiveDate,
) -> Result<SearchStep, i32> {
    let project = match crate::data::load_project(root) {
        Ok(p) => p,
        Err(e) => return Err(report_inbox_error(&InboxError::Load(e), quiet)),
    };
    let settings = match SearchSettings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Err(2);
        }
    };
    let options = SearchOptions {
        only,
        dry_run,
        today: day,
        settings,
        contact: crate::search::run::contact(&project.config),
        endpoints: crate::search::endpoints_from_env(),
        ncbi_api_key: crate::search::ncbi_api_key(),
    };
    let tty = !quiet && std::io::stderr().is_terminal();
    let mut progress = |p: Progress| {
        if tty {
            let total = p.total.map(|t| format!(" of {t}")).unwrap_or_default();
            eprint!(
                "\r\x1b[2K{} ({}): {} records{total}…",
                p.name,
                p.api.label(),
                p.read
            );
            let _ = std::io::stderr().flush();
        }
    };
    let outcomes = match run_searches(root, &project.config, &options, &mut progress) {
        Ok(o) => o,
        Err(SearchError::Usage(message)) => {
            eprintln!("error: {message}");
            return Err(2);
        }
        Err(SearchError::Invalid(problems)) => {
            eprint!("{}", problems.render(!quiet));
            eprintln!("error: {problems}; no search was run");
            return Err(2);
        }
    };
    if tty {
        eprint!("\r\x1b[2K");
    }
    let mut step = SearchStep {
        added: 0,
        failed: 0,
    };
    let mut write_failed = false;
    for o in &outcomes {
        match &o.result {
            Ok(done) => {
                step.added += done.report.added.len();
                if !quiet {
                    print_finished(o, dry_run);
                }
            }
            Err(e) => {
                step.failed += 1;
                write_failed |= matches!(
                    e,
                    crate::search::run::RunFailure::Log(_)
                        | crate::search::run::RunFailure::Inbox(InboxError::Write { .. })
                );
                eprintln!(
                    "error: {} ({}) {e}; nothing of this search was written",
                    o.name,
                    o.api.label()
                );
            }
        }
    }
    if write_failed {
        return Err(1);
    }
    Ok(step)
}

/// "pubmed-ucmsc (PubMed, 2026-11-24 to 2026-12-04): 12 found, 9 new, 3 already known",
/// then one line per new record.
fn print_finished(o: &SearchOutcome, dry_run: bool) {
    let Ok(done) = &o.result else { return };
    let range = match o.from {
        Some(from) => format!("{from} to {}", o.to),
        None => format!("up to {}", o.to),
    };
    let untitled = if done.untitled > 0 {
        format!(", {} without a title left out", done.untitled)
    } else {
        String::new()
    };
    println!(
        "{} ({}, {range}): {} found, {} new, {} already known{untitled}{}",
        o.name,
        o.api.label(),
        done.found,
        done.report.added.len(),
        done.report.skipped.len(),
        if dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        }
    );
    let verb = if dry_run { "would add" } else { "added" };
    for a in &done.report.added {
        println!("  {verb} {:<14} {}", a.key, a.summary);
    }
}
