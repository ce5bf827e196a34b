//! Where records filed into the inbox come from, and the provenance comment each inbox
//! file starts with: an export file (`evbrief import`) or a saved search (`evbrief
//! search`), whose line `% Search: NAME (SOURCE), run YYYY-MM-DD` the search log and
//! screening read back.

/// The origin of records being filed into the inbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// An export file, by its name as given.
    File(String),
    /// A saved search of `brief.toml`.
    Search {
        /// The search's `name`.
        name: String,
        /// Its source (`pubmed`, `europepmc`, `crossref`, `clinicaltrials`).
        source: String,
        /// The day it ran, YYYY-MM-DD.
        run: String,
    },
}

impl Origin {
    /// The `%` comment block written before a record's BibTeX entry, ending in a newline;
    /// `line` is where the record starts in an export file.
    pub fn header(&self, today: &str, line: Option<usize>) -> String {
        match self {
            Origin::File(name) => format!(
                "% Imported by evbrief on {today} from {name}{}; awaiting assessment.\n",
                line.map(|l| format!(", line {l}")).unwrap_or_default()
            ),
            Origin::Search { name, source, run } => format!(
                "% Imported by evbrief on {today} from the saved search `{name}`; awaiting assessment.\n{}\n",
                search_line(name, source, run)
            ),
        }
    }

    /// Where an earlier record of the same run is, for "same DOI as `x` in …" messages.
    pub fn place(&self, line: Option<usize>) -> String {
        match self {
            Origin::File(name) => format!(
                "this import ({name}{})",
                line.map(|l| format!(", line {l}")).unwrap_or_default()
            ),
            Origin::Search { name, .. } => format!("this run of the search `{name}`"),
        }
    }
}

/// The provenance line naming a saved search: `% Search: NAME (SOURCE), run YYYY-MM-DD`.
pub fn search_line(name: &str, source: &str, run: &str) -> String {
    format!("% Search: {name} ({source}), run {run}")
}

/// The search named in an inbox file's leading `%` comment block: name, source and run
/// date, when the record came from a saved search.
pub fn search_of(text: &str) -> Option<(String, String, String)> {
    text.lines()
        .take_while(|l| l.starts_with('%'))
        .find_map(|l| {
            let rest = l.strip_prefix("% Search: ")?;
            let (name, rest) = rest.split_once(" (")?;
            let (source, run) = rest.split_once("), run ")?;
            Some((name.to_owned(), source.to_owned(), run.trim().to_owned()))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_header_names_the_search_and_reads_back() {
        let origin = Origin::Search {
            name: "pubmed-ucmsc".into(),
            source: "pubmed".into(),
            run: "2026-12-04".into(),
        };
        let header = origin.header("2026-12-04", None);
        assert_eq!(
            header,
            "% Imported by evbrief on 2026-12-04 from the saved search `pubmed-ucmsc`; awaiting assessment.\n% Search: pubmed-ucmsc (pubmed), run 2026-12-04\n"
        );
        assert_eq!(
            search_of(&format!(
                "{header}@article{{a,\n}}\n% Search: x (y), run z\n"
            )),
            Some(("pubmed-ucmsc".into(), "pubmed".into(), "2026-12-04".into()))
        );
        assert_eq!(
            Origin::File("export.ris".into()).header("2026-12-04", Some(7)),
            "% Imported by evbrief on 2026-12-04 from export.ris, line 7; awaiting assessment.\n"
        );
        assert_eq!(search_of("@article{a,}\n"), None);
    }
}
