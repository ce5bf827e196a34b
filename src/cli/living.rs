//! `evbrief watch` and `evbrief schedule`: the long-running commands and the output lock.

use crate::pipeline::{BuildConfig, BuildError, lock_output};
use crate::store::lock::{LockWait, OutputLock};

use super::build::print_outcome;
use super::*;

pub(super) fn run_watch(args: &WatchArgs, quiet: bool) -> i32 {
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

pub(super) fn run_schedule(args: &ScheduleArgs, quiet: bool) -> i32 {
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
    let report = |at: chrono::DateTime<chrono::Utc>, tick: Tick| {
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
    };
    if args.search {
        let root = config.project.clone();
        // A search that cannot run at all (bad configuration) is reported at every tick;
        // the build then goes on as if it had found nothing.
        let search = |at: chrono::DateTime<chrono::Utc>| {
            let day = at.with_timezone(&chrono::Local).date_naive();
            super::search::search_step(&root, None, false, quiet, day).map_or(0, |s| s.added)
        };
        crate::living::search_tick::run_schedule_searching(
            &config,
            &schedule,
            &chrono::Local,
            &mut clock,
            wait,
            search,
            report,
        );
    } else {
        run_schedule(&config, &schedule, &chrono::Local, &mut clock, wait, report);
    }
    0
}

/// Takes the output lock, saying whom we wait for and what a dead holder left behind.
pub(super) fn take_lock(
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
