//! When `evbrief schedule` looks at its inputs: a cron expression or a fixed interval.
//!
//! This module only decides *when*; what happens at a tick (hash the inputs, rebuild if
//! they changed) belongs to the caller. Time comes in through [`Clock`] so the loop in
//! [`run`] can be driven by [`FakeClock`] in tests, without sleeping.

use std::ops::ControlFlow;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use croner::Cron;
use croner::errors::CronError;
use croner::parser::{CronParser, Seconds, Year};

/// What `--cron` accepts, quoted at the end of every cron error message.
const CRON_EXPECTED: &str = "expected five fields: minute hour day-of-month month day-of-week \
     (or six, with seconds first), e.g. \"0 7 * * MON\"";

/// What `--every` accepts, quoted at the end of every interval error message.
const EVERY_EXPECTED: &str =
    "expected a duration of at least 1s, e.g. \"90s\", \"30m\", \"6h\", \"1d\" or \"1h 30m\"";

/// The longest interval `--every` takes: 100 years of 365.25 days, as humantime counts them.
const LONGEST_INTERVAL: Duration = Duration::from_secs(100 * 31_557_600);

/// Cron nicknames croner expands; anything else that starts with `@` is refused.
const NICKNAMES: [&str; 6] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

const MONTH_NAMES: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];

const DAY_NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A `--cron` or `--every` argument that cannot be a schedule.
///
/// The message is one line: it quotes the input, says what is wrong with it and what
/// the option expects, so the CLI can print it as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The `--cron` expression does not parse, or names a time that never comes.
    #[error("invalid cron expression {input:?}: {reason}; {expected}", expected = CRON_EXPECTED)]
    Cron {
        /// The expression as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The `--every` interval does not parse, or is too short or too long.
    #[error("invalid interval {input:?}: {reason}; {expected}", expected = EVERY_EXPECTED)]
    Every {
        /// The interval as given.
        input: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// When the living brief is checked: on a cron calendar or at a fixed interval.
///
/// Build one with [`Schedule::cron`] or [`Schedule::every`]; both check the input, so a
/// `Schedule` always has a next tick (up to the year 5000 for cron).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// Wall-clock times of a cron expression, read in the zone given to
    /// [`Schedule::next_after`] (production passes `chrono::Local`, as crontab does).
    Cron(CronSpec),
    /// Equal steps of real time from an anchor fixed when the loop starts.
    Every(Interval),
}

/// A checked cron expression (see [`Schedule::cron`] for what is accepted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSpec {
    /// The expression with its fields separated by single spaces.
    expression: String,
    /// Boxed: a parsed pattern is several times the size of an interval.
    cron: Box<Cron>,
}

impl CronSpec {
    /// The expression as given, with runs of white space collapsed to one space.
    pub fn expression(&self) -> &str {
        &self.expression
    }
}

/// A checked `--every` interval: at least one second, at most 100 years.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    /// The interval as given, white space collapsed, for status lines.
    text: String,
    period: Duration,
}

impl Interval {
    /// The length of one step.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The next point of the lattice `anchor + n * period` (any integer `n`) strictly
    /// after `after`.
    fn next_after(&self, after: DateTime<Utc>, anchor: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let period = i128::try_from(self.period.as_nanos()).ok()?;
        let elapsed = nanos(after) - nanos(anchor);
        let steps = elapsed.div_euclid(period) + 1;
        from_nanos(nanos(anchor) + steps * period)
    }
}

/// Nanoseconds since the Unix epoch; i128 so no difference of two instants overflows.
fn nanos(t: DateTime<Utc>) -> i128 {
    i128::from(t.timestamp()) * 1_000_000_000 + i128::from(t.timestamp_subsec_nanos())
}

fn from_nanos(n: i128) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(n.div_euclid(1_000_000_000)).ok()?;
    let subsec = u32::try_from(n.rem_euclid(1_000_000_000)).ok()?;
    DateTime::from_timestamp(secs, subsec)
}

