//! Reading an extraction sheet: a CSV file or the first worksheet of an `.xlsx` workbook,
//! as rows of text cells that remember where they stand (row and column, 1-based).

use std::path::Path;

use calamine::{Data, Reader, Xlsx};

/// Sheets larger than this are refused before they are read: an extraction sheet of a
/// few thousand rows is well under a megabyte.
pub const MAX_SHEET_BYTES: u64 = 16 * 1024 * 1024;

/// A sheet as text: its header and rows, each cell as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// How problems name the sheet: the file as given, with `[Sheet name]` for a workbook.
    pub name: String,
    /// The header row (column names, trimmed and lower-cased).
    pub header: Vec<String>,
    /// The header's row in the file.
    pub header_row: usize,
    /// The data rows, without blank and `#` comment rows.
    pub rows: Vec<SheetRow>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    /// Its row in the file (the header is row 1 unless comment rows precede it).
    pub row: usize,
    /// Its cells, trimmed; as many as the header has (missing cells are empty).
    pub cells: Vec<String>,
}

/// Why a sheet could not be read at all (a problem of the whole file: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file cannot be opened or read.
    #[error("{name}: cannot read ({cause})")]
    Io {
        /// The file as given.
        name: String,
        /// The cause.
        cause: String,
    },
    /// The file is larger than [`MAX_SHEET_BYTES`].
    #[error("{name}: {len} bytes; an extraction sheet may have at most {MAX_SHEET_BYTES} bytes")]
    TooLarge {
        /// The file as given.
        name: String,
        /// Its size.
        len: u64,
    },
    /// Neither `.csv` nor `.xlsx`.
    #[error("{name}: not an extraction sheet; give a .csv file or an .xlsx workbook")]
    Unsupported {
        /// The file as given.
        name: String,
    },
    /// A CSV syntax error or an unreadable workbook.
    #[error("{name}:{row}:1: {message}")]
    Malformed {
        /// The file (and sheet) as shown.
        name: String,
        /// Where.
        row: usize,
        /// What is wrong.
        message: String,
    },
    /// The sheet has no header row.
    #[error("{name}:1:1: the sheet is empty; its first row must name the columns")]
    Empty {
        /// The file (and sheet) as shown.
        name: String,
    },
}

/// Reads the sheet at `path`, named `shown` in problems.
pub fn read_sheet(path: &Path, shown: &str) -> Result<Sheet, ReadError> {
    let io = |e: std::io::Error| ReadError::Io {
        name: shown.to_owned(),
        cause: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_SHEET_BYTES {
        return Err(ReadError::TooLarge {
            name: shown.to_owned(),
            len,
        });
    }
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("csv") => read_csv(&std::fs::read(path).map_err(io)?, shown),
        Some("xlsx") => read_xlsx(path, shown),
        _ => Err(ReadError::Unsupported {
            name: shown.to_owned(),
        }),
    }
}

/// A CSV sheet: comma-separated, `#` starts a comment row, quoted cells as RFC 4180.
pub fn read_csv(bytes: &[u8], shown: &str) -> Result<Sheet, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    for record in reader.byte_records() {
        let record = record.map_err(|e| ReadError::Malformed {
            name: shown.to_owned(),
            row: e.position().map_or(1, |p| line_at(bytes, p.byte())),
            message: e.to_string(),
        })?;
        // Comment rows are read as records and dropped here: the reader's own comment
        // handling leaves them out of its positions. Its line count also skips blank
        // lines, so the row is counted from the record's byte offset.
        if record.get(0).is_some_and(|first| first.starts_with(b"#")) {
            continue;
        }
        let row = record.position().map_or(0, |p| line_at(bytes, p.byte()));
        let mut cells = Vec::new();
        for field in record.iter() {
            let text = std::str::from_utf8(field).map_err(|_| ReadError::Malformed {
                name: shown.to_owned(),
                row,
                message: "not UTF-8 text; save the sheet as CSV UTF-8".into(),
            })?;
            cells.push(text.trim().trim_start_matches('\u{feff}').to_owned());
        }
        rows.push((row, cells));
    }
    into_sheet(shown.to_owned(), rows)
}

