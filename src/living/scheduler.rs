//! What `evbrief schedule` does: at start-up and at every tick, rebuild the brief if and
//! only if its inputs changed since the latest edition.
//!
//! The tick is `build --if-changed` under the output lock: fingerprinting costs a few
//! milliseconds, so a tick with nothing new does no parsing and no Typst. A tick that fails
//! (bad data, a busy lock) is reported and the schedule goes on; the last good PDF and
//! every edition stay as they were.

use std::ops::ControlFlow;

use chrono::{DateTime, TimeZone, Utc};

use super::schedule::{Clock, Schedule, run};
use crate::pipeline::{BuildConfig, BuildError, BuildOutcome, build_locked, lock_output};
use crate::store::lock::LockWait;

/// What one tick did.
#[derive(Debug)]
pub enum Tick {
    /// The inputs had changed: the brief was rebuilt.
    Built(BuildOutcome),
    /// The inputs equal those of this edition: nothing was built.
    UpToDate(String),
    /// The rebuild failed; the previous output is untouched.
    Failed(BuildError),
}

/// Runs one tick at `now`: new editions are dated with `now`'s day in `tz`.
pub fn tick<Tz: TimeZone>(
    config: &BuildConfig,
    now: DateTime<Utc>,
    tz: &Tz,
    wait: LockWait,
) -> Tick {
    let mut config = config.clone();
    config.today = now.with_timezone(tz).date_naive();
    config.if_changed = true;
    let result = lock_output(&config, "schedule", wait, |_| {})
        .and_then(|lock| build_locked(&config, &lock, &mut None));
    // Between ticks the process idles: let go of what Typst memoised.
    comemo::evict(0);
    match result {
        Ok(BuildOutcome::UpToDate { edition, .. }) => Tick::UpToDate(edition),
        Ok(outcome) => Tick::Built(outcome),
        Err(e) => Tick::Failed(e),
    }
}

/// Ticks once at start-up, then at every tick of `schedule` (cron fields read in `tz`),
/// handing each result to `report` until it returns `Break`.
pub fn run_schedule<Tz: TimeZone>(
    config: &BuildConfig,
    schedule: &Schedule,
    tz: &Tz,
    clock: &mut dyn Clock,
    wait: LockWait,
    mut report: impl FnMut(DateTime<Utc>, Tick) -> ControlFlow<()>,
) {
    let start = clock.now();
    if report(start, tick(config, start, tz, wait)).is_break() {
        return;
    }
    run(schedule, tz, clock, |now| {
        report(now, tick(config, now, tz, wait))
    });
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::fs;

    use super::*;
    use crate::living::schedule::FakeClock;
    use crate::living::testutil::fixture_project;
    use crate::pipeline::EditionOutcome;

    fn summary(tick: &Tick) -> String {
        match tick {
            Tick::Built(outcome) => match outcome {
                BuildOutcome::Built(r) => match &r.edition {
                    EditionOutcome::New(name) => format!("new {name}"),
                    other => format!("built {other:?}"),
                },
                other => format!("{other:?}"),
            },
            Tick::UpToDate(edition) => format!("up to date {edition}"),
            Tick::Failed(e) => format!("failed: {e}"),
        }
    }

    /// A week of six-hourly ticks with a fake clock: the brief is rebuilt exactly at the
    /// ticks after its inputs changed, and a broken edit fails without stopping the loop.
    #[test]
    fn a_schedule_rebuilds_exactly_when_the_inputs_changed() {
        let dir = fixture_project("valid/minimal");
        let root = dir.path();
        let study = root.join("data/studies/smith-trial.toml");
        let original = fs::read_to_string(&study).unwrap();
        let start = Utc.with_ymd_and_hms(2025, 3, 1, 0, 0, 0).unwrap();
        let config = BuildConfig::new(root, start.date_naive());

        // Edits happen while the clock "sleeps" towards a tick.
        let edit = |now: DateTime<Utc>| {
            let hour = (now - start).num_hours();
            match hour {
                12 => fs::write(
                    &study,
                    original.replace("percent = 28.10", "percent = 31.25"),
                )
                .unwrap(),
                // Editor debris and drafts are not inputs.
                18 => fs::write(root.join("data/studies/.smith-trial.toml.swp"), "x").unwrap(),
                30 => fs::write(&study, original.replace("n = 33", "n = -1")).unwrap(),
                36 => fs::write(&study, &original).unwrap(),
                _ => {}
            }
        };
        let mut clock = FakeClock::new(start).on_sleep(edit);
        let seen = RefCell::new(Vec::new());
        let schedule = Schedule::every("6h").unwrap();
        run_schedule(
            &config,
            &schedule,
            &Utc,
            &mut clock,
            LockWait::NoWait,
            |now, tick| {
                let hours = (now - start).num_hours();
                seen.borrow_mut()
                    .push(format!("+{hours}h {}", summary(&tick)));
                if hours >= 48 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        );
        let seen = seen.into_inner();
        let expected = [
            "+0h new 2025-03-01",
            "+6h up to date 2025-03-01",
            "+12h new 2025-03-01-2",
            "+18h up to date 2025-03-01-2",
            "+24h up to date 2025-03-01-2",
        ];
        assert_eq!(seen[..5], expected, "{seen:#?}");
        assert!(seen[5].starts_with("+30h failed: "), "{seen:#?}");
        assert!(seen[5].contains("problem"), "{seen:#?}");
        // Back to the first edition's inputs: they differ from the latest edition's, so
        // it is a new edition (the brief says what changed since -2).
        assert_eq!(seen[6], "+36h new 2025-03-02");
        assert_eq!(
            seen[7..],
            ["+42h up to date 2025-03-02", "+48h up to date 2025-03-02"]
        );
        assert_eq!(clock.sleeps(), 8);
    }
}
