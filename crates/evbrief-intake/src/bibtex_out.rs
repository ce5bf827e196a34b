//! Records written as BibTeX entries for `data/references.bib`: a citation key in
//! the curated file's style (`zhang2023`, `zhang2023b`) and an entry that parses with
//! `biblatex` and converts with hayagriva (which Typst uses) whatever the text holds.
//!
//! Escaping: `\ { } & % # $ _ ~ ^` in ordinary fields are written as TeX escapes or
//! commands, and a second hyphen in a row as `{-}` so `--` is not read as a dash;
//! `url` and `doi` are verbatim fields where only `\ { }` need escaping. Titles are
//! wrapped in a second pair of braces so styles do not change their case; names
//! kept whole (Chinese names, organisations) are wrapped so they are not split.

use deunicode::deunicode;

use super::record::{PersonName, Record, RecordKind};

/// Common two-character Chinese family names; other Chinese names written as one
/// string are taken to start with a one-character family name.
pub(crate) const COMPOUND_SURNAMES: [&str; 16] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "夏侯", "轩辕", "令狐", "端木",
];

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Whether a character is a Han ideograph or a Hangul syllable.
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4e00}'..='\u{9fff}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2ebef}'
        | '\u{ac00}'..='\u{d7af}')
}

/// The part of a name that goes into a key: the family name, or for a name kept
/// whole its family-name part (the first Han character or known compound surname)
/// or its first word (organisations).
fn key_surname(name: &PersonName) -> &str {
    let family = name.family.as_str();
    if name.given.is_some() {
        return family;
    }
    if family.chars().next().is_some_and(is_cjk) {
        if let Some(compound) = COMPOUND_SURNAMES.iter().find(|s| family.starts_with(**s)) {
            return compound;
        }
        let first = family.chars().next().map_or(0, char::len_utf8);
        return &family[..first];
    }
    family.split_whitespace().next().unwrap_or(family)
}

/// A citation key: the first author's family name transliterated to lower-case ASCII
/// (`张` → `zhang`, `Müller` → `muller`), then the year, then a letter `b`, `c`, …
/// when the plain key is already `taken`. `anon` stands for no author, `nd` for no
/// year. Keys contain only `a-z`, `0-9` and `-`.
pub fn citation_key(record: &Record, taken: &impl Fn(&str) -> bool) -> String {
    let name = record
        .authors
        .first()
        .map(|a| {
            deunicode(key_surname(a))
                .to_ascii_lowercase()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "anon".to_string());
    let year = record
        .year
        .map_or_else(|| "nd".to_string(), |y| y.unsigned_abs().to_string());
    let base = format!("{name}{year}");
    if !taken(&base) {
        return base;
    }
    for suffix in 'b'..='z' {
        let key = format!("{base}{suffix}");
        if !taken(&key) {
            return key;
        }
    }
    // Beyond `z`, number the keys; the bound keeps a `taken` that is always true
    // from looping forever.
    let mut n = 27u32;
    while n < 100_000 && taken(&format!("{base}-{n}")) {
        n += 1;
    }
    format!("{base}-{n}")
}

/// Escapes text for an ordinary (non-verbatim) BibTeX field.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev = ' ';
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '&' | '%' | '#' | '$' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '~' => out.push_str("\\textasciitilde{}"),
            '^' => out.push_str("\\textasciicircum{}"),
            '-' if prev == '-' => out.push_str("{-}"),
            _ if c.is_whitespace() => out.push(' '),
            _ => out.push(c),
        }
        prev = c;
    }
    out
}

/// Escapes text for a verbatim field (`url`, `doi`, `eprint`).
fn escape_verbatim(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '{' | '}') {
            out.push('\\');
        }
        if c.is_whitespace() {
            out.push_str("%20");
        } else {
            out.push(c);
        }
    }
    out
}

