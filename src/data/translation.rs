//! Curated prose in a second language, written where the English is: `notes-zh` beside
//! `notes`, `support-zh` beside `support`, `reason-zh` inside `{ rating = …, reason = … }`.
//!
//! A companion key is the key of a curated text with the language code appended. It holds a
//! string for a string and a list of the same length for a list. The loader takes the
//! companions out of the file before the typed parse (each is overwritten by spaces, so every
//! byte offset, and with it every `path:line:col`, stays as it was), and keeps them as a map
//! from the English text to its translation. The edition in that language prints the
//! translation where one exists and the English, marked, where none does; `evbrief check
//! --lang zh` lists the texts still untranslated (a translator's to-do list).

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Document, Item, Key, Value};

use crate::diagnostic::{Problem, SourceFile};

/// The suffix of a Chinese companion key (`notes-zh`).
pub const ZH_SUFFIX: &str = "-zh";

/// Keys whose values are curated prose a reader of another language needs translated: each
/// may have a companion, and `check --lang zh` lists those without one.
pub const PROSE_KEYS: [&str; 21] = [
    "population",
    "setting",
    "enrolment",
    "follow-up",
    "blinding",
    "notes",
    "note",
    "reason",
    "intervention",
    "characteristic",
    "text",
    "event",
    "applies-to",
    "support",
    "at",
    "comment",
    "source",
    "country",
    "unit",
    "reasons",
    "adjusted-for",
];

/// Keys that are names rather than prose: they may have a companion; a study's missing one
/// is listed only when the name holds lower-case words ("PKU Shenzhen case report", not
/// "Lian 2023"), an arm's like prose ("Placebo").
pub const NAME_KEYS: [&str; 1] = ["label"];

/// A curated text without a translation, for the translator's to-do list.
#[derive(Debug, Clone)]
pub struct Untranslated {
    /// Where it is (the value's span), with the file.
    pub at: Problem,
    /// The key it belongs to (`notes`).
    pub key: String,
}

/// Translations of curated texts into Chinese: English text → Chinese text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProseTranslations {
    zh: BTreeMap<String, String>,
}

impl ProseTranslations {
    /// The Chinese for `english`, when a curator wrote one.
    pub fn zh(&self, english: &str) -> Option<&str> {
        self.zh.get(english).map(String::as_str)
    }

    /// Number of translated texts.
    pub fn len(&self) -> usize {
        self.zh.len()
    }

    /// True when nothing is translated.
    pub fn is_empty(&self) -> bool {
        self.zh.is_empty()
    }

    /// Adds the translations of another file (the first translation of a text wins).
    pub fn extend(&mut self, other: ProseTranslations) {
        for (en, zh) in other.zh {
            self.zh.entry(en).or_insert(zh);
        }
    }
}

/// What [`split_companions`] found in one file.
#[derive(Debug, Clone, Default)]
pub struct Companions {
    /// The file's text with every companion overwritten by spaces (line breaks kept), for
    /// the typed parse; `None` when the file has no companion (parse the original).
    pub stripped: Option<String>,
    /// The translations found.
    pub translations: ProseTranslations,
    /// Curated texts without a companion.
    pub untranslated: Vec<Untranslated>,
}

/// Whether `text` may hold a companion key: it names [`ZH_SUFFIX`] somewhere, or it has a
/// backslash (a quoted key may spell the suffix with escapes). A file that cannot hold one
/// is parsed once, not twice: the second parse was half of loading a 1000-study project.
fn may_have_companions(text: &str) -> bool {
    text.contains(ZH_SUFFIX) || text.contains('\\')
}

/// [`split_companions`] for loading a project: only the companions and their problems, no
/// list of untranslated texts, and no parse at all of a file that cannot hold a companion
/// ([`may_have_companions`]).
pub fn take_companions(file: &SourceFile, problems: &mut Vec<Problem>) -> Companions {
    if may_have_companions(&file.text) {
        split_companions(file, Some(&[]), problems)
    } else {
        Companions::default()
    }
}

