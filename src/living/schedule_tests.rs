//! Tests of `schedule.rs`, kept beside it so the module itself stays short.

use std::cell::{Cell, RefCell};

use chrono::{Datelike, FixedOffset, MappedLocalTime, NaiveDateTime, TimeDelta, Weekday};

use super::*;

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s).unwrap()
}

fn cron(expression: &str) -> Schedule {
    Schedule::cron(expression).unwrap_or_else(|e| panic!("{expression:?} should parse: {e}"))
}

fn every(interval: &str) -> Schedule {
    Schedule::every(interval).unwrap_or_else(|e| panic!("{interval:?} should parse: {e}"))
}

/// The next tick of a cron schedule (whose anchor does not matter).
fn next<Tz: TimeZone>(schedule: &Schedule, after: DateTime<Tz>) -> DateTime<Tz> {
    let anchor = after.with_timezone(&Utc);
    schedule.next_after(after, anchor).expect("a next tick")
}

fn cron_error(expression: &str) -> String {
    match Schedule::cron(expression) {
        Ok(s) => panic!("{expression:?} should be refused, parsed as {s:?}"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "one line: {message}");
            message
        }
    }
}

fn every_error(interval: &str) -> String {
    match Schedule::every(interval) {
        Ok(s) => panic!("{interval:?} should be refused, parsed as {s:?}"),
        Err(e) => {
            let message = e.to_string();
            assert!(!message.contains('\n'), "one line: {message}");
            message
        }
    }
}

// 2025-06-01 is a Sunday.
const SUNDAY: (i32, u32, u32) = (2025, 6, 1);

#[test]
fn the_test_calendar_is_right() {
    let (y, m, d) = SUNDAY;
    assert_eq!(utc(y, m, d, 0, 0, 0).weekday(), Weekday::Sun);
}

#[test]
fn monday_seven_from_a_sunday_is_the_next_day() {
    let s = cron("0 7 * * MON");
    assert_eq!(
        next(&s, utc(2025, 6, 1, 12, 0, 0)),
        utc(2025, 6, 2, 7, 0, 0)
    );
}

#[test]
fn monday_seven_from_monday_seven_is_a_week_later() {
    let s = cron("0 7 * * MON");
    assert_eq!(next(&s, utc(2025, 6, 2, 7, 0, 0)), utc(2025, 6, 9, 7, 0, 0));
    // A millisecond past the tick is past it too.
    let just_after = utc(2025, 6, 2, 7, 0, 0) + TimeDelta::milliseconds(1);
    assert_eq!(next(&s, just_after), utc(2025, 6, 9, 7, 0, 0));
}

#[test]
fn monday_seven_from_monday_six_fifty_nine_is_the_same_day() {
    let s = cron("0 7 * * MON");
    assert_eq!(
        next(&s, utc(2025, 6, 2, 6, 59, 0)),
        utc(2025, 6, 2, 7, 0, 0)
    );
    let just_before = utc(2025, 6, 2, 7, 0, 0) - TimeDelta::milliseconds(1);
    assert_eq!(next(&s, just_before), utc(2025, 6, 2, 7, 0, 0));
}

