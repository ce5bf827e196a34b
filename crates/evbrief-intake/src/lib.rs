//! Intake of bibliographic export files: RIS, PubMed MEDLINE (`.nbib`), BibTeX and
//! CSL-JSON are parsed into one [`Record`] shape, identities are normalised for
//! de-duplication ([`identity`]) and records are written back as BibTeX entries
//! ([`bibtex_out`]) for `data/references.bib`. [`search_api`] builds the requests of
//! saved searches against PubMed, Europe PMC, Crossref and ClinicalTrials.gov and reads
//! their answers into the same records.
//!
//! Everything here is pure: text in, values or [`Problem`]s out, no file access.
//! Every problem a file has is reported at once where the format allows it (each
//! bad RIS or MEDLINE record, each BibTeX entry or JSON item without a title).

pub mod bibtex_in;
pub mod bibtex_out;
mod csl_json;
pub mod diagnostic;
pub mod identity;
mod json_spans;
mod lines;
mod medline;
mod record;
mod ris;
pub mod search_api;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod proptests;

pub use bibtex_out::{citation_key, to_bibtex};
pub use identity::{MatchReason, RecordIdentity, normalise_doi, normalise_title};
pub use record::{PersonName, Record, RecordKind};

use crate::diagnostic::{Problem, SourceFile};

/// The export formats intake understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    /// RIS tagged format (EndNote, Zotero, CNKI, publishers' "download citation").
    Ris,
    /// PubMed's MEDLINE tagged format ("Save → Format: PubMed", `.nbib`).
    Medline,
    /// BibTeX / BibLaTeX (Zotero, Better BibTeX, JabRef).
    Bibtex,
    /// CSL-JSON: one item (Crossref content negotiation) or an array (Zotero).
    CslJson,
}

impl ImportFormat {
    /// The format of a file, from its extension (`.ris`, `.nbib`/`.medline`, `.bib`,
    /// `.json`) and, when the extension is ambiguous (`.txt`) or unknown, from the
    /// content: RIS starts with `TY  - `, MEDLINE has a `PMID- ` line, BibTeX has an
    /// `@type{`, CSL-JSON starts with `[` or `{`. `None` when nothing fits.
    pub fn detect(file_name: &str, text: &str) -> Option<ImportFormat> {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "ris" => return Some(ImportFormat::Ris),
            "nbib" | "medline" => return Some(ImportFormat::Medline),
            "bib" | "bibtex" => return Some(ImportFormat::Bibtex),
            "json" => return Some(ImportFormat::CslJson),
            _ => {}
        }
        Self::sniff(text)
    }

    /// The format recognised from the content alone.
    fn sniff(text: &str) -> Option<ImportFormat> {
        let text = text.trim_start_matches('\u{feff}');
        let start = text.trim_start();
        if start.starts_with('[') || start.starts_with('{') {
            return Some(ImportFormat::CslJson);
        }
        let mut lines = lines::lines(text).map(|l| l.text);
        if lines
            .clone()
            .any(|l| ris::is_tag_line(l) && l.starts_with("TY"))
        {
            return Some(ImportFormat::Ris);
        }
        if lines.any(|l| l.starts_with("PMID- ")) {
            return Some(ImportFormat::Medline);
        }
        if bibtex_in::looks_like_bibtex(text) {
            return Some(ImportFormat::Bibtex);
        }
        None
    }

    /// A short name for messages, e.g. `RIS`.
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Ris => "RIS",
            ImportFormat::Medline => "MEDLINE",
            ImportFormat::Bibtex => "BibTeX",
            ImportFormat::CslJson => "CSL-JSON",
        }
    }
}

/// Parses every record in a file. The error carries every problem found, each with
/// a byte span into `file.text`; a record without a title or with a year that is not
/// four digits is one of them. Names are
/// made safe for the inbox's BibTeX ([`PersonName::make_bibtex_safe`]).
pub fn parse(file: &SourceFile, format: ImportFormat) -> Result<Vec<Record>, Vec<Problem>> {
    let (records, problems) = match format {
        ImportFormat::Ris => ris::read(file),
        ImportFormat::Medline => medline::read(file),
        ImportFormat::Bibtex => bibtex_in::read(file)
            .map(|entries| (entries.into_iter().map(|e| e.record).collect(), Vec::new()))
            .unwrap_or_else(|problems| (Vec::new(), problems)),
        ImportFormat::CslJson => csl_json::read(file),
    };
    let mut problems = problems;
    let mut records = records;
    for record in &mut records {
        for author in &mut record.authors {
            author.make_bibtex_safe();
        }
        if let Some(year) = record.year.filter(|y| !(1000..=9999).contains(y)) {
            // Typst's bibliography (hayagriva) reads four-digit years only: such a record
            // in the inbox would stop every build.
            problems.push(Problem::new(
                file,
                record.span.start..record.span.start,
                format!("year {year} is not a four-digit year"),
            ));
        }
        if record.title.is_empty() {
            problems.push(Problem::new(
                file,
                record.span.start..record.span.start,
                format!("record has no title ({})", title_field(format)),
            ));
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        problems.sort_by_key(|p| (p.span.start, p.span.end));
        Err(problems)
    }
}

/// Where each format keeps the title, for the "no title" message.
fn title_field(format: ImportFormat) -> &'static str {
    match format {
        ImportFormat::Ris => "no `TI` or `T1` tag",
        ImportFormat::Medline => "no `TI` tag",
        ImportFormat::Bibtex => "no `title` field",
        ImportFormat::CslJson => "no `title`",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension_then_content() {
        use ImportFormat::*;
        assert_eq!(ImportFormat::detect("zotero.RIS", ""), Some(Ris));
        assert_eq!(ImportFormat::detect("pubmed-set.nbib", ""), Some(Medline));
        assert_eq!(ImportFormat::detect("refs.bib", ""), Some(Bibtex));
        assert_eq!(ImportFormat::detect("crossref.json", ""), Some(CslJson));
        assert_eq!(
            ImportFormat::detect("pubmed.txt", "\nPMID- 37583848\nOWN - NLM\n"),
            Some(Medline)
        );
        assert_eq!(
            ImportFormat::detect("export.txt", "\u{feff}TY  - JOUR\r\nER  -\r\n"),
            Some(Ris)
        );
        assert_eq!(
            ImportFormat::detect("x", "% comment\n@article{a,\n title={T}}"),
            Some(Bibtex)
        );
        assert_eq!(
            ImportFormat::detect("x", "  [{\"type\": \"book\"}]"),
            Some(CslJson)
        );
        assert_eq!(ImportFormat::detect("notes.txt", "just words"), None);
    }

    #[test]
    fn missing_titles_are_reported_for_every_record() {
        let file = SourceFile {
            name: "two.ris".into(),
            text: "TY  - JOUR\nPY  - 2020\nER  - \n\nTY  - JOUR\nAU  - Li, Wei\nER  - \n".into(),
        };
        let problems = parse(&file, ImportFormat::Ris).unwrap_err();
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            shown,
            [
                "two.ris:1:1: record has no title (no `TI` or `T1` tag)",
                "two.ris:5:1: record has no title (no `TI` or `T1` tag)"
            ]
        );
    }
}