/// Takes the `-zh` companions out of `file`, reporting misplaced ones into `problems`.
/// A file that is not valid TOML is left to the typed parse, which reports the error.
/// `listed`: the top-level keys whose texts without a companion are listed as untranslated
/// (`None`: the whole file; `brief.toml` lists only `summary-of-findings`, its other texts
/// being translated in `[translations.zh]`).
pub fn split_companions<'f>(
    file: &'f SourceFile,
    listed: Option<&'f [&'f str]>,
    problems: &mut Vec<Problem>,
) -> Companions {
    let Ok(document) = Document::parse(file.text.as_ref()) else {
        return Companions::default();
    };
    let mut walk = Walk {
        file,
        blanks: Vec::new(),
        translations: ProseTranslations::default(),
        untranslated: Vec::new(),
        problems,
        listing: true,
        listed,
        depth: 0,
    };
    walk.table_like(entries(document.as_table()), false);
    let stripped = (!walk.blanks.is_empty()).then(|| blank(&file.text, &walk.blanks));
    Companions {
        stripped,
        translations: walk.translations,
        untranslated: walk.untranslated,
    }
}

/// A table's entries with their `Key`s (which carry the spans).
fn entries(table: &toml_edit::Table) -> std::vec::IntoIter<(&Key, &Item)> {
    table
        .iter()
        .filter_map(|(k, _)| table.get_key_value(k))
        .collect::<Vec<_>>()
        .into_iter()
}

struct Walk<'f, 'p> {
    file: &'f SourceFile,
    blanks: Vec<Range<usize>>,
    translations: ProseTranslations,
    untranslated: Vec<Untranslated>,
    problems: &'p mut Vec<Problem>,
    /// Whether texts without a companion are listed here.
    listing: bool,
    /// The top-level keys whose texts are listed (`None`: all).
    listed: Option<&'f [&'f str]>,
    /// How deep in tables the walk is (0: the file's top level).
    depth: usize,
}

/// A value as a table key sees it: a string, a list of strings, or neither.
enum Text<'a> {
    One(&'a str, Range<usize>),
    Many(Vec<(&'a str, Range<usize>)>),
    Other,
}

fn text_of(item: &Item) -> Text<'_> {
    match item.as_value() {
        Some(Value::String(s)) => Text::One(s.value(), s.span().unwrap_or(0..0)),
        Some(Value::Array(a)) => {
            let mut all = Vec::new();
            for v in a.iter() {
                match v {
                    Value::String(s) => all.push((s.value().as_str(), s.span().unwrap_or(0..0))),
                    _ => return Text::Other,
                }
            }
            Text::Many(all)
        }
        _ => Text::Other,
    }
}

impl Walk<'_, '_> {
    /// Visits one table (`inline`: an inline table, whose entries are separated by commas).
    fn table_like<'a>(&mut self, entries: impl Iterator<Item = (&'a Key, &'a Item)>, inline: bool) {
        let entries: Vec<(&Key, &Item)> = entries.collect();
        let has = |name: &str| entries.iter().any(|(k, _)| k.get() == name);
        let top = self.depth == 0;
        self.depth += 1;
        for (key, item) in &entries {
            let name = key.get();
            if top {
                self.listing = self.listed.is_none_or(|keys| keys.contains(&name));
            }
            if let Some(base) = name.strip_suffix(ZH_SUFFIX) {
                let start = key.span().map_or(0, |s| s.start);
                let end = item.span().map_or(start, |s| s.end);
                self.blanks.push(if inline {
                    with_separator(&self.file.text, start..end)
                } else {
                    start..end
                });
                if !PROSE_KEYS.contains(&base) && !NAME_KEYS.contains(&base) {
                    self.problem(
                        start..end,
                        format!(
                            "`{name}`: `{base}` is not a curated text that can be translated \
                             (translatable: {}, {})",
                            NAME_KEYS.join(", "),
                            PROSE_KEYS.join(", ")
                        ),
                    );
                } else if !has(base) {
                    self.problem(
                        start..end,
                        format!("`{name}` translates `{base}`, which is not in this table"),
                    );
                } else if let Some((_, english)) = entries.iter().find(|(k, _)| k.get() == base) {
                    self.pair(name, base, english, item, start..end);
                }
                continue;
            }
            self.descend(item);
            // A study's own label is a name ("Lian 2023"); an arm's label is words
            // ("Placebo", "Standard care") a reader needs translated.
            let label = NAME_KEYS.contains(&name) && top;
            let prose = PROSE_KEYS.contains(&name) || (NAME_KEYS.contains(&name) && !top);
            if self.listing && (prose || label) && !has(&format!("{name}{ZH_SUFFIX}")) {
                let texts = match text_of(item) {
                    Text::One(s, span) => vec![(s, span)],
                    Text::Many(all) => all,
                    Text::Other => Vec::new(),
                };
                for (text, span) in texts {
                    if needs_translation(text, label) {
                        self.untranslated.push(Untranslated {
                            at: Problem::new(
                                self.file,
                                span,
                                format!("`{name}` has no `{name}{ZH_SUFFIX}` translation"),
                            ),
                            key: name.to_string(),
                        });
                    }
                }
            }
        }
        self.depth -= 1;
    }

    fn descend(&mut self, item: &Item) {
        match item {
            Item::Table(t) => self.table_like(entries(t), false),
            Item::ArrayOfTables(a) => {
                for t in a.iter() {
                    self.table_like(entries(t), false);
                }
            }
            Item::Value(v) => self.value(v),
            Item::None => {}
        }
    }

    fn value(&mut self, v: &Value) {
        match v {
            Value::InlineTable(t) => {
                let entries = t.iter().filter_map(|(k, _)| t.get_key_value(k));
                self.table_like(entries.collect::<Vec<_>>().into_iter(), true);
            }
            Value::Array(a) => {
                for v in a.iter() {
                    self.value(v);
                }
            }
            _ => {}
        }
    }

    /// Records the translation of `english` by `companion`, or says why they do not match.
    fn pair(&mut self, name: &str, base: &str, english: &Item, companion: &Item, at: Range<usize>) {
        match (text_of(english), text_of(companion)) {
            (Text::One(en, _), Text::One(zh, _)) => {
                self.translations.zh.entry(en.to_string()).or_insert_with(|| zh.to_string());
            }
            (Text::Many(en), Text::Many(zh)) if en.len() == zh.len() => {
                for ((en, _), (zh, _)) in en.into_iter().zip(zh) {
                    self.translations.zh.entry(en.to_string()).or_insert_with(|| zh.to_string());
                }
            }
            (Text::Many(en), Text::Many(zh)) => self.problem(
                at,
                format!(
                    "`{name}` has {} texts but `{base}` has {}: give one translation per text, in the same order",
                    zh.len(),
                    en.len()
                ),
            ),
            _ => self.problem(
                at,
                format!("`{name}` must be of the same kind as `{base}` (a text, or a list of texts)"),
            ),
        }
    }

    fn problem(&mut self, span: Range<usize>, message: String) {
        self.problems.push(Problem::new(self.file, span, message));
    }
}