#[test]
fn steps_ranges_and_lists() {
    let anchor = utc(2025, 6, 2, 8, 59, 0);
    let quarter_hours = cron("*/15 9-10 * * *").upcoming(anchor, anchor, 9);
    let expected: Vec<_> = [(9, 0), (9, 15), (9, 30), (9, 45), (10, 0), (10, 15)]
        .into_iter()
        .chain([(10, 30), (10, 45)])
        .map(|(h, m)| utc(2025, 6, 2, h, m, 0))
        .chain([utc(2025, 6, 3, 9, 0, 0)])
        .collect();
    assert_eq!(quarter_hours, expected);

    let twice_a_month = cron("0 7 1,15 * *").upcoming(anchor, anchor, 3);
    assert_eq!(
        twice_a_month,
        vec![
            utc(2025, 6, 15, 7, 0, 0),
            utc(2025, 7, 1, 7, 0, 0),
            utc(2025, 7, 15, 7, 0, 0)
        ]
    );

    // Friday 08:00: the next weekday morning is Monday.
    let weekdays = cron("0 7 * * MON-FRI");
    assert_eq!(
        next(&weekdays, utc(2025, 6, 6, 8, 0, 0)),
        utc(2025, 6, 9, 7, 0, 0)
    );

    // Month names and steps over a range, in lower case.
    let seasons = cron("0 0 1 jan-dec/3 *");
    assert_eq!(
        seasons.upcoming(anchor, anchor, 2),
        vec![utc(2025, 7, 1, 0, 0, 0), utc(2025, 10, 1, 0, 0, 0)]
    );

    // 7 and SUN are both Sunday.
    for sunday in ["0 7 * * 7", "0 7 * * 0", "0 7 * * sun"] {
        assert_eq!(
            next(&cron(sunday), anchor),
            utc(2025, 6, 8, 7, 0, 0),
            "{sunday}"
        );
    }
}

#[test]
fn six_fields_put_seconds_first() {
    let s = cron("30 0 7 * * MON");
    assert_eq!(
        next(&s, utc(2025, 6, 1, 0, 0, 0)),
        utc(2025, 6, 2, 7, 0, 30)
    );
}

#[test]
fn nicknames_and_croner_extensions() {
    let sunday_noon = utc(2025, 6, 1, 12, 0, 0);
    assert_eq!(next(&cron("@daily"), sunday_noon), utc(2025, 6, 2, 0, 0, 0));
    assert_eq!(
        next(&cron("@WEEKLY"), sunday_noon),
        utc(2025, 6, 8, 0, 0, 0)
    );
    // Last day of the month; last Friday of the month; first Monday.
    assert_eq!(
        next(&cron("0 7 L * *"), sunday_noon),
        utc(2025, 6, 30, 7, 0, 0)
    );
    assert_eq!(
        next(&cron("0 7 * * FRIL"), sunday_noon),
        utc(2025, 6, 27, 7, 0, 0)
    );
    assert_eq!(
        next(&cron("0 7 * * MON#1"), sunday_noon),
        utc(2025, 6, 2, 7, 0, 0)
    );
    // Day-of-month OR day-of-week, as in Vixie cron; `+` makes it AND.
    assert_eq!(
        next(&cron("0 7 13 * FRI"), sunday_noon),
        utc(2025, 6, 6, 7, 0, 0)
    );
    assert_eq!(
        next(&cron("0 7 13 * +FRI"), sunday_noon),
        utc(2025, 6, 13, 7, 0, 0)
    );
}

#[test]
fn cron_fields_are_read_in_the_given_zone() {
    let s = cron("0 7 * * MON");
    // Sunday 23:00 UTC is already Monday 04:30 in India.
    let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
    let after = utc(2025, 6, 1, 23, 0, 0).with_timezone(&india);
    let tick = next(&s, after);
    assert_eq!(tick, india.with_ymd_and_hms(2025, 6, 2, 7, 0, 0).unwrap());
    assert_eq!(tick.with_timezone(&Utc), utc(2025, 6, 2, 1, 30, 0));

    // And Monday 03:00 UTC is still Sunday evening in California.
    let pacific = FixedOffset::west_opt(7 * 3600).unwrap();
    let tick = next(&s, utc(2025, 6, 2, 3, 0, 0).with_timezone(&pacific));
    assert_eq!(tick.with_timezone(&Utc), utc(2025, 6, 2, 14, 0, 0));
}

#[test]
fn describe_names_the_schedule_as_written() {
    assert_eq!(cron("0 7 * * MON").describe(), "cron 0 7 * * MON");
    assert_eq!(cron("  0  7 *\t* MON ").describe(), "cron 0 7 * * MON");
    assert_eq!(every("6h").describe(), "every 6h");
    assert_eq!(every(" 1h   30m").describe(), "every 1h 30m");
}

