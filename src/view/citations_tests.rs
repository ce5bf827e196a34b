//! Tests of the citation formatter: numbering, ranges, GB/T 7714 terms, links.

use std::sync::Arc;

use super::*;
use crate::i18n::Language;

const BIB: &str = r#"
@article{alpha,
  author = {Alpha, Ann and Beta, Bo and Gamma, Cy and Delta, Di},
  title = {First trial of something},
  journal = {Journal of Trials},
  year = {2020},
  volume = {1},
  pages = {1--9},
  doi = {10.1000/alpha}
}
@article{bravo,
  author = {Bravo, Ben},
  title = {Second trial},
  journal = {Journal of Trials},
  year = {2021}
}
@article{charlie,
  author = {Charlie, Cat},
  title = {Third trial},
  journal = {Journal of Trials},
  year = {2022}
}
@article{untitled,
  author = {Lian, Xiao and Lu, Dan and Liu, Hong and Liu, Yan},
  journal = {World J Clin Cases},
  year = {2023},
  volume = {11},
  pages = {5083--5096},
  doi = {10.12998/wjcc.v11.i21.5083}
}
@article{zhao,
  author = {赵健 and 王岳鹏 and 侯禹 and 马文},
  title = {脐带间充质干细胞输注的疗效},
  journal = {解放军医学院学报},
  year = {2024},
  doi = {10.12435/j.issn.2095-5227.2024.071}
}
"#;

fn library() -> hayagriva::Library {
    hayagriva::io::from_biblatex_str(BIB).expect("test BibTeX")
}

fn label(keys: &[&str]) -> CiteGroup {
    CiteGroup {
        keys: keys.iter().map(|k| (*k).to_owned()).collect(),
        form: CiteForm::Label,
    }
}

fn run(style: &IndependentStyle, locale: &str, groups: &[CiteGroup]) -> Formatted {
    let library = library();
    let lookup = |k: &str| library.get(k);
    format(
        &Request {
            entry: &lookup,
            style,
            locale,
            english_for_foreign: locale == "zh",
        },
        groups,
    )
}

fn nlm() -> Arc<IndependentStyle> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let project = crate::data::load_project(root).expect("bundled data validates");
    super::super::csl::document_style(&project, Language::En).unwrap()
}

fn gb() -> IndependentStyle {
    match hayagriva::archive::ArchivedStyle::by_name(super::super::csl::CHINESE_STYLE)
        .map(|s| s.get())
    {
        Some(hayagriva::citationberg::Style::Independent(s)) => s,
        _ => panic!("GB/T 7714 is in the archive"),
    }
}

fn labels(f: &Formatted) -> Vec<(String, String)> {
    f.labels
        .iter()
        .map(|(k, v)| (k.clone(), plain(v)))
        .collect()
}

#[test]
fn references_are_numbered_by_first_citation() {
    let f = run(
        &nlm(),
        "en",
        &[
            label(&["charlie"]),
            label(&["alpha", "bravo"]),
            label(&["charlie"]),
        ],
    );
    assert_eq!(
        labels(&f),
        vec![
            ("alpha,bravo".to_owned(), "[2,3]".to_owned()),
            ("charlie".to_owned(), "[1]".to_owned()),
        ]
    );
    let order: Vec<&str> = f.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(order, ["charlie", "alpha", "bravo"]);
    let prefixes: Vec<String> = f
        .entries
        .iter()
        .map(|e| {
            plain(e.prefix.as_deref().unwrap_or_default())
                .trim_end()
                .to_owned()
        })
        .collect();
    assert_eq!(prefixes, ["1.", "2.", "3."]);
    // Authors up to six, then "et al."; the DOI links to the resolver.
    let alpha = &f.entries[1];
    assert!(
        plain(&alpha.body).starts_with("Alpha A, Beta B, Gamma C, Delta D. First trial"),
        "{}",
        plain(&alpha.body)
    );
    assert!(
        alpha
            .body
            .iter()
            .any(|r| r.link.as_deref() == Some("https://doi.org/10.1000/alpha")),
        "{:?}",
        alpha.body
    );
}