/// True when `text` holds ordinary words a reader of another language needs translated:
/// see [`super::localise::has_words`]. For names
/// (`label`), only when a word is wholly lower case ("Standard care", but not "Lian 2023").
fn needs_translation(text: &str, name: bool) -> bool {
    if name {
        text.split(|c: char| !c.is_ascii_alphabetic())
            .any(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase()))
    } else {
        super::localise::has_words(text)
    }
}

/// Widens a companion inside an inline table to the comma that separates it from its
/// neighbour (before it, or after it when it is the first entry), so the table stays valid.
fn with_separator(text: &str, range: Range<usize>) -> Range<usize> {
    let before = text[..range.start].trim_end();
    if before.ends_with(',') {
        return before.len() - 1..range.end;
    }
    let after = &text[range.end..];
    let trimmed = after.trim_start();
    if trimmed.starts_with(',') {
        let comma = range.end + (after.len() - trimmed.len());
        return range.start..comma + 1;
    }
    range
}

/// `text` with every range overwritten by spaces; line breaks stay, so lines and columns
/// of everything else are unchanged.
fn blank(text: &str, ranges: &[Range<usize>]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for r in ranges {
        for b in &mut bytes[r.clone()] {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Multi-byte characters inside a range became spaces byte by byte: still valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> SourceFile {
        SourceFile {
            name: "data/studies/a.toml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn companions_are_taken_out_and_offsets_kept() {
        let text = "notes = [\"One.\", \"Two.\"]\nnotes-zh = [\"一。\", \"二。\"]\nlabel = \"Lian 2023\"\n\n[[arms]]\nid = \"a\"\nintervention = \"Saline\"\nintervention-zh = \"生理盐水\"\nsource = { report = \"r\", at = \"Abstract, Methods\", at-zh = \"摘要，方法\" }\n";
        let mut problems = Vec::new();
        let c = split_companions(&file(text), None, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        let stripped = c.stripped.unwrap();
        assert_eq!(stripped.len(), text.len());
        assert_eq!(stripped.lines().count(), text.lines().count());
        assert!(!stripped.contains("-zh") && !stripped.contains("生理"));
        let parsed: toml::Table = toml::from_str(&stripped).unwrap();
        assert_eq!(
            parsed["arms"][0]["source"]["at"].as_str(),
            Some("Abstract, Methods")
        );
        assert_eq!(c.translations.zh("Two."), Some("二。"));
        assert_eq!(c.translations.zh("Saline"), Some("生理盐水"));
        assert_eq!(c.translations.zh("Abstract, Methods"), Some("摘要，方法"));
        assert!(c.untranslated.is_empty(), "{:?}", c.untranslated);
        // The label is a name: no translation needed.
        assert_eq!(c.translations.len(), 4);
    }

    #[test]
    fn first_entry_of_an_inline_table_takes_its_comma() {
        let text = "source = { at-zh = \"摘要\", at = \"Abstract\", report = \"r\" }\n";
        let mut problems = Vec::new();
        let c = split_companions(&file(text), None, &mut problems);
        let parsed: toml::Table = toml::from_str(&c.stripped.unwrap()).unwrap();
        assert_eq!(parsed["source"]["report"].as_str(), Some("r"));
        assert_eq!(c.translations.zh("Abstract"), Some("摘要"));
    }

    #[test]
    fn untranslated_prose_is_listed_with_its_place() {
        let text = "population = \"Adults with T2DM\"\nlabel = \"Standard care\"\nnotes = [\"T2DM\", \"Open label.\"]\n[[arms]]\nlabel = \"Placebo\"\n";
        let mut problems = Vec::new();
        let c = split_companions(&file(text), None, &mut problems);
        let listed: Vec<_> = c
            .untranslated
            .iter()
            .map(|u| (u.key.as_str(), u.at.file.line_col(u.at.span.start)))
            .collect();
        assert_eq!(
            listed,
            [
                ("population", (1, 14)),
                ("label", (2, 9)),
                ("notes", (3, 18)),
                ("label", (5, 9)),
            ]
        );
        assert!(c.stripped.is_none());
    }

    #[test]
    fn only_the_listed_top_level_keys_are_listed() {
        let text = "title = \"Some title\"\n[[summary-of-findings]]\ncomment = \"A comment.\"\n[[outcomes]]\nlabel = \"fasting glucose\"\n";
        let mut problems = Vec::new();
        let c = split_companions(&file(text), Some(&["summary-of-findings"]), &mut problems);
        let keys: Vec<_> = c.untranslated.iter().map(|u| u.key.as_str()).collect();
        assert_eq!(keys, ["comment"]);
    }

    #[test]
    fn misplaced_companions_are_problems() {
        let text =
            "id-zh = \"x\"\nid = \"a\"\nnote-zh = \"无\"\nnotes = [\"A.\"]\nnotes-zh = \"一\"\n";
        let mut problems = Vec::new();
        split_companions(&file(text), None, &mut problems);
        let messages: Vec<_> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(messages[0].contains("`id` is not a curated text"));
        assert!(messages[1].contains("which is not in this table"));
        assert!(messages[2].contains("same kind"));
    }

    #[test]
    fn lists_must_have_one_translation_per_text() {
        let text = "notes = [\"A.\", \"B.\"]\nnotes-zh = [\"甲。\"]\n";
        let mut problems = Vec::new();
        split_companions(&file(text), None, &mut problems);
        assert!(
            problems[0]
                .message
                .contains("has 1 texts but `notes` has 2")
        );
    }

    #[test]
    fn only_a_file_that_names_the_suffix_or_escapes_is_parsed_for_companions() {
        assert!(!may_have_companions(
            "population = \"Adults\"\nnotes = [\"a\"]\n"
        ));
        assert!(may_have_companions("population-zh = \"成人\"\n"));
        assert!(may_have_companions("\"population\\u002Dzh\" = \"成人\"\n"));
        let mut problems = Vec::new();
        let plain = take_companions(&file("population = \"Adults\"\n"), &mut problems);
        assert!(plain.stripped.is_none() && plain.untranslated.is_empty());
        // Load takes the companions but lists nothing: that is `Project::untranslated`'s.
        let both = "population = \"Adults\"\npopulation-zh = \"成人\"\ncountry = \"China\"\n";
        let taken = take_companions(&file(both), &mut problems);
        assert_eq!(taken.translations.zh("Adults"), Some("成人"));
        assert!(taken.untranslated.is_empty() && problems.is_empty());
        assert_eq!(
            split_companions(&file(both), None, &mut problems)
                .untranslated
                .len(),
            1
        );
    }
}
