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
#[path = "schedule_tests.rs"]
mod tests;