#[test]
fn a_wrong_field_count_is_refused() {
    assert_eq!(
        cron_error("0 7 * *"),
        "invalid cron expression \"0 7 * *\": found 4 fields; expected five fields: \
         minute hour day-of-month month day-of-week (or six, with seconds first), \
         e.g. \"0 7 * * MON\""
    );
    assert!(cron_error("0 0 7 * * MON 2025").contains(": found 7 fields;"));
    assert!(cron_error("MON").contains(": found 1 field;"));
    assert!(cron_error("   ").contains("\"   \": it is empty;"));
}

#[test]
fn a_bad_name_is_refused() {
    assert_eq!(
        cron_error("0 7 * * FUNDAY"),
        "invalid cron expression \"0 7 * * FUNDAY\": day-of-week field \"FUNDAY\": \
         \"FUNDAY\" is not a day name (use SUN-SAT or 0-7); expected five fields: \
         minute hour day-of-month month day-of-week (or six, with seconds first), \
         e.g. \"0 7 * * MON\""
    );
    assert!(cron_error("0 7 * * MONDAY").contains("\"MONDAY\" is not a day name"));
    assert!(cron_error("0 7 * SEPT *").contains("\"SEPT\" is not a month name"));
    assert!(cron_error("@reboot").contains("unknown nickname \"@reboot\""));
}

#[test]
fn a_name_in_another_field_is_refused() {
    // croner alone would read these as Monday and as minute 1.
    assert!(
        cron_error("0 7 * * JAN").contains("day-of-week field \"JAN\": \"JAN\" is not a day name")
    );
    assert!(cron_error("0 7 * MON *").contains("month field \"MON\": \"MON\" is not a month name"));
    assert!(cron_error("0 MON * * *").contains("hour field \"MON\": \"MON\" is not allowed"));
    assert!(
        cron_error("0 7 * * 1%").contains("day-of-week field \"1%\": unexpected character '%'")
    );
}

#[test]
fn an_out_of_range_value_is_refused_with_its_field() {
    let message = cron_error("0 25 * * *");
    assert!(
        message.contains(": hour field \"25\": number out of bounds (allowed: 0-23);"),
        "{message}"
    );
    assert!(cron_error("60 * * * *").contains("minute field \"60\""));
    assert!(cron_error("0 7 32 * *").contains("day-of-month field \"32\""));
    assert!(cron_error("0 7 * 13 *").contains("month field \"13\""));
    assert!(cron_error("0 7 * * 8").contains("day-of-week field \"8\""));
    assert!(cron_error("61 0 7 * * *").contains("second field \"61\""));
    assert!(cron_error("*/0 * * * *").contains("minute field \"*/0\": step cannot be zero"));
    assert!(cron_error("0 7 * * 5-1").contains("day-of-week field \"5-1\""));
}

#[test]
fn an_expression_that_never_fires_is_refused() {
    assert!(cron_error("0 0 30 2 *").contains(": it never fires:"));
    // A leap day does come, and so does a leap day on a Monday (2044).
    assert!(Schedule::cron("0 0 29 2 *").is_ok());
    let s = cron("0 0 29 2 +MON");
    let leap_monday = next(&s, utc(2025, 1, 1, 0, 0, 0));
    assert_eq!(leap_monday, utc(2044, 2, 29, 0, 0, 0));
    assert_eq!(leap_monday.weekday(), Weekday::Mon);
}

#[test]
fn intervals_parse_as_humantime_durations() {
    let period = |s: &Schedule| match s {
        Schedule::Every(interval) => interval.period(),
        Schedule::Cron(_) => panic!("not an interval"),
    };
    assert_eq!(period(&every("6h")), Duration::from_secs(6 * 3600));
    assert_eq!(period(&every("90s")), Duration::from_secs(90));
    assert_eq!(period(&every("1h 30m")), Duration::from_secs(5400));
    assert_eq!(period(&every("1h30m")), Duration::from_secs(5400));
    assert_eq!(period(&every("1d")), Duration::from_secs(86400));
    assert_eq!(period(&every("1s")), Duration::from_secs(1));
}

