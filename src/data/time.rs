//! Time points as curated ("baseline", "week 9", "month 6"), parsed for ordering.

/// A parsed time point, ordered by its length in days.
#[derive(Debug, Clone, PartialEq)]
pub struct TimePoint {
    /// The text as curated, normalised to lower case.
    pub label: String,
    /// Approximate days since the start of treatment (baseline = 0), for sorting.
    pub days: f64,
}

/// The time point of a value read at the end of each study's own follow-up, whatever its
/// length (as meta-analyses of trials with different follow-up tabulate their events).
pub const END_OF_FOLLOW_UP: &str = "end of follow-up";

/// Where [`END_OF_FOLLOW_UP`] sorts: after every stated time point (a finite number, so
/// that differences of days stay defined).
pub const END_OF_FOLLOW_UP_DAYS: f64 = 1.0e9;

/// Parses `baseline`, `end of follow-up` or `<unit> <number>` with unit day, week, month
/// or year.
pub fn parse_time(text: &str) -> Result<TimePoint, String> {
    let t = text.trim().to_lowercase();
    if t == "baseline" {
        return Ok(TimePoint {
            label: t,
            days: 0.0,
        });
    }
    if t.split_whitespace().collect::<Vec<_>>().join(" ") == END_OF_FOLLOW_UP {
        return Ok(TimePoint {
            label: END_OF_FOLLOW_UP.to_owned(),
            days: END_OF_FOLLOW_UP_DAYS,
        });
    }
    let mut parts = t.split_whitespace();
    let (Some(unit), Some(num), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(format!(
            "time point `{text}` must be \"baseline\", \"end of follow-up\" or like \"week 9\", \"month 6\", \"day 84\", \"year 1\""
        ));
    };
    let per_unit = match unit {
        "day" => 1.0,
        "week" => 7.0,
        "month" => 30.4375,
        "year" => 365.25,
        _ => {
            return Err(format!(
                "unknown time unit `{unit}` (use day, week, month or year)"
            ));
        }
    };
    let value: f64 = num
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("`{num}` is not a non-negative number of {unit}s"))?;
    Ok(TimePoint {
        label: t,
        days: value * per_unit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_weeks_before_months() {
        let w = parse_time("Week 9").unwrap();
        let m = parse_time("month 6").unwrap();
        assert!(w.days < m.days);
        assert_eq!(parse_time("baseline").unwrap().days, 0.0);
        assert!(parse_time("wk 9").is_err());
        assert!(parse_time("week -1").is_err());
        let end = parse_time("End of  follow-up").unwrap();
        assert_eq!(end.label, "end of follow-up");
        assert!(end.days > parse_time("year 100").unwrap().days);
    }
}
