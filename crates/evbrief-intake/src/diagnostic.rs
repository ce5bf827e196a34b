//! Problems found in a project's files, located as `path:line:col`.
//!
//! Loading and validation collect every problem before failing; this module turns
//! them into the one-line form and a rustc-style snippet (codespan-reporting).

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::Buffer};

/// A file's name (as shown to the user) and text, shared by its diagnostics.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the project, e.g. `data/studies/lian-2023.toml`.
    pub name: String,
    /// Full text, for line/column and the snippet.
    pub text: Arc<str>,
}

impl SourceFile {
    /// 1-based line and column (in characters) of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let start = offset.min(self.text.len());
        let before = &self.text[..floor_char_boundary(&self.text, start)];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }
}

/// One problem in one place of one file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file the problem is in.
    pub file: SourceFile,
    /// Byte range of the offending text; empty when the whole file is meant.
    pub span: Range<usize>,
    /// What is wrong, lower-case, without a trailing full stop.
    pub message: String,
}

impl Problem {
    /// A problem at a byte range of a file.
    pub fn new(file: &SourceFile, span: Range<usize>, message: impl Into<String>) -> Self {
        Problem {
            file: file.clone(),
            span,
            message: message.into(),
        }
    }

    /// 1-based line and column (in characters) of the span's start.
    pub fn line_col(&self) -> (usize, usize) {
        self.file.line_col(self.span.start)
    }

    /// The snippet rendering with the source line underlined.
    pub fn snippet(&self) -> String {
        let file = SimpleFile::new(self.file.name.as_str(), &*self.file.text);
        let end = self.span.end.min(self.file.text.len());
        let start = floor_char_boundary(&self.file.text, self.span.start.min(end));
        let end = floor_char_boundary(&self.file.text, end);
        let diag = CsDiagnostic::error()
            .with_message(&self.message)
            .with_labels(vec![Label::primary((), start..end)]);
        let mut out = Buffer::no_color();
        let config = term::Config::default();
        if term::emit(&mut out, &config, &file, &diag).is_err() {
            return String::new();
        }
        String::from_utf8_lossy(out.as_slice()).into_owned()
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line, col) = self.line_col();
        write!(f, "{}:{}:{}: {}", self.file.name, line, col, self.message)
    }
}

/// All problems found in a project, in file order; never empty when returned as an error.
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    /// Renders every problem as `path:line:col: message` followed by its snippet.
    pub fn render(&self, with_snippets: bool) -> String {
        let mut out = String::new();
        for p in &self.0 {
            out.push_str(&p.to_string());
            out.push('\n');
            if with_snippets {
                out.push_str(&p.snippet());
            }
        }
        out
    }
}

impl fmt::Display for Problems {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "{n} problem{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for Problems {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_characters() {
        let file = SourceFile {
            name: "a.toml".into(),
            text: "x = 1\nyé = -2\n".into(),
        };
        let at = file.text.find("-2").unwrap();
        let p = Problem::new(&file, at..at + 2, "must be positive");
        assert_eq!(p.to_string(), "a.toml:2:6: must be positive");
        assert!(p.snippet().contains("must be positive"));
    }
}