#[test]
fn bad_intervals_are_refused() {
    assert_eq!(
        every_error("0s"),
        "invalid interval \"0s\": the interval is zero; expected a duration of at least \
         1s, e.g. \"90s\", \"30m\", \"6h\", \"1d\" or \"1h 30m\""
    );
    assert!(every_error("0").contains(": the interval is zero;"));
    assert!(every_error("abc").starts_with("invalid interval \"abc\": expected number at 0;"));
    assert!(every_error("500ms").contains(": 500ms is shorter than one second;"));
    assert!(every_error("6H").contains("unknown time unit \"H\""));
    assert!(every_error("").contains(": value was empty;"));
    assert!(every_error("101y").contains("longer than 100 years"));
}

#[test]
fn interval_ticks_keep_the_phase_of_the_anchor() {
    let s = every("6h");
    let anchor = utc(2025, 6, 1, 1, 0, 0);
    let after = |t: DateTime<Utc>| s.next_after(t, anchor).unwrap();
    assert_eq!(after(anchor), utc(2025, 6, 1, 7, 0, 0));
    assert_eq!(after(utc(2025, 6, 1, 7, 0, 0)), utc(2025, 6, 1, 13, 0, 0));
    assert_eq!(after(utc(2025, 6, 1, 8, 20, 0)), utc(2025, 6, 1, 13, 0, 0));
    assert_eq!(after(utc(2025, 6, 3, 6, 59, 59)), utc(2025, 6, 3, 7, 0, 0));
    // Before the anchor (a clock set back), the lattice goes on backwards.
    assert_eq!(after(utc(2025, 5, 31, 22, 0, 0)), anchor);
    assert_eq!(
        after(utc(2025, 5, 31, 18, 0, 0)),
        utc(2025, 5, 31, 19, 0, 0)
    );
    // The zone of `after` is kept; the instant does not depend on it.
    let tokyo = FixedOffset::east_opt(9 * 3600).unwrap();
    let tick = s.next_after(anchor.with_timezone(&tokyo), anchor).unwrap();
    assert_eq!(tick.offset(), &tokyo);
    assert_eq!(tick.with_timezone(&Utc), utc(2025, 6, 1, 7, 0, 0));
}

#[test]
fn upcoming_lists_interval_ticks() {
    let anchor = utc(2025, 6, 1, 0, 0, 0);
    assert_eq!(
        every("90s").upcoming(anchor, anchor, 3),
        vec![
            utc(2025, 6, 1, 0, 1, 30),
            utc(2025, 6, 1, 0, 3, 0),
            utc(2025, 6, 1, 0, 4, 30)
        ]
    );
    assert!(every("90s").upcoming(anchor, anchor, 0).is_empty());
}

#[test]
fn fake_clock_jumps_forward_never_back_and_counts_sleeps() {
    let woke = RefCell::new(Vec::new());
    let mut clock =
        FakeClock::new(utc(2025, 6, 1, 0, 0, 0)).on_sleep(|t| woke.borrow_mut().push(t));
    clock.sleep_until(utc(2025, 6, 1, 6, 0, 0));
    assert_eq!(clock.now(), utc(2025, 6, 1, 6, 0, 0));
    clock.sleep_until(utc(2025, 6, 1, 5, 0, 0));
    assert_eq!(clock.now(), utc(2025, 6, 1, 6, 0, 0), "never backwards");
    clock.wake_late(TimeDelta::minutes(30));
    clock.sleep_until(utc(2025, 6, 1, 7, 0, 0));
    assert_eq!(clock.now(), utc(2025, 6, 1, 7, 30, 0));
    clock.sleep_until(utc(2025, 6, 1, 8, 0, 0));
    assert_eq!(clock.now(), utc(2025, 6, 1, 8, 0, 0), "late only once");
    clock.advance(TimeDelta::hours(1));
    clock.advance(TimeDelta::hours(-5));
    assert_eq!(clock.now(), utc(2025, 6, 1, 9, 0, 0));
    assert_eq!(clock.sleeps(), 4);
    drop(clock);
    assert_eq!(
        woke.into_inner(),
        vec![
            utc(2025, 6, 1, 6, 0, 0),
            utc(2025, 6, 1, 6, 0, 0),
            utc(2025, 6, 1, 7, 30, 0),
            utc(2025, 6, 1, 8, 0, 0)
        ]
    );
}