/// One author in BibTeX's `Family, Given` form; names kept whole, and family names
/// BibTeX would mis-split (containing a comma or the word `and`), are braced.
fn author(name: &PersonName) -> String {
    let awkward =
        |s: &str| s.contains(',') || s.split_whitespace().any(|w| w.eq_ignore_ascii_case("and"));
    let family = escape(&name.family);
    match &name.given {
        None => format!("{{{family}}}"),
        Some(given) => {
            let family = if awkward(&name.family) {
                format!("{{{family}}}")
            } else {
                family
            };
            let given = if awkward(given) {
                format!("{{{}}}", escape(given))
            } else {
                escape(given)
            };
            format!("{family}, {given}")
        }
    }
}

/// The entry type for a record kind.
fn entry_type(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::JournalArticle => "article",
        RecordKind::ConferencePaper => "inproceedings",
        RecordKind::Book => "book",
        RecordKind::BookChapter => "incollection",
        RecordKind::Thesis => "thesis",
        RecordKind::Report => "report",
        RecordKind::RegistryRecord | RecordKind::Web => "online",
        RecordKind::Other => "misc",
    }
}

/// A key made safe to write: characters BibTeX keys cannot hold become `-`.
fn safe_key(key: &str) -> String {
    let key: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if key.is_empty() { "anon".into() } else { key }
}

