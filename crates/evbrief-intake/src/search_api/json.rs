//! Small helpers for reading the APIs' JSON answers: parsing with a message that names
//! the source's format, walking to a value, and text without markup.

use serde_json::Value;

use super::ApiError;
use crate::record::clean_text;

/// Parses a body that should be JSON; `what` names the expected answer for the message.
pub(super) fn parse(body: &str, what: &str) -> Result<Value, ApiError> {
    serde_json::from_str(body).map_err(|e| {
        let start: String = body.trim_start().chars().take(40).collect();
        ApiError::Malformed(format!(
            "expected {what}, got {}: {e}",
            if start.is_empty() {
                "an empty body".to_owned()
            } else {
                format!("`{}`", start.replace(['\n', '\r'], " "))
            }
        ))
    })
}

/// The value at a path of object keys.
pub(super) fn at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, k| v.get(k))
}

/// The text at a path of object keys, cleaned; numbers are written out.
pub(super) fn text(value: &Value, path: &[&str]) -> Option<String> {
    match at(value, path)? {
        Value::String(s) => clean_text(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A whole number at a path, written as a number or as digits in a string.
pub(super) fn number(value: &Value, path: &[&str]) -> Option<u64> {
    match at(value, path)? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The array at a path (empty when missing or not an array).
pub(super) fn array<'a>(value: &'a Value, path: &[&str]) -> &'a [Value] {
    at(value, path)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// Text with markup removed: JATS or HTML tags (`<jats:p>`, `<i>`) dropped, the common
/// entities decoded, whitespace collapsed. Crossref abstracts are JATS, Europe PMC's
/// HTML.
pub(super) fn without_markup(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let decoded = out
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    let cleaned = clean_text(&decoded)?;
    // Tags between words and punctuation leave a space before it: "in <i>vitro</i>."
    Some(
        cleaned
            .replace(" .", ".")
            .replace(" ,", ",")
            .replace(" ;", ";")
            .replace(" :", ":")
            .replace("( ", "(")
            .replace(" )", ")"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_removed_and_entities_decoded() {
        assert_eq!(
            without_markup("<jats:p>Cells <i>in vitro</i>. A &amp; B &lt; 5</jats:p>").as_deref(),
            Some("Cells in vitro. A & B < 5")
        );
        assert_eq!(without_markup("<p></p>"), None);
    }

    #[test]
    fn a_body_that_is_not_json_is_named() {
        let e = parse("<html>Bad gateway</html>", "Crossref JSON").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("answered something unexpected (expected Crossref JSON, got `<html>Bad gateway</html>`: ")
        );
        let e = parse("", "Crossref JSON").unwrap_err();
        assert!(e.to_string().contains("got an empty body"));
    }
}