#[test]
fn consecutive_numbers_cited_together_collapse_into_a_range() {
    let f = run(
        &nlm(),
        "en",
        &[
            label(&["alpha"]),
            label(&["bravo"]),
            label(&["charlie"]),
            label(&["alpha", "bravo", "charlie"]),
            label(&["charlie", "alpha"]),
        ],
    );
    let l = labels(&f);
    assert!(
        l.contains(&("alpha,bravo,charlie".into(), "[1–3]".into())),
        "{l:?}"
    );
    // The style sorts the numbers of a group.
    assert!(
        l.contains(&("charlie,alpha".into(), "[1,3]".into())),
        "{l:?}"
    );
}

#[test]
fn identical_groups_are_formatted_once_without_changing_anything() {
    let groups = [
        label(&["bravo"]),
        label(&["alpha", "bravo"]),
        label(&["charlie"]),
    ];
    let once = run(&nlm(), "en", &groups);
    let repeated: Vec<CiteGroup> = groups.iter().chain(groups.iter()).cloned().collect();
    assert_eq!(run(&nlm(), "en", &repeated), once);
}

#[test]
fn unknown_keys_are_left_out() {
    let f = run(
        &nlm(),
        "en",
        &[label(&["nowhere"]), label(&["bravo", "nowhere"])],
    );
    assert_eq!(f.entries.len(), 1);
    assert_eq!(plain(&f.labels["bravo,nowhere"]), "[1]");
    assert!(!f.labels.contains_key("nowhere"));
}

#[test]
fn gb_t_7714_says_et_al_for_english_entries_and_deng_for_chinese_ones() {
    let f = run(&gb(), "zh", &[label(&["alpha"]), label(&["zhao"])]);
    let alpha = plain(&f.entries[0].body);
    let zhao = plain(&f.entries[1].body);
    assert!(alpha.contains("GAMMA C, et al."), "{alpha}");
    assert!(!alpha.contains('等'), "{alpha}");
    assert!(zhao.contains("侯禹, 等."), "{zhao}");
    // The English edition in GB/T 7714 keeps English terms throughout.
    let en = run(&gb(), "en", &[label(&["alpha"])]);
    assert!(plain(&en.entries[0].body).contains("et al."));
}

#[test]
fn an_entry_without_a_title_prints_no_document_type_code() {
    let f = run(&gb(), "zh", &[label(&["untitled"]), label(&["alpha"])]);
    let untitled = plain(&f.entries[0].body);
    assert!(
        untitled.starts_with("LIAN X, LU D, LIU H, et al. World J Clin Cases, 2023"),
        "{untitled}"
    );
    assert!(!untitled.contains("[J"), "{untitled}");
    // An entry with a title keeps its code.
    assert!(plain(&f.entries[1].body).contains("First trial of something[J/OL]"));
}

#[test]
fn a_full_citation_prints_the_whole_reference() {
    let f = run(
        &nlm(),
        "en",
        &[
            label(&["bravo"]),
            CiteGroup {
                keys: vec!["charlie".into()],
                form: CiteForm::Full,
            },
        ],
    );
    let full = plain(&f.full["charlie"]);
    assert!(full.contains("Charlie C. Third trial."), "{full}");
    // A record cited in full is listed and numbered too.
    assert_eq!(f.entries.len(), 2);
}

#[test]
fn the_type_code_finder_takes_codes_only() {
    assert_eq!(type_code_at("x. [J/OL]. y"), Some((3, 9)));
    assert_eq!(type_code_at("[EB/OL]"), Some((0, 7)));
    assert_eq!(type_code_at("[1] no code"), None);
    assert_eq!(type_code_at("[abc] [Z]."), Some((6, 9)));
    assert_eq!(type_code_at("no brackets"), None);
}