impl Schedule {
    /// Parses a `--cron` expression.
    ///
    /// Accepted, as croner 4 reads it with seconds optional and no year field:
    /// - five fields `minute hour day-of-month month day-of-week`, or six with a leading
    ///   `second` field (0-59);
    /// - in every field `*`, numbers, ranges `1-5`, lists `1,15`, steps `*/15` and
    ///   `9-17/2` (croner refuses a bare `0/10`: write `*/10` or `0-59/10`);
    /// - month names `JAN`-`DEC` in the month field and day names `SUN`-`SAT` in the
    ///   day-of-week field, in any case; day-of-week `0` and `7` are both Sunday;
    /// - croner's extensions: `?` (same as `*`) in the day fields, `L` (last day of the
    ///   month) and `W` (nearest weekday, `15W`) in day-of-month, `#` (nth weekday,
    ///   `MON#1`), `L` (last weekday of the month, `FRIL` or `5L`) and a leading `+`
    ///   (day-of-month AND day-of-week) in day-of-week;
    /// - the nicknames `@hourly`, `@daily`, `@weekly` (Sunday 00:00), `@monthly`,
    ///   `@yearly` and `@annually`.
    ///
    /// As in Vixie cron, when both day fields are restricted a day matching either one
    /// fires. Names outside their own field (`0 7 * * JAN`, which croner would read as
    /// Monday) and expressions that never fire (`0 0 30 2 *`) are refused.
    pub fn cron(expression: &str) -> Result<Self, ScheduleError> {
        parse_cron(expression)
            .map(Schedule::Cron)
            .map_err(|reason| ScheduleError::Cron {
                input: expression.to_owned(),
                reason,
            })
    }

    /// Parses an `--every` interval written as humantime reads it: a sum of numbers with
    /// units, such as `90s`, `30m`, `6h`, `1d`, `1h 30m` or `1.5h` (units are case
    /// sensitive: `m` is minutes, `M` months). Zero, anything under one second and
    /// anything over 100 years are refused.
    pub fn every(interval: &str) -> Result<Self, ScheduleError> {
        parse_every(interval)
            .map(Schedule::Every)
            .map_err(|reason| ScheduleError::Every {
                input: interval.to_owned(),
                reason,
            })
    }

    /// The first tick strictly after `after`, in `after`'s zone; `None` only if there is
    /// none before croner's search limit (the year 5000) or chrono's range.
    ///
    /// Cron fields are read on the wall clock of `after`'s zone, so one expression gives
    /// different instants in different zones. `anchor` fixes the phase of an
    /// [`Schedule::Every`] schedule: its ticks are `anchor + n * period`, so a late tick
    /// does not shift the ones after it. Cron schedules ignore it.
    ///
    /// Daylight saving time, as croner handles it: where the clock springs forward, a
    /// job pinned to one time of day (a single second, minute and hour) whose time is
    /// skipped fires at the first instant after the gap, and jobs with wildcards, lists,
    /// ranges or steps simply lose the skipped times; where the clock falls back, a
    /// pinned job fires once, at the earlier of the two instants, and other jobs fire at
    /// both. Intervals count real time, so `every 1d` keeps 24-hour steps and its wall
    /// clock time moves by an hour across a change.
    pub fn next_after<Tz: TimeZone>(
        &self,
        after: DateTime<Tz>,
        anchor: DateTime<Utc>,
    ) -> Option<DateTime<Tz>> {
        match self {
            Schedule::Cron(spec) => spec.cron.find_next_occurrence(&after, false).ok(),
            Schedule::Every(interval) => {
                let zone = after.timezone();
                let next = interval.next_after(after.with_timezone(&Utc), anchor)?;
                Some(next.with_timezone(&zone))
            }
        }
    }

    /// Up to `n` ticks after `after`, in order: what a `--dry-run` lists. `anchor` is as
    /// for [`Schedule::next_after`].
    pub fn upcoming<Tz: TimeZone>(
        &self,
        after: DateTime<Tz>,
        anchor: DateTime<Utc>,
        n: usize,
    ) -> Vec<DateTime<Tz>> {
        let mut ticks: Vec<DateTime<Tz>> = Vec::with_capacity(n);
        let mut from = after;
        while ticks.len() < n {
            let Some(next) = self.next_after(from, anchor) else {
                break;
            };
            from = next.clone();
            ticks.push(next);
        }
        ticks
    }

