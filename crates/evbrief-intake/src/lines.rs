//! Lines of a tagged export file with their byte offsets, tolerating a UTF-8 byte
//! order mark and CRLF or CR line endings (EndNote and CNKI on Windows write both).

/// One line without its line ending, and where it starts in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// Byte offset of the line's first character in the file.
    pub start: usize,
    /// The line's text, without `\r\n`, `\n` or `\r`.
    pub text: &'a str,
}

impl Line<'_> {
    /// Byte offset just past the line's text.
    pub fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// The lines of `text`, skipping a leading byte order mark.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = Line<'_>> + Clone {
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut pos = bom;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let rest = &text[pos..];
        let cut = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let line = Line {
            start: pos,
            text: &rest[..cut],
        };
        let ending = if rest[cut..].starts_with("\r\n") {
            2
        } else {
            usize::from(cut < rest.len())
        };
        pos += cut + ending;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_skip_bom_and_all_line_endings() {
        let text = "\u{feff}TY  - JOUR\r\nTI  - 赵\rER  -\n\nlast";
        let got: Vec<(usize, &str)> = lines(text).map(|l| (l.start, l.text)).collect();
        assert_eq!(
            got,
            [
                (3, "TY  - JOUR"),
                (15, "TI  - 赵"),
                (25, "ER  -"),
                (31, ""),
                (32, "last")
            ]
        );
        assert_eq!(&text[15..lines(text).nth(1).unwrap().end()], "TI  - 赵");
    }
}
