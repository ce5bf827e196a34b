//! The Chinese bibliographic data of BibTeX entries: which fields hold it
//! ([`CHINESE_FIELDS`]) and the BibTeX text the Chinese edition cites from
//! ([`chinese_bibtex`]).
//!
//! A BibTeX entry may carry `title-zh`, `author-zh` and `journal-zh` beside `title`,
//! `author` and `journal`; the Chinese edition reads a copy of the file in which those
//! values take the place of the English ones. The English edition reads the files exactly
//! as written.

/// BibTeX fields that hold an entry's Chinese bibliographic data, with the field each
/// one stands for in the Chinese edition.
pub const CHINESE_FIELDS: [(&str, &str); 3] = [
    ("title-zh", "title"),
    ("author-zh", "author"),
    ("journal-zh", "journal"),
];

/// A BibTeX text as the Chinese edition cites it: in every entry, the value of each
/// [`CHINESE_FIELDS`] field replaces the value of the field it stands for (or, when the
/// entry lacks that field, becomes it). Everything else stays byte for byte, so a text
/// without Chinese fields, or one the parser refuses, is returned unchanged.
pub fn chinese_bibtex(text: &str) -> String {
    let Ok(raw) = biblatex::RawBibliography::parse(text) else {
        return text.to_owned();
    };
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for entry in &raw.entries {
        let fields = &entry.v.fields;
        let find = |name: &str| fields.iter().find(|p| p.key.v.eq_ignore_ascii_case(name));
        for (zh, base) in CHINESE_FIELDS {
            let Some(chinese) = find(zh) else { continue };
            let Some(value) = text.get(chinese.value.span.clone()) else {
                continue;
            };
            match find(base) {
                Some(english) => edits.push((english.value.span.clone(), value.to_owned())),
                None => edits.push((chinese.key.span.clone(), base.to_owned())),
            }
        }
    }
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    let mut out = text.to_owned();
    for (range, replacement) in edits {
        out.replace_range(range, &replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENTRY: &str = "@article{zhao2024,\n  author = {Zhao, Jian and Wang, Yuepeng},\n  author-zh = {赵健 and 王岳鹏},\n  title = {Efficacy of {UC-MSC} infusion},\n  title-zh = {脐带间充质干细胞输注的疗效},\n  journal-zh = {解放军医学院学报},\n  year = {2024}\n}\n";

    #[test]
    fn chinese_fields_take_the_place_of_the_english_ones() {
        let zh = chinese_bibtex(ENTRY);
        let bib = biblatex::Bibliography::parse(&zh).expect("still BibTeX");
        let e = bib.get("zhao2024").unwrap();
        let field = |name: &str| {
            e.get(name)
                .map(biblatex::ChunksExt::format_verbatim)
                .unwrap_or_default()
        };
        assert_eq!(field("title"), "脐带间充质干细胞输注的疗效");
        assert_eq!(field("author"), "赵健 and 王岳鹏");
        // No English journal: the Chinese field becomes the journal.
        assert_eq!(field("journal"), "解放军医学院学报");
        assert_eq!(field("year"), "2024");
        // The citation formatter's reader (hayagriva) takes the result too.
        let library = hayagriva::io::from_biblatex_str(&zh).expect("hayagriva reads it");
        let entry = library.get("zhao2024").unwrap();
        assert_eq!(
            entry.title().map(|t| t.to_string()).as_deref(),
            Some("脐带间充质干细胞输注的疗效")
        );
    }

    #[test]
    fn texts_without_chinese_fields_are_served_as_written() {
        let plain = "@misc{a, title = {Plain}}\n% a comment\n";
        assert_eq!(chinese_bibtex(plain), plain);
        assert_eq!(chinese_bibtex("not bibtex {"), "not bibtex {");
    }
}