    /// A short status line naming the schedule as the user wrote it: `every 6h`,
    /// `cron 0 7 * * MON`.
    pub fn describe(&self) -> String {
        match self {
            Schedule::Cron(spec) => format!("cron {}", spec.expression),
            Schedule::Every(interval) => format!("every {}", interval.text),
        }
    }
}

/// A field of a cron expression, for messages and per-field checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Second,
    Minute,
    Hour,
    DayOfMonth,
    Month,
    DayOfWeek,
}

impl Field {
    /// Fields of a six-field expression; a five-field one drops the first.
    const ALL: [Field; 6] = [
        Field::Second,
        Field::Minute,
        Field::Hour,
        Field::DayOfMonth,
        Field::Month,
        Field::DayOfWeek,
    ];

    fn name(self) -> &'static str {
        match self {
            Field::Second => "second",
            Field::Minute => "minute",
            Field::Hour => "hour",
            Field::DayOfMonth => "day-of-month",
            Field::Month => "month",
            Field::DayOfWeek => "day-of-week",
        }
    }

    fn values(self) -> &'static str {
        match self {
            Field::Second | Field::Minute => "0-59",
            Field::Hour => "0-23",
            Field::DayOfMonth => "1-31",
            Field::Month => "1-12 or JAN-DEC",
            Field::DayOfWeek => "0-7 or SUN-SAT, 0 and 7 being Sunday",
        }
    }

    /// Punctuation allowed besides digits and `* , - /`.
    fn extra_symbols(self) -> &'static str {
        match self {
            Field::DayOfMonth => "?",
            Field::DayOfWeek => "?#+",
            _ => "",
        }
    }

    /// Whether a run of letters may stand in this field.
    ///
    /// croner replaces names anywhere in the expression before it splits the fields,
    /// so `JAN` in the day-of-week field would silently mean Monday; this check keeps
    /// names in their own fields.
    fn accepts_word(self, word: &str) -> bool {
        match self {
            Field::Month => MONTH_NAMES.contains(&word),
            Field::DayOfWeek => {
                let day = word.strip_suffix('L').unwrap_or(word);
                day.is_empty() || DAY_NAMES.contains(&day)
            }
            Field::DayOfMonth => matches!(word, "L" | "W" | "LW"),
            Field::Second | Field::Minute | Field::Hour => false,
        }
    }

    fn word_hint(self) -> &'static str {
        match self {
            Field::Month => "is not a month name (use JAN-DEC or 1-12)",
            Field::DayOfWeek => "is not a day name (use SUN-SAT or 0-7)",
            Field::DayOfMonth => "is not allowed here (only L and W are)",
            Field::Second | Field::Minute | Field::Hour => "is not allowed here (only numbers are)",
        }
    }

    /// Checks the characters and names of one field, before croner sees it.
    fn check(self, text: &str) -> Result<(), String> {
        let complain = |what: String| format!("{} field {text:?}: {what}", self.name());
        if let Some(c) = text.chars().find(|&c| {
            !(c.is_ascii_alphanumeric() || "*,-/".contains(c) || self.extra_symbols().contains(c))
        }) {
            return Err(complain(format!("unexpected character {c:?}")));
        }
        for word in text
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| !w.is_empty())
        {
            if !self.accepts_word(&word.to_ascii_uppercase()) {
                return Err(complain(format!("{word:?} {}", self.word_hint())));
            }
        }
        Ok(())
    }
}

fn cron_parser() -> CronParser {
    CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build()
}