#[test]
fn a_simulated_week_of_cron_ticks() {
    let s = cron("0 7,19 * * MON-FRI");
    let start = utc(2025, 6, 1, 0, 0, 0);
    let end_of_week = utc(2025, 6, 8, 0, 0, 0);
    let mut clock = FakeClock::new(start);
    let mut ticks = Vec::new();
    run(&s, &Utc, &mut clock, |now| {
        ticks.push(now);
        // The cap makes a loop that stops advancing fail instead of hang.
        if now >= end_of_week || ticks.len() > 100 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    let mut expected: Vec<_> = (2..=6)
        .flat_map(|day| [utc(2025, 6, day, 7, 0, 0), utc(2025, 6, day, 19, 0, 0)])
        .collect();
    // The tick that stops the loop: next Monday morning.
    expected.push(utc(2025, 6, 9, 7, 0, 0));
    assert_eq!(ticks, expected);
    assert_eq!(clock.sleeps(), 11);
}

#[test]
fn the_loop_reads_cron_fields_in_its_zone() {
    let s = cron("0 7 * * MON");
    let berlin_summer = FixedOffset::east_opt(2 * 3600).unwrap();
    let mut clock = FakeClock::new(utc(2025, 6, 1, 0, 0, 0));
    let mut ticks = Vec::new();
    run(&s, &berlin_summer, &mut clock, |now| {
        ticks.push(now);
        if ticks.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        ticks,
        vec![utc(2025, 6, 2, 5, 0, 0), utc(2025, 6, 9, 5, 0, 0)]
    );
}

#[test]
fn break_stops_the_loop_at_once() {
    let mut clock = FakeClock::new(utc(2025, 6, 1, 0, 0, 0));
    let mut calls = 0;
    run(&every("1h"), &Utc, &mut clock, |_| {
        calls += 1;
        ControlFlow::Break(())
    });
    assert_eq!(calls, 1);
    assert_eq!(clock.sleeps(), 1);
    assert_eq!(clock.now(), utc(2025, 6, 1, 1, 0, 0));
}

#[test]
fn a_jump_over_three_ticks_gives_one_tick_and_keeps_the_phase() {
    let mut clock = FakeClock::new(utc(2025, 6, 1, 0, 0, 0));
    // Asleep through 01:00, 02:00 and 03:00; awake at 03:30.
    clock.wake_late(TimeDelta::minutes(150));
    let mut ticks = Vec::new();
    run(&every("1h"), &Utc, &mut clock, |now| {
        ticks.push(now);
        if ticks.len() == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        ticks,
        vec![utc(2025, 6, 1, 3, 30, 0), utc(2025, 6, 1, 4, 0, 0)]
    );
}

#[test]
fn a_jump_over_three_cron_ticks_gives_one_tick() {
    let mut clock = FakeClock::new(utc(2025, 6, 1, 23, 0, 0));
    // Monday 07:00, then asleep through three more Mondays.
    let mut ticks = Vec::new();
    run(&cron("0 7 * * MON"), &Utc, &mut clock, |now| {
        ticks.push(now);
        ControlFlow::Break(())
    });
    clock.wake_late(TimeDelta::weeks(3) + TimeDelta::hours(1));
    run(&cron("0 7 * * MON"), &Utc, &mut clock, |now| {
        ticks.push(now);
        if ticks.len() == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        ticks,
        vec![
            utc(2025, 6, 2, 7, 0, 0),
            utc(2025, 6, 30, 8, 0, 0),
            utc(2025, 7, 7, 7, 0, 0)
        ]
    );
}

/// A clock whose every wake-up comes 20 minutes late, like a tick that takes 20
/// minutes to build.
struct SlowClock {
    now: DateTime<Utc>,
}

impl Clock for SlowClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn sleep_until(&mut self, t: DateTime<Utc>) {
        self.now = self.now.max(t) + TimeDelta::minutes(20);
    }
}

#[test]
fn slow_ticks_do_not_drift_an_interval() {
    let mut clock = SlowClock {
        now: utc(2025, 6, 1, 0, 0, 0),
    };
    let mut ticks = Vec::new();
    run(&every("1h"), &Utc, &mut clock, |now| {
        ticks.push(now);
        if ticks.len() == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        ticks,
        vec![
            utc(2025, 6, 1, 1, 20, 0),
            utc(2025, 6, 1, 2, 20, 0),
            utc(2025, 6, 1, 3, 20, 0)
        ]
    );
}

/// A clock that wakes up too early at first.
struct EarlyClock {
    now: DateTime<Utc>,
    early_wakes: usize,
}

impl Clock for EarlyClock {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }
    fn sleep_until(&mut self, t: DateTime<Utc>) {
        if self.early_wakes > 0 {
            self.early_wakes -= 1;
            self.now = self.now.max(t - TimeDelta::seconds(1));
        } else {
            self.now = self.now.max(t);
        }
    }
}

#[test]
fn an_early_wake_does_not_tick() {
    let mut clock = EarlyClock {
        now: utc(2025, 6, 1, 0, 0, 0),
        early_wakes: 2,
    };
    let mut ticks = Vec::new();
    run(&cron("0 7 * * *"), &Utc, &mut clock, |now| {
        ticks.push(now);
        ControlFlow::Break(())
    });
    assert_eq!(ticks, vec![utc(2025, 6, 1, 7, 0, 0)]);
}

#[test]
fn the_sleep_callback_runs_before_the_tick_sees_the_time() {
    // Inputs "change" at 10:30; hourly ticks see the change from 11:00 on.
    let changes = Cell::new(0);
    let mut clock = FakeClock::new(utc(2025, 6, 1, 9, 59, 0)).on_sleep(|now| {
        if now >= utc(2025, 6, 1, 10, 30, 0) && changes.get() == 0 {
            changes.set(1);
        }
    });
    let mut seen = Vec::new();
    run(&cron("0 * * * *"), &Utc, &mut clock, |now| {
        seen.push((now, changes.get()));
        if seen.len() == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    assert_eq!(
        seen,
        vec![
            (utc(2025, 6, 1, 10, 0, 0), 0),
            (utc(2025, 6, 1, 11, 0, 0), 1),
            (utc(2025, 6, 1, 12, 0, 0), 1)
        ]
    );
}

#[test]
fn system_clock_sleeps_until_the_target() {
    let mut clock = SystemClock::with_max_slice(Duration::from_millis(5));
    let target = clock.now() + TimeDelta::milliseconds(30);
    clock.sleep_until(target);
    assert!(clock.now() >= target);

    // A target in the past returns at once.
    let started = std::time::Instant::now();
    SystemClock::new().sleep_until(utc(2000, 1, 1, 0, 0, 0));
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// A zone like Europe/Berlin in 2025: UTC+1, and UTC+2 from 30 March 01:00 UTC
/// to 26 October 01:00 UTC, so 02:00-03:00 is skipped in March and repeated in
/// October.
#[derive(Debug, Clone, Copy)]
struct ToyBerlin;

impl ToyBerlin {
    fn winter() -> FixedOffset {
        FixedOffset::east_opt(3600).unwrap()
    }
    fn summer() -> FixedOffset {
        FixedOffset::east_opt(7200).unwrap()
    }
}

impl TimeZone for ToyBerlin {
    type Offset = FixedOffset;

    fn from_offset(_: &FixedOffset) -> Self {
        ToyBerlin
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<FixedOffset> {
        self.offset_from_local_datetime(&local.and_hms_opt(0, 0, 0).unwrap())
    }

    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<FixedOffset> {
        let fits = |offset: FixedOffset| {
            let utc = *local - TimeDelta::seconds(offset.local_minus_utc().into());
            self.offset_from_utc_datetime(&utc) == offset
        };
        match (fits(Self::summer()), fits(Self::winter())) {
            (true, true) => MappedLocalTime::Ambiguous(Self::summer(), Self::winter()),
            (true, false) => MappedLocalTime::Single(Self::summer()),
            (false, true) => MappedLocalTime::Single(Self::winter()),
            (false, false) => MappedLocalTime::None,
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> FixedOffset {
        self.offset_from_utc_datetime(&utc.and_hms_opt(0, 0, 0).unwrap())
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
        let start = utc_naive(2025, 3, 30, 1);
        let end = utc_naive(2025, 10, 26, 1);
        if (start..end).contains(utc) {
            Self::summer()
        } else {
            Self::winter()
        }
    }
}

fn utc_naive(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn berlin(m: u32, d: u32, h: u32, mi: u32) -> DateTime<ToyBerlin> {
    ToyBerlin
        .with_ymd_and_hms(2025, m, d, h, mi, 0)
        .single()
        .expect("an unambiguous local time")
}

#[test]
fn spring_forward_moves_a_pinned_job_and_drops_other_times() {
    // 02:30 does not exist on 30 March: a job pinned there runs at 03:00.
    let pinned = cron("30 2 * * *");
    let tick = next(&pinned, berlin(3, 29, 12, 0));
    assert_eq!(tick, berlin(3, 30, 3, 0));
    assert_eq!(tick.with_timezone(&Utc), utc(2025, 3, 30, 1, 0, 0));
    assert_eq!(next(&pinned, tick), berlin(3, 31, 2, 30));

    // A job with a list loses both its 02:00 and 02:30 that day.
    let listed = cron("0,30 2 * * *");
    assert_eq!(next(&listed, berlin(3, 30, 0, 0)), berlin(3, 31, 2, 0));
}

#[test]
fn fall_back_runs_a_pinned_job_once_and_other_jobs_twice() {
    let first_half = ToyBerlin
        .with_ymd_and_hms(2025, 10, 26, 2, 30, 0)
        .earliest()
        .unwrap();
    let pinned = cron("30 2 * * *");
    assert_eq!(next(&pinned, berlin(10, 26, 0, 0)), first_half);
    assert_eq!(next(&pinned, first_half), berlin(10, 27, 2, 30));

    let listed = cron("0,30 2 * * *");
    let from = berlin(10, 26, 0, 0);
    let ticks: Vec<_> = listed
        .upcoming(from, from.with_timezone(&Utc), 4)
        .into_iter()
        .map(|t| t.with_timezone(&Utc))
        .collect();
    assert_eq!(
        ticks,
        vec![
            utc(2025, 10, 26, 0, 0, 0),
            utc(2025, 10, 26, 0, 30, 0),
            utc(2025, 10, 26, 1, 0, 0),
            utc(2025, 10, 26, 1, 30, 0)
        ]
    );
}

#[test]
fn a_daily_interval_keeps_real_days_across_a_change() {
    let s = every("1d");
    let anchor = berlin(10, 25, 12, 0);
    let tick = s.next_after(anchor, anchor.with_timezone(&Utc)).unwrap();
    assert_eq!(tick, berlin(10, 26, 11, 0));
}
