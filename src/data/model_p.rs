//! Reported p-values, which papers print as "0.008", "P<0.05" or "P>0.05".

use serde::Serialize;

/// How a reported p-value relates to its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Relation {
    /// p = value.
    Equal,
    /// p < value.
    Less,
    /// p > value.
    Greater,
}

/// A p-value as printed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReportedP {
    /// Equality or bound.
    pub relation: Relation,
    /// The number, between 0 and 1.
    pub value: f64,
}

/// Parses "0.008", "=0.008", "<0.05", "> 0.05", "P<0.001"; `None` if it is not a p-value.
pub fn parse_p(text: &str) -> Option<ReportedP> {
    let t = text.trim();
    let t = t.strip_prefix(['P', 'p']).unwrap_or(t).trim_start();
    let (relation, rest) = match t.chars().next()? {
        '<' => (Relation::Less, &t[1..]),
        '>' => (Relation::Greater, &t[1..]),
        '=' => (Relation::Equal, &t[1..]),
        _ => (Relation::Equal, t),
    };
    let value: f64 = rest.trim().parse().ok()?;
    (value.is_finite() && (0.0..=1.0).contains(&value)).then_some(ReportedP { relation, value })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_printed_forms() {
        assert_eq!(
            parse_p("0.008"),
            Some(ReportedP {
                relation: Relation::Equal,
                value: 0.008
            })
        );
        assert_eq!(parse_p("P<0.05").map(|p| p.relation), Some(Relation::Less));
        assert_eq!(
            parse_p("> 0.05").map(|p| p.relation),
            Some(Relation::Greater)
        );
        assert_eq!(parse_p("1.5"), None);
        assert_eq!(parse_p("n.s."), None);
    }
}