/// The record as a BibTeX entry under `key` (normally from [`citation_key`]), ending
/// in a newline. Field choice: `journal` for articles, `booktitle` for chapters and
/// conference papers, `organization` for web and registry records, `institution`
/// for theses and reports; the PMID as `eprint` with `eprinttype = {pubmed}` (what
/// hayagriva reads as a PMID); the original-language title as `titleaddon`.
pub fn to_bibtex(record: &Record, key: &str) -> String {
    let kind = record.kind;
    let container = match kind {
        RecordKind::JournalArticle => "journal",
        RecordKind::ConferencePaper | RecordKind::BookChapter => "booktitle",
        RecordKind::RegistryRecord | RecordKind::Web => "organization",
        RecordKind::Book | RecordKind::Thesis | RecordKind::Report => "series",
        RecordKind::Other => "howpublished",
    };
    let publisher = match kind {
        RecordKind::Thesis | RecordKind::Report => "institution",
        _ => "publisher",
    };
    let braced = |v: &str| format!("{{{}}}", escape(v));
    let verbatim = |v: &str| format!("{{{}}}", escape_verbatim(v));

    let mut fields: Vec<(&str, String)> = Vec::new();
    if !record.authors.is_empty() {
        let names: Vec<String> = record.authors.iter().map(author).collect();
        fields.push(("author", format!("{{{}}}", names.join(" and "))));
    }
    fields.push(("title", format!("{{{{{}}}}}", escape(&record.title))));
    let optional = [
        ("titleaddon", record.original_title.as_deref()),
        (container, record.journal.as_deref()),
    ];
    fields.extend(
        optional
            .iter()
            .filter_map(|(n, v)| Some((*n, braced((*v)?)))),
    );
    if let Some(year) = record.year {
        fields.push(("year", format!("{{{year}}}")));
        let month = record
            .month
            .and_then(|m| MONTHS.get(usize::from(m).wrapping_sub(1)));
        if let Some(month) = month {
            fields.push(("month", (*month).to_string()));
        }
    }
    let optional = [
        ("volume", record.volume.as_deref()),
        ("number", record.issue.as_deref()),
    ];
    fields.extend(
        optional
            .iter()
            .filter_map(|(n, v)| Some((*n, braced((*v)?)))),
    );
    if let Some(pages) = &record.pages {
        let pages = escape(pages).replace('-', "--");
        // hayagriva 0.10 reads "571--577, 583" as one range ending 577583; inner braces
        // keep a page list as written.
        let value = if pages.contains(',') {
            format!("{{{{{pages}}}}}")
        } else {
            format!("{{{pages}}}")
        };
        fields.push(("pages", value));
    }
    if let Some(p) = &record.publisher {
        fields.push((publisher, braced(p)));
    }
    if let Some(doi) = &record.doi {
        fields.push(("doi", verbatim(doi)));
    }
    if let Some(pmid) = &record.pmid {
        fields.push(("eprint", verbatim(pmid)));
        fields.push(("eprinttype", "{pubmed}".to_string()));
    }
    if let Some(pmcid) = &record.pmcid {
        fields.push(("pmcid", braced(pmcid)));
    }
    if let Some(url) = &record.url {
        fields.push(("url", verbatim(url)));
    }
    if let Some(lang) = &record.language {
        fields.push(("langid", braced(lang)));
    }
    if !record.keywords.is_empty() {
        fields.push(("keywords", braced(&record.keywords.join(", "))));
    }
    if let Some(a) = &record.abstract_text {
        fields.push(("abstract", braced(a)));
    }

    let width = fields.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
    let body: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("  {name:<width$} = {value}"))
        .collect();
    format!(
        "@{}{{{},\n{}\n}}\n",
        entry_type(kind),
        safe_key(key),
        body.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bibtex_in;
    use crate::diagnostic::SourceFile;

    fn record(authors: &[PersonName], year: Option<i32>) -> Record {
        let mut r = Record::empty(RecordKind::JournalArticle, 0..0);
        r.title = "T".into();
        r.authors = authors.to_vec();
        r.year = year;
        r
    }

    fn person(family: &str, given: &str) -> PersonName {
        PersonName {
            family: family.into(),
            given: Some(given.into()),
        }
    }

    #[test]
    fn keys_transliterate_the_first_family_name() {
        let none = |_: &str| false;
        let key = |names: &[PersonName], year| citation_key(&record(names, year), &none);
        assert_eq!(key(&[PersonName::whole("张帆")], Some(2023)), "zhang2023");
        assert_eq!(
            key(&[PersonName::whole("欧阳修")], Some(2020)),
            "ouyang2020"
        );
        assert_eq!(key(&[person("Müller", "Jörg")], Some(2021)), "muller2021");
        assert_eq!(
            key(&[person("van der Berg", "A")], Some(2019)),
            "vanderberg2019"
        );
        assert_eq!(key(&[person("O'Brien", "P")], None), "obriennd");
        assert_eq!(
            key(
                &[PersonName::whole("World Health Organization")],
                Some(2022)
            ),
            "world2022"
        );
        assert_eq!(key(&[], Some(2024)), "anon2024");
        assert_eq!(key(&[], None), "anonnd");
        assert_eq!(key(&[PersonName::whole("☺")], Some(2024)), "anon2024");
    }

    #[test]
    fn keys_take_letters_when_taken() {
        let r = record(&[PersonName::whole("张帆")], Some(2023));
        let taken = ["zhang2023", "zhang2023b"];
        assert_eq!(
            citation_key(&r, &|k: &str| taken.contains(&k)),
            "zhang2023c"
        );
        assert_eq!(citation_key(&r, &|k: &str| k == "zhang2023"), "zhang2023b");
        let all_letters = |k: &str| k.len() == "zhang2023b".len() || k == "zhang2023";
        assert_eq!(citation_key(&r, &all_letters), "zhang2023-27");
        let key = citation_key(&r, &|_: &str| true);
        assert_eq!(
            key, "zhang2023-100000",
            "a `taken` that is always true still ends"
        );
        assert!(
            key.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        );
    }

    #[test]
    fn specials_are_escaped_and_names_braced() {
        let mut r = record(
            &[
                person("Lian", "Xiao-Fen"),
                PersonName::whole("张帆"),
                person("Procter and Gamble", "X"),
            ],
            Some(2023),
        );
        r.title = r"50% of {odd} A&B_c #1 $5 ~x^2 a\b --- ok".into();
        r.month = Some(7);
        r.pages = Some("5083-5096".into());
        r.url = Some("https://example.org/a_b?x=1&y=%20#top".into());
        r.pmid = Some("37583848".into());
        let bib = to_bibtex(&r, "lian2023");
        assert_eq!(
            bib,
            "@article{lian2023,\n  \
             author     = {Lian, Xiao-Fen and {张帆} and {Procter and Gamble}, X},\n  \
             title      = {{50\\% of \\{odd\\} A\\&B\\_c \\#1 \\$5 \\textasciitilde{}x\\textasciicircum{}2 a\\textbackslash{}b -{-}{-} ok}},\n  \
             year       = {2023},\n  \
             month      = jul,\n  \
             pages      = {5083--5096},\n  \
             eprint     = {37583848},\n  \
             eprinttype = {pubmed},\n  \
             url        = {https://example.org/a_b?x=1&y=%20#top}\n}\n"
        );
        let file = SourceFile {
            name: "out.bib".into(),
            text: bib.into(),
        };
        let back = bibtex_in::read(&file).unwrap();
        assert_eq!(back[0].record.title, r.title);
        assert_eq!(back[0].record.authors, r.authors);
        assert_eq!(back[0].record.url, r.url);
    }

    #[test]
    fn page_lists_are_braced_so_hayagriva_keeps_them() {
        let mut r = record(&[person("Zhao", "Jian")], Some(2024));
        r.pages = Some("571-577, 583".into());
        let bib = to_bibtex(&r, "zhao2024");
        assert!(bib.contains("pages  = {{571--577, 583}}"), "{bib}");
        let file = SourceFile {
            name: "out.bib".into(),
            text: bib.clone().into(),
        };
        assert_eq!(
            bibtex_in::read(&file).unwrap()[0].record.pages.as_deref(),
            Some("571-577, 583")
        );
        let library = hayagriva::io::from_biblatex_str(&bib).unwrap();
        let pages = library.get("zhao2024").unwrap().page_range().unwrap();
        assert_eq!(pages.to_string(), "571-577, 583");
    }

    #[test]
    fn kinds_choose_entry_types_and_container_fields() {
        let mut r = record(&[], Some(2020));
        r.journal = Some("C".into());
        r.publisher = Some("P".into());
        let head = |r: &Record| {
            let bib = to_bibtex(r, "k");
            let first = bib.lines().next().unwrap_or_default().to_string();
            let container = bib
                .lines()
                .find(|l| l.trim_end().ends_with("= {C},"))
                .map(|l| l.split('=').next().unwrap_or_default().trim().to_string());
            let publisher = bib
                .lines()
                .find(|l| l.contains("= {P}"))
                .map(|l| l.split('=').next().unwrap_or_default().trim().to_string());
            (first, container, publisher)
        };
        let expect = [
            (
                RecordKind::JournalArticle,
                "@article{k,",
                "journal",
                "publisher",
            ),
            (
                RecordKind::ConferencePaper,
                "@inproceedings{k,",
                "booktitle",
                "publisher",
            ),
            (RecordKind::Book, "@book{k,", "series", "publisher"),
            (
                RecordKind::BookChapter,
                "@incollection{k,",
                "booktitle",
                "publisher",
            ),
            (RecordKind::Thesis, "@thesis{k,", "series", "institution"),
            (RecordKind::Report, "@report{k,", "series", "institution"),
            (
                RecordKind::RegistryRecord,
                "@online{k,",
                "organization",
                "publisher",
            ),
            (RecordKind::Web, "@online{k,", "organization", "publisher"),
            (RecordKind::Other, "@misc{k,", "howpublished", "publisher"),
        ];
        for (kind, first, container, publisher) in expect {
            r.kind = kind;
            assert_eq!(
                head(&r),
                (
                    first.to_string(),
                    Some(container.to_string()),
                    Some(publisher.to_string())
                ),
                "{kind:?}"
            );
        }
        assert!(to_bibtex(&r, "bad key{}").starts_with("@misc{bad-key--,"));
    }
}