/// Checks and parses a cron expression; the error is the reason, without the input.
fn parse_cron(input: &str) -> Result<CronSpec, String> {
    let parts: Vec<&str> = input.split_whitespace().collect();
    let expression = parts.join(" ");
    let fields: &[Field] = match parts.as_slice() {
        [] => return Err("it is empty".to_owned()),
        [nickname] if nickname.starts_with('@') => {
            if !NICKNAMES.contains(&nickname.to_ascii_lowercase().as_str()) {
                return Err(format!(
                    "unknown nickname {nickname:?} (known: {})",
                    NICKNAMES.join(", ")
                ));
            }
            &[]
        }
        _ if parts.len() == 5 => &Field::ALL[1..],
        _ if parts.len() == 6 => &Field::ALL,
        _ => {
            let n = parts.len();
            return Err(format!("found {n} field{}", if n == 1 { "" } else { "s" }));
        }
    };
    for (field, text) in fields.iter().zip(&parts) {
        field.check(text)?;
    }

    let parser = cron_parser();
    let cron = parser
        .parse(&expression)
        .map_err(|error| locate_error(&parser, fields, &parts, &error))?;

    // A pattern without a year field repeats at the latest every 28 years, so a search
    // from any fixed date finds a match if there is one.
    let reference = NaiveDate::from_ymd_opt(2000, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("2000-01-01 00:00:00 is a valid date and time");
    if cron.find_next_occurrence(&reference, false).is_err() {
        return Err("it never fires: no date matches its day and month fields".to_owned());
    }
    Ok(CronSpec {
        expression,
        cron: Box::new(cron),
    })
}

/// Names the field croner refused, by parsing each field alone among wildcards.
fn locate_error(
    parser: &CronParser,
    fields: &[Field],
    parts: &[&str],
    error: &CronError,
) -> String {
    for (i, field) in fields.iter().enumerate() {
        let probe: Vec<&str> = (0..parts.len())
            .map(|j| if j == i { parts[j] } else { "*" })
            .collect();
        if let Err(field_error) = parser.parse(&probe.join(" ")) {
            return format!(
                "{} field {:?}: {} (allowed: {})",
                field.name(),
                parts[i],
                croner_reason(&field_error),
                field.values()
            );
        }
    }
    croner_reason(error)
}

/// croner's message without its category prefix or final full stop, in lower case.
fn croner_reason(error: &CronError) -> String {
    let message = match error {
        CronError::ComponentError(m) | CronError::InvalidPattern(m) => m.clone(),
        CronError::IllegalCharacters(m) => m.replace("CronPattern contains", "contains"),
        other => other.to_string(),
    };
    let message = message.trim().trim_end_matches('.');
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => "croner refused it".to_owned(),
    }
}

/// Checks and parses an interval; the error is the reason, without the input.
fn parse_every(input: &str) -> Result<Interval, String> {
    let text = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let period = humantime::parse_duration(&text).map_err(|e| e.to_string())?;
    if period.is_zero() {
        return Err("the interval is zero".to_owned());
    }
    if period < Duration::from_secs(1) {
        return Err(format!(
            "{} is shorter than one second",
            humantime::format_duration(period)
        ));
    }
    if period > LONGEST_INTERVAL {
        return Err("it is longer than 100 years".to_owned());
    }
    Ok(Interval { text, period })
}

/// Where the schedule loop gets the time and waits, so tests can replace both.
pub trait Clock {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;

    /// Waits until [`Clock::now`] is at or after `t`; returns at once if it already is.
    fn sleep_until(&mut self, t: DateTime<Utc>);
}

/// The real clock: `Utc::now()` and thread sleeps.
///
/// It sleeps in slices of at most a minute (by default) and re-reads the wall clock
/// after each, because a thread sleep counts time the process actually ran: after a
/// laptop resumes from suspend, or the clock is set forward, the loop notices within
/// one slice instead of oversleeping by hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemClock {
    max_slice: Duration,
}

impl SystemClock {
    /// A system clock that re-checks the time at least once a minute.
    pub fn new() -> Self {
        SystemClock {
            max_slice: Duration::from_secs(60),
        }
    }

    /// The same clock with another longest slice of sleep (at least a millisecond), for
    /// callers that want to notice clock changes sooner or later.
    pub fn with_max_slice(max_slice: Duration) -> Self {
        SystemClock {
            max_slice: max_slice.max(Duration::from_millis(1)),
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&mut self, t: DateTime<Utc>) {
        loop {
            let now = Utc::now();
            if now >= t {
                return;
            }
            // `to_std` fails only for negative deltas, excluded just above.
            let left = (t - now).to_std().unwrap_or(Duration::ZERO);
            std::thread::sleep(left.min(self.max_slice));
        }
    }
}

/// A clock for tests, of this module and of others: sleeping moves time forward at
/// once, so a simulated week takes microseconds.
///
/// Time never goes backwards. A callback can run at every sleep, to change files
/// "while time passes"; [`FakeClock::wake_late`] simulates a suspended laptop.
pub struct FakeClock<'a> {
    now: DateTime<Utc>,
    sleeps: usize,
    late: chrono::TimeDelta,
    on_sleep: Option<Box<dyn FnMut(DateTime<Utc>) + 'a>>,
}

