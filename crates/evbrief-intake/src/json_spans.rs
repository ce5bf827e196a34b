//! Byte spans of values inside JSON text that `serde_json` has already accepted,
//! so a CSL-JSON shape problem ("`[2].author[0].family` must be a string") can
//! point at its line. `serde_json::Value` keeps no positions; this walks the text.

use std::fmt;
use std::ops::Range;

/// One step of a path into a JSON document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// An object member.
    Key(String),
    /// An array element.
    Index(usize),
}

/// A path into a JSON document, shown as `[2].author[0].family`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct JsonPath(pub Vec<Step>);

impl JsonPath {
    /// This path extended by one step.
    pub fn join(&self, step: Step) -> JsonPath {
        let mut steps = self.0.clone();
        steps.push(step);
        JsonPath(steps)
    }

    /// This path extended by an object member.
    pub fn key(&self, key: &str) -> JsonPath {
        self.join(Step::Key(key.to_string()))
    }

    /// This path extended by an array element.
    pub fn index(&self, i: usize) -> JsonPath {
        self.join(Step::Index(i))
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if i == 0 => write!(f, "{k}")?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// The span of the value at `path` in valid JSON `text` (starting at `root`), or of
/// the deepest value on the way when the path leads nowhere.
pub(crate) fn span_of(text: &str, root: usize, path: &JsonPath) -> Range<usize> {
    let bytes = text.as_bytes();
    let start = skip_ws(bytes, root);
    let mut span = start..value_end(bytes, start);
    for step in &path.0 {
        let found = children(text, span.clone())
            .into_iter()
            .enumerate()
            .find(|(i, (key, _))| match step {
                Step::Key(k) => key.as_deref() == Some(k.as_str()),
                Step::Index(n) => key.is_none() && i == n,
            });
        match found {
            Some((_, (_, child))) => span = child,
            None => break,
        }
    }
    span
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// The end of the string starting at the quote at `i`.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The end of the value starting at `i`.
fn value_end(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'"') => string_end(bytes, i),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut j = i;
            while j < bytes.len() {
                match bytes[j] {
                    b'"' => {
                        j = string_end(bytes, j);
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return j + 1;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            bytes.len()
        }
        Some(_) => {
            let mut j = i;
            while j < bytes.len() && !matches!(bytes[j], b',' | b'}' | b']') {
                j += 1;
            }
            while j > i && bytes[j - 1].is_ascii_whitespace() {
                j -= 1;
            }
            j
        }
        None => i,
    }
}

/// The members (with keys) or elements (without) of the object or array at `span`.
fn children(text: &str, span: Range<usize>) -> Vec<(Option<String>, Range<usize>)> {
    let bytes = text.as_bytes();
    let is_object = match bytes.get(span.start) {
        Some(b'{') => true,
        Some(b'[') => false,
        _ => return Vec::new(),
    };
    let mut out = Vec::new();
    let mut i = span.start + 1;
    while i < span.end {
        i = skip_ws(bytes, i);
        match bytes.get(i) {
            Some(b'}' | b']') | None => break,
            Some(b',') => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let key = if is_object {
            let end = string_end(bytes, i);
            let key = text
                .get(i..end)
                .and_then(|raw| serde_json::from_str::<String>(raw).ok());
            i = skip_ws(bytes, end);
            if bytes.get(i) == Some(&b':') {
                i = skip_ws(bytes, i + 1);
            }
            key
        } else {
            None
        };
        let end = value_end(bytes, i);
        out.push((key, i..end));
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_lead_to_their_values() {
        let text = "[\n {\"a\": 1},\n {\"author\": [{\"family\": \"Li\"}, {\"family\": 7}],\n  \"t\\\"x\": \"y\"}\n]";
        let path = JsonPath::default()
            .index(1)
            .key("author")
            .index(1)
            .key("family");
        assert_eq!(path.to_string(), "[1].author[1].family");
        let span = span_of(text, 0, &path);
        assert_eq!(&text[span], "7");
        let span = span_of(text, 0, &JsonPath::default().index(1).key("t\"x"));
        assert_eq!(&text[span], "\"y\"");
        let span = span_of(text, 0, &JsonPath::default().index(0));
        assert_eq!(&text[span], "{\"a\": 1}");
        let missing = span_of(text, 0, &JsonPath::default().index(0).key("nope"));
        assert_eq!(&text[missing], "{\"a\": 1}");
        assert_eq!(JsonPath::default().key("title").to_string(), "title");
    }
}
