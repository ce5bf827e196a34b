//! `schedule --search` and `build --if-changed --search`: the saved searches run first,
//! then the brief is rebuilt if anything changed.
//!
//! Every search run appends a row to `data/search-log.csv`, an input of the brief. A run
//! that filed no new record must not make a new edition by that row alone (a weekly
//! search finding only duplicates changes nothing), so when the searches added nothing and
//! the inputs differ from the latest edition's only in the search log, the tick counts as
//! up to date; the rows are in the next edition that has a real change.

use std::ops::ControlFlow;

use chrono::{DateTime, TimeZone, Utc};

use super::schedule::{Clock, Schedule, run};
use super::scheduler::Tick;
use crate::data::search_log::SEARCH_LOG;
use crate::pipeline::{
    BuildConfig, BuildError, BuildOutcome, InputsCheck, build_locked, check_inputs, lock_output,
};
use crate::store::lock::{LockWait, OutputLock};

/// True when the inputs differ from the latest edition's in the search log and nowhere
/// else.
pub fn only_search_log_changed(check: &InputsCheck) -> bool {
    let Some((_, latest)) = &check.latest else {
        return false;
    };
    let (before, now) = (&latest.inputs, &check.inputs);
    if before.settings != now.settings {
        return false;
    }
    let mut differing = before
        .files
        .keys()
        .chain(now.files.keys())
        .filter(|k| before.files.get(*k) != now.files.get(*k));
    differing.clone().next().is_some() && differing.all(|k| k == SEARCH_LOG)
}

/// Builds (the caller holds the output lock) as `config.if_changed` says, unless the searches before it
/// filed nothing (`added == 0`) and only the search log changed: then nothing is built.
pub fn build_after_search(
    config: &BuildConfig,
    lock: &OutputLock,
    added: usize,
) -> Result<BuildOutcome, BuildError> {
    if config.if_changed && added == 0 && config.output.is_file() {
        let check = check_inputs(config)?;
        if only_search_log_changed(&check)
            && let Some((edition, _)) = &check.latest
        {
            return Ok(BuildOutcome::UpToDate {
                edition: edition.name.to_string(),
                output: config.output.clone(),
                restored: false,
            });
        }
    }
    build_locked(config, lock, &mut None)
}

/// One tick of `schedule --search` at `now`, after searches that filed `added` records.
pub fn tick_after_search<Tz: TimeZone>(
    config: &BuildConfig,
    now: DateTime<Utc>,
    tz: &Tz,
    wait: LockWait,
    added: usize,
) -> Tick {
    let mut config = config.clone();
    config.today = now.with_timezone(tz).date_naive();
    config.if_changed = true;
    let result = lock_output(&config, "schedule", wait, |_| {})
        .and_then(|lock| build_after_search(&config, &lock, added));
    comemo::evict(0);
    match result {
        Ok(BuildOutcome::UpToDate { edition, .. }) => Tick::UpToDate(edition),
        Ok(outcome) => Tick::Built(outcome),
        Err(e) => Tick::Failed(e),
    }
}

/// [`super::scheduler::run_schedule`] with the saved searches first: at start-up and at
/// every tick, `search(now)` runs them and returns how many records it filed, then the
/// brief is rebuilt if anything changed; each tick's result goes to `report`.
pub fn run_schedule_searching<Tz: TimeZone>(
    config: &BuildConfig,
    schedule: &Schedule,
    tz: &Tz,
    clock: &mut dyn Clock,
    wait: LockWait,
    mut search: impl FnMut(DateTime<Utc>) -> usize,
    mut report: impl FnMut(DateTime<Utc>, Tick) -> ControlFlow<()>,
) {
    let mut once = |now: DateTime<Utc>| {
        let added = search(now);
        report(now, tick_after_search(config, now, tz, wait, added))
    };
    let start = clock.now();
    if once(start).is_break() {
        return;
    }
    run(schedule, tz, clock, once);
}

#[cfg(test)]
#[path = "search_tick_tests.rs"]
mod tests;