impl<'a> FakeClock<'a> {
    /// A clock that reads `start` until something sleeps or advances it.
    pub fn new(start: DateTime<Utc>) -> Self {
        FakeClock {
            now: start,
            sleeps: 0,
            late: chrono::TimeDelta::zero(),
            on_sleep: None,
        }
    }

    /// Calls `callback` at the end of every [`Clock::sleep_until`], with the time the
    /// sleeper wakes at, before the sleeper sees it.
    pub fn on_sleep(mut self, callback: impl FnMut(DateTime<Utc>) + 'a) -> Self {
        self.on_sleep = Some(Box::new(callback));
        self
    }

    /// Makes the next sleep end `by` after its target, as when a machine sleeps through
    /// the target time. Negative values count as zero.
    pub fn wake_late(&mut self, by: chrono::TimeDelta) {
        self.late = by.max(chrono::TimeDelta::zero());
    }

    /// Moves time forward by `by` without counting a sleep or calling the callback;
    /// negative values leave the time as it is.
    pub fn advance(&mut self, by: chrono::TimeDelta) {
        self.now += by.max(chrono::TimeDelta::zero());
    }

    /// How many times [`Clock::sleep_until`] was called.
    pub fn sleeps(&self) -> usize {
        self.sleeps
    }
}

impl std::fmt::Debug for FakeClock<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeClock")
            .field("now", &self.now)
            .field("sleeps", &self.sleeps)
            .field("late", &self.late)
            .field("on_sleep", &self.on_sleep.is_some())
            .finish()
    }
}

impl Clock for FakeClock<'_> {
    fn now(&self) -> DateTime<Utc> {
        self.now
    }

    fn sleep_until(&mut self, t: DateTime<Utc>) {
        self.sleeps += 1;
        self.now = self.now.max(t) + std::mem::take(&mut self.late);
        if let Some(callback) = self.on_sleep.as_mut() {
            callback(self.now);
        }
    }
}

/// Runs `tick` at every tick of `schedule` until it returns `Break`.
///
/// Cron fields are read in `tz`. An [`Schedule::Every`] schedule is anchored at the
/// clock's time when `run` starts, so the first tick comes one period later and slow
/// ticks do not move the later ones. `tick` gets the time the loop woke at. If the
/// loop wakes late, past several ticks (a suspended machine, a clock set forward, a
/// tick that took long), it runs `tick` once, not once per missed tick, and goes on
/// with the next tick after the current time.
///
/// `run` does not tick at start-up; the caller checks the inputs once before. It also
/// returns if the schedule has no further tick, which a parsed schedule only reaches
/// after the year 5000.
pub fn run<Tz: TimeZone>(
    schedule: &Schedule,
    tz: &Tz,
    clock: &mut dyn Clock,
    mut tick: impl FnMut(DateTime<Utc>) -> ControlFlow<()>,
) {
    let anchor = clock.now();
    loop {
        let Some(due) = schedule.next_after(clock.now().with_timezone(tz), anchor) else {
            return;
        };
        let due = due.with_timezone(&Utc);
        // A clock may return early (or be set back while it sleeps): wait again.
        let mut now = clock.now();
        while now < due {
            clock.sleep_until(due);
            now = clock.now();
        }
        if tick(now).is_break() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
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
            cron_error("0 7 * * JAN")
                .contains("day-of-week field \"JAN\": \"JAN\" is not a day name")
        );
        assert!(
            cron_error("0 7 * MON *").contains("month field \"MON\": \"MON\" is not a month name")
        );
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

        fn offset_from_local_datetime(
            &self,
            local: &NaiveDateTime,
        ) -> MappedLocalTime<FixedOffset> {
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
}