/// The 1-based line of the record the reader places at byte `offset`: the reader gives
/// the end of the previous record, so blank lines after it are passed over first.
fn line_at(bytes: &[u8], offset: u64) -> usize {
    let mut end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    1 + bytes[..end].iter().filter(|b| **b == b'\n').count()
}

/// The first worksheet of an `.xlsx` workbook, its cells as text: numbers in their
/// shortest form (`0.5`, `4`), as Excel stores them.
fn read_xlsx(path: &Path, shown: &str) -> Result<Sheet, ReadError> {
    let malformed = |message: String| ReadError::Malformed {
        name: shown.to_owned(),
        row: 1,
        message,
    };
    let mut workbook: Xlsx<_> = calamine::open_workbook(path)
        .map_err(|e| malformed(format!("not a readable .xlsx workbook ({e})")))?;
    let Some(sheet_name) = workbook.sheet_names().first().cloned() else {
        return Err(malformed("the workbook has no worksheet".into()));
    };
    let name = format!("{shown}[{sheet_name}]");
    let range = workbook
        .worksheet_range(&sheet_name)
        .map_err(|e| malformed(format!("cannot read worksheet `{sheet_name}` ({e})")))?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let row = first_row as usize + i + 1;
        let mut texts: Vec<String> = vec![String::new(); first_col as usize];
        texts.extend(cells.iter().map(cell_text));
        if texts.iter().all(String::is_empty) || texts[0].starts_with('#') {
            continue;
        }
        rows.push((row, texts));
    }
    into_sheet(name, rows)
}

/// A workbook cell as text.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Splits off the header and pads every row to its width.
fn into_sheet(name: String, rows: Vec<(usize, Vec<String>)>) -> Result<Sheet, ReadError> {
    let mut rows = rows
        .into_iter()
        .filter(|(_, cells)| cells.iter().any(|c| !c.is_empty()));
    let Some((header_row, header)) = rows.next() else {
        return Err(ReadError::Empty { name });
    };
    let width = header.len();
    let rows = rows
        .map(|(row, mut cells)| {
            if cells.len() < width {
                cells.resize(width, String::new());
            }
            SheetRow { row, cells }
        })
        .collect();
    Ok(Sheet {
        name,
        header: header.into_iter().map(|h| h.to_ascii_lowercase()).collect(),
        header_row,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_line_and_skip_comments() {
        let text = "study,n\n# an example\n\naronson,123\n\"ferguson, 1949\",306,extra\r\n\r\nx,\"a\nb\"\nlast,1\n";
        let sheet = read_csv(text.as_bytes(), "x.csv").unwrap();
        assert_eq!(sheet.header, ["study", "n"]);
        assert_eq!(sheet.rows[0].row, 4);
        assert_eq!(sheet.rows[0].cells, ["aronson", "123"]);
        assert_eq!(sheet.rows[1].row, 5);
        assert_eq!(sheet.rows[1].cells, ["ferguson, 1949", "306", "extra"]);
        assert_eq!(sheet.rows[2].row, 7);
        assert_eq!(sheet.rows[2].cells, ["x", "a\nb"]);
        assert_eq!(sheet.rows[3].row, 9);
    }

    #[test]
    fn an_empty_csv_is_a_located_problem() {
        let err = read_csv(b"# nothing\n", "x.csv").unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.csv:1:1: the sheet is empty; its first row must name the columns"
        );
    }

    #[test]
    fn workbook_numbers_read_as_their_shortest_text() {
        assert_eq!(cell_text(&Data::Float(4.0)), "4");
        assert_eq!(cell_text(&Data::Float(0.25)), "0.25");
        assert_eq!(cell_text(&Data::String(" Aronson ".into())), "Aronson");
    }
}
