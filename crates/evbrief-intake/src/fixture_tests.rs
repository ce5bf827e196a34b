//! Tests over the hand-written exports in `tests/fixtures/import/`: field mapping per
//! tool, identities across formats, broken files with their messages and lines, and
//! the round trip of every record through `to_bibtex`, `biblatex` and hayagriva.

use super::bibtex_in;
use super::*;
use crate::diagnostic::SourceFile;

fn fixture(name: &str, text: &str) -> SourceFile {
    SourceFile {
        name: name.into(),
        text: text.into(),
    }
}

macro_rules! load {
    ($name:literal) => {
        fixture(
            $name,
            include_str!(concat!("../../../tests/fixtures/import/", $name)),
        )
    };
}

/// Parses a fixture with the format detected from its name and content.
fn records(file: &SourceFile) -> Vec<Record> {
    let format = ImportFormat::detect(&file.name, &file.text);
    let format = format.unwrap_or_else(|| panic!("{}: format not detected", file.name));
    parse(file, format).unwrap_or_else(|problems| {
        let shown: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
        panic!("{}: {shown:#?}", file.name)
    })
}

/// `path:line:col: message` of every problem of a broken fixture.
fn problems(file: &SourceFile) -> Vec<String> {
    let format = ImportFormat::detect(&file.name, &file.text);
    let format = format.unwrap_or_else(|| panic!("{}: format not detected", file.name));
    match parse(file, format) {
        Ok(records) => panic!("{}: parsed {} records", file.name, records.len()),
        Err(problems) => problems.iter().map(|p| p.to_string()).collect(),
    }
}

fn person(family: &str, given: &str) -> PersonName {
    PersonName {
        family: family.into(),
        given: Some(given.into()),
    }
}

fn line_of(file: &SourceFile, record: &Record) -> usize {
    file.text[..record.span.start].matches('\n').count() + 1
}

/// The fields every export of the Lian 2023 fixture record must carry (the journal is
/// spelt as each source spells it).
fn assert_lian_2023(a: &Record, journal: &str) {
    assert_eq!(
        a.title,
        "Umbilical cord mesenchymal stem cell infusion for type 2 diabetes mellitus: A \
         randomized controlled trial"
    );
    assert_eq!(
        a.authors,
        [
            person("Lian", "Xiao-Fen"),
            person("Lu", "Dong-Hui"),
            person("Liu", "Hong-Li"),
            person("Zhang", "Fan")
        ]
    );
    assert_eq!((a.year, a.month), (Some(2023), Some(7)));
    assert_eq!(a.journal.as_deref(), Some(journal));
    assert_eq!(a.volume.as_deref(), Some("11"));
    assert_eq!(a.issue.as_deref(), Some("21"));
    assert_eq!(a.pages.as_deref(), Some("5083-5096"));
    assert_eq!(a.doi.as_deref(), Some("10.12998/wjcc.v11.i21.5083"));
}

#[test]
fn pubmed_nbib_maps_medline_tags() {
    let file = load!("pubmed.nbib");
    let r = records(&file);
    assert_eq!(r.len(), 3);

    let a = &r[0];
    assert_eq!(line_of(&file, a), 2);
    assert_eq!(a.kind, RecordKind::JournalArticle);
    assert_lian_2023(a, "World journal of clinical cases");
    assert_eq!(a.original_title, None);
    assert_eq!(a.pmid.as_deref(), Some("37583848"));
    assert_eq!(a.pmcid.as_deref(), Some("PMC10424032"));
    assert_eq!(a.language.as_deref(), Some("english"));
    assert_eq!(
        a.keywords,
        ["Mesenchymal stem cells", "Type 2 diabetes mellitus"]
    );
    let abstract_text = a.abstract_text.as_deref().unwrap_or_default();
    assert!(abstract_text.starts_with(
        "BACKGROUND: Umbilical cord mesenchymal stem cells (UC-MSCs) may improve glycaemic"
    ));
    assert!(abstract_text.ends_with(
        "HbA1c fell by 1.2% & insulin dose by 30%. CONCLUSION: UC-MSC infusion was safe."
    ));

    let b = &r[1];
    assert_eq!(
        b.title,
        "Efficacy of umbilical cord mesenchymal stem cell infusion in type 2 diabetes mellitus \
         with nonalcoholic fatty liver disease: a post hoc analysis",
        "PubMed's brackets around a translated title are removed"
    );
    assert_eq!(
        b.original_title.as_deref(),
        Some(
            "脐带间充质干细胞输注对2型糖尿病合并非酒精性脂肪性肝病患者的疗效评估:一项前瞻性临床试验的事后分析"
        )
    );
    assert_eq!(
        b.authors,
        [
            person("Zhao", "Jian"),
            person("Wang", "Yuepeng"),
            person("Gu", "Weijun")
        ]
    );
    assert_eq!(b.language.as_deref(), Some("chinese"));
    assert_eq!(
        b.pages.as_deref(),
        Some("571-577"),
        "MEDLINE's 571-7 written out"
    );
    assert_eq!((b.year, b.month), (Some(2024), Some(6)));
    assert_eq!(b.journal.as_deref(), Some("Zhonghua nei ke za zhi"));
    assert_eq!(b.pmcid, None);

    let c = &r[2];
    assert_eq!(
        c.authors,
        [
            person("Chin", "Sze Piaw"),
            person("Kee", "Li Ting"),
            PersonName::whole("WJ-MSC T2DM Study Group")
        ]
    );
    assert_eq!(
        c.doi.as_deref(),
        Some("10.1186/s13287-019-1474-8"),
        "from AID [doi], not [pii]"
    );
    assert_eq!((c.year, c.month), (Some(2019), Some(12)));
    assert_eq!(c.pages.as_deref(), Some("368"));
    assert_eq!(c.journal.as_deref(), Some("Stem cell research & therapy"));
}

#[test]
fn zotero_ris_maps_tags_with_crlf() {
    let file = load!("zotero.ris");
    assert!(file.text.contains("\r\n"));
    let r = records(&file);
    assert_eq!(r.len(), 2);
    let a = &r[0];
    assert_eq!(
        a.title,
        "One-year efficacy and safety of Wharton's jelly mesenchymal stem cells in type 2 \
         diabetes: a randomized & double-blind trial"
    );
    assert_eq!(
        a.authors,
        [
            person("Lu", "Jing"),
            person("Shen", "Shuai-Ming"),
            person("Ling", "Qing"),
            person("Müller", "Jörg")
        ]
    );
    assert_eq!(a.journal.as_deref(), Some("Stem Cell Research & Therapy"));
    assert_eq!((a.year, a.month), (Some(2021), Some(7)));
    assert_eq!(a.volume.as_deref(), Some("12"));
    assert_eq!(a.issue.as_deref(), Some("1"));
    assert_eq!(a.pages.as_deref(), Some("415"));
    assert_eq!(a.doi.as_deref(), Some("10.1186/s13287-021-02481-8"));
    assert_eq!(
        a.pmid.as_deref(),
        Some("34294123"),
        "AN of a record from PubMed"
    );
    assert_eq!(
        a.url.as_deref(),
        Some("https://doi.org/10.1186/s13287-021-02481-8")
    );
    assert_eq!(a.language.as_deref(), Some("english"));
    assert_eq!(
        a.keywords,
        [
            "Mesenchymal stem cells",
            "Type 2 diabetes",
            "Randomized controlled trial"
        ]
    );
    assert_eq!(line_of(&file, &r[1]), 27);

    let b = &r[1];
    assert_eq!(b.kind, RecordKind::BookChapter);
    assert_eq!(
        b.journal.as_deref(),
        Some("Stem Cell Therapy: Principles and Practice")
    );
    assert_eq!(
        b.authors,
        [
            person("Ricordi", "Camillo"),
            person("Fernández", "Ana María")
        ]
    );
    assert_eq!(b.pages.as_deref(), Some("123-145"));
    assert_eq!(
        b.publisher.as_deref(),
        Some("Springer International Publishing")
    );
    assert_eq!(b.doi.as_deref(), Some("10.1007/978-3-030-00000-0_7"));
    assert_eq!((b.year, b.month), (Some(2020), None));
}

#[test]
fn cnki_ris_keeps_chinese_names_and_splits_joined_authors() {
    let file = load!("cnki.ris");
    assert!(file.text.starts_with('\u{feff}'));
    let r = records(&file);
    assert_eq!(r.len(), 2);
    let a = &r[0];
    assert_eq!(a.span.start, 3, "after the byte order mark");
    let names: Vec<&str> = a.authors.iter().map(|p| p.family.as_str()).collect();
    assert_eq!(
        names,
        ["赵健", "王岳鹏", "侯禹", "马旺田", "母义明", "谷伟军"]
    );
    assert!(a.authors.iter().all(|p| p.given.is_none()));
    assert_eq!(
        a.title,
        "脐带间充质干细胞输注对2型糖尿病合并非酒精性脂肪性肝病患者的疗效评估:一项前瞻性临床试验的事后分析"
    );
    assert_eq!(a.journal.as_deref(), Some("解放军医学院学报"));
    assert_eq!((a.year, a.month), (Some(2024), None));
    assert_eq!(a.volume.as_deref(), Some("45"));
    assert_eq!(a.issue.as_deref(), Some("06"));
    assert_eq!(a.pages.as_deref(), Some("571-577, 583"));
    assert_eq!(
        a.keywords,
        ["间充质干细胞", "2型糖尿病", "非酒精性脂肪性肝病"]
    );
    assert_eq!(a.language.as_deref(), Some("chinese"));
    assert_eq!(a.doi.as_deref(), Some("10.12435/j.issn.2095-5227.2024.071"));
    assert!(
        a.abstract_text
            .as_deref()
            .unwrap_or_default()
            .starts_with("目的 评估")
    );

    let b = &r[1];
    assert_eq!(b.kind, RecordKind::Thesis);
    assert_eq!(b.authors, [PersonName::whole("张帆")]);
    assert_eq!(b.publisher.as_deref(), Some("中山大学"));
    assert_eq!(b.keywords, ["间充质干细胞", "2型糖尿病"]);
}

#[test]
fn registry_ris_recognises_trial_registrations() {
    let file = load!("registry.ris");
    let r = records(&file);
    let kinds: Vec<RecordKind> = r.iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        [
            RecordKind::RegistryRecord,
            RecordKind::RegistryRecord,
            RecordKind::Web
        ]
    );
    assert_eq!(
        r[0].authors,
        [PersonName::whole("Chinese PLA General Hospital")]
    );
    assert_eq!((r[0].year, r[0].month), (Some(2019), Some(12)));
    assert_eq!(
        r[0].url.as_deref(),
        Some("https://clinicaltrials.gov/study/NCT04216849")
    );
    assert_eq!(
        r[0].pmid, None,
        "an accession number outside PubMed is no PMID"
    );
}

#[test]
fn zotero_bib_resolves_latex_and_keeps_chinese_authors_whole() {
    let file = load!("zotero.bib");
    let entries = bibtex_in::read(&file).unwrap_or_default();
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["lu_one-year_2021", "zhang_umbilical_2023", "nct04216849"]
    );
    let r = records(&file);
    let a = &r[0];
    assert_eq!(line_of(&file, a), 2);
    assert_eq!(
        a.title,
        "One-year efficacy and safety of Wharton's jelly mesenchymal stem cells in type 2 \
         diabetes: a randomized & double-blind trial"
    );
    assert_eq!(a.authors[3], person("Müller", "Jörg"));
    assert_eq!(a.journal.as_deref(), Some("Stem Cell Research & Therapy"));
    assert_eq!((a.year, a.month), (Some(2021), Some(7)));
    assert_eq!(a.pmid.as_deref(), Some("34294123"));
    assert_eq!(a.language.as_deref(), Some("english"));
    assert_eq!(
        a.abstract_text.as_deref(),
        Some(
            "Background: Mesenchymal stem cells from Wharton's jelly (WJ-MSCs) may preserve \
             β-cell function. Results: HbA1c fell by 1.1% (95% CI 0.6 to 1.6)."
        )
    );
    assert_eq!(
        a.keywords,
        [
            "Mesenchymal stem cells",
            "Randomized controlled trial",
            "Type 2 diabetes"
        ]
    );

    let b = &r[1];
    assert_eq!(
        b.authors,
        [
            PersonName::whole("张帆"),
            person("Lian", "Xiao-Fen"),
            PersonName::whole("World Health Organization")
        ]
    );
    assert_eq!(
        b.original_title.as_deref(),
        Some("脐带间充质干细胞治疗2型糖尿病")
    );
    assert_eq!((b.year, b.month), (Some(2023), Some(7)));
    assert_eq!(
        b.journal.as_deref(),
        Some("World Journal of Clinical Cases")
    );
    assert_eq!(b.pmid.as_deref(), Some("37583848"));
    assert_eq!(b.pages.as_deref(), Some("5083-5096"));
    assert_eq!(b.language.as_deref(), Some("chinese"));

    let c = &r[2];
    assert_eq!(c.kind, RecordKind::RegistryRecord);
    assert_eq!(c.journal.as_deref(), Some("ClinicalTrials.gov"));
    assert_eq!(
        c.title,
        "Umbilical Cord Mesenchymal Stem Cells for Type 2 Diabetes Mellitus (UC-MSC-T2DM)"
    );
}

#[test]
fn crossref_json_single_item() {
    let file = load!("crossref.json");
    let r = records(&file);
    assert_eq!(r.len(), 1);
    let a = &r[0];
    assert_eq!(a.kind, RecordKind::JournalArticle);
    assert_lian_2023(a, "World Journal of Clinical Cases");
    assert_eq!(
        a.url.as_deref(),
        Some("http://dx.doi.org/10.12998/wjcc.v11.i21.5083")
    );
    assert_eq!(
        a.publisher.as_deref(),
        Some("Baishideng Publishing Group Inc.")
    );
    assert_eq!(a.language.as_deref(), Some("english"));
    assert_eq!(a.span, 0..file.text.trim_end().len());
}

#[test]
fn zotero_csl_json_array() {
    let file = load!("zotero-csl.json");
    let r = records(&file);
    assert_eq!(r.len(), 3);
    let a = &r[0];
    assert_eq!(
        (a.year, a.month),
        (Some(2021), Some(7)),
        "string year in date-parts"
    );
    assert_eq!(a.pmid.as_deref(), Some("34294123"));
    assert_eq!(a.pmcid.as_deref(), Some("PMC8296568"));
    assert_eq!(a.journal.as_deref(), Some("Stem Cell Research & Therapy"));
    assert_eq!(line_of(&file, a), 2);

    let b = &r[1];
    assert_eq!(
        b.title,
        "脐带间充质干细胞输注对2型糖尿病合并非酒精性脂肪性肝病患者的疗效评估:一项前瞻性临床试验的事后分析"
    );
    assert_eq!(
        b.authors,
        [PersonName::whole("赵健"), PersonName::whole("王岳鹏")]
    );
    assert_eq!(b.journal.as_deref(), Some("解放军医学院学报"));
    assert_eq!(b.doi.as_deref(), Some("10.12435/j.issn.2095-5227.2024.071"));
    assert_eq!((b.year, b.month), (Some(2024), Some(6)), "from `raw`");
    assert_eq!(b.language.as_deref(), Some("chinese"));
    assert_eq!(b.pages.as_deref(), Some("571-577, 583"));

    let c = &r[2];
    assert_eq!(c.kind, RecordKind::RegistryRecord);
    assert_eq!(c.publisher.as_deref(), Some("ClinicalTrials.gov"));
    assert_eq!((c.year, c.month), (Some(2019), Some(12)));
}

#[test]
fn the_same_work_is_recognised_across_formats() {
    let pubmed = records(&load!("pubmed.nbib"));
    let crossref = records(&load!("crossref.json"));
    let ris = records(&load!("zotero.ris"));
    let bib = records(&load!("zotero.bib"));
    let csl = records(&load!("zotero-csl.json"));
    let cnki = records(&load!("cnki.ris"));
    let registry = records(&load!("registry.ris"));
    let id = RecordIdentity::of;
    assert_eq!(
        id(&pubmed[0]).matches(&id(&crossref[0])),
        Some(MatchReason::Doi)
    );
    assert_eq!(id(&ris[0]).matches(&id(&bib[0])), Some(MatchReason::Doi));
    assert_eq!(id(&ris[0]).matches(&id(&csl[0])), Some(MatchReason::Doi));
    assert_eq!(id(&cnki[0]).matches(&id(&csl[1])), Some(MatchReason::Doi));
    assert_eq!(id(&pubmed[0]).matches(&id(&bib[1])), Some(MatchReason::Doi));
    assert_eq!(
        id(&registry[0]).matches(&id(&bib[2])),
        Some(MatchReason::Nct),
        "the same registration: the NCT id in both addresses"
    );
    assert_eq!(
        id(&pubmed[1]).matches(&id(&cnki[0])),
        None,
        "different DOIs"
    );
    assert_eq!(id(&cnki[0]).matches(&id(&cnki[1])), None);
}

#[test]
fn imports_are_checked_against_the_curated_bibliography() {
    let curated = fixture(
        "data/references.bib",
        include_str!("../../../data/references.bib"),
    );
    let library = hayagriva::io::from_biblatex_str(&curated.text).unwrap();
    let known: Vec<(String, RecordIdentity)> = library
        .iter()
        .map(|e| (e.key().to_owned(), RecordIdentity::of_entry(e)))
        .collect();
    let lian = known.iter().find(|(key, _)| key == "lian2023");
    let lian = lian.map(|(_, id)| id.clone()).unwrap_or_default();
    assert_eq!(lian.title_year, None, "the curated entry has no title");
    let pubmed = records(&load!("pubmed.nbib"));
    let same: Vec<(&str, MatchReason)> = known
        .iter()
        .filter_map(|(key, id)| Some((key.as_str(), RecordIdentity::of(&pubmed[0]).matches(id)?)))
        .collect();
    assert_eq!(same, [("lian2023", MatchReason::Doi)]);
}

#[test]
fn broken_ris_files_report_every_problem_with_its_line() {
    assert_eq!(
        problems(&load!("broken/ris-no-er.ris")),
        ["broken/ris-no-er.ris:7:1: record has no `ER  - ` end tag (the file ends first)"]
    );
    assert_eq!(
        problems(&load!("broken/ris-stray-line.ris")),
        [
            "broken/ris-stray-line.ris:4:1: not a RIS tag line (expected `XX  - value`; only \
             `AB`, `N1` and `N2` may continue on untagged lines)"
        ]
    );
    assert_eq!(
        problems(&load!("broken/no-title.ris")),
        ["broken/no-title.ris:6:1: record has no title (no `TI` or `T1` tag)"]
    );
}

#[test]
fn broken_nbib_files_report_every_problem_with_its_line() {
    assert_eq!(
        problems(&load!("broken/nbib-orphan-continuation.nbib")),
        [
            "broken/nbib-orphan-continuation.nbib:2:1: continuation line before any tag (a \
             record starts with a tag line such as `PMID- `)",
            "broken/nbib-orphan-continuation.nbib:10:1: not a MEDLINE line (expected `TAG - \
             value` or a continuation indented by six spaces)"
        ]
    );
    assert_eq!(
        problems(&load!("broken/no-title.nbib")),
        ["broken/no-title.nbib:5:1: record has no title (no `TI` tag)"]
    );
}

#[test]
fn broken_bibtex_files_report_their_problem_with_its_line() {
    assert_eq!(
        problems(&load!("broken/unclosed-brace.bib")),
        ["broken/unclosed-brace.bib:6:1: entry is not closed: a `{` in it has no matching `}`"]
    );
    assert_eq!(
        problems(&load!("broken/no-title.bib")),
        ["broken/no-title.bib:6:1: record has no title (no `title` field)"]
    );
    let untitled = bibtex_in::read(&load!("broken/no-title.bib")).unwrap_or_default();
    assert_eq!(
        untitled[1].record.doi.as_deref(),
        Some("10.1000/untitled"),
        "an untitled entry still has an identity"
    );
}

#[test]
fn broken_json_files_report_their_problem_with_its_line() {
    assert_eq!(
        problems(&load!("broken/trailing-comma.json")),
        ["broken/trailing-comma.json:6:3: invalid JSON: trailing comma"]
    );
    assert_eq!(
        problems(&load!("broken/no-title.json")),
        ["broken/no-title.json:7:3: record has no title (no `title`)"]
    );
}

/// Every record of every fixture survives `to_bibtex` → our BibTeX reader unchanged,
/// and hayagriva (Typst's bibliography library) reads the entry without error with
/// the same title, authors, DOI and PMID.
#[test]
fn every_fixture_record_round_trips_through_bibtex_and_hayagriva() {
    let files = [
        load!("pubmed.nbib"),
        load!("zotero.ris"),
        load!("cnki.ris"),
        load!("registry.ris"),
        load!("zotero.bib"),
        load!("crossref.json"),
        load!("zotero-csl.json"),
    ];
    let mut keys: Vec<String> = Vec::new();
    let mut count = 0;
    for file in &files {
        for record in records(file) {
            let key = citation_key(&record, &|k: &str| keys.iter().any(|t| t == k));
            keys.push(key.clone());
            let bib = to_bibtex(&record, &key);
            let out = fixture("out.bib", &bib);
            let back = bibtex_in::read(&out).unwrap_or_else(|p| panic!("{bib}\n{p:?}"));
            assert_eq!(back.len(), 1);
            let mut again = back[0].record.clone();
            again.span = record.span.clone();
            assert_eq!(again, record, "{}:\n{bib}", file.name);

            let library = hayagriva::io::from_biblatex_str(&bib)
                .unwrap_or_else(|e| panic!("{}: hayagriva: {e:?}\n{bib}", file.name));
            let entry = library
                .get(&key)
                .unwrap_or_else(|| panic!("{key} missing in hayagriva"));
            let title = entry.title().map(|t| t.value.to_str().into_owned());
            assert_eq!(title.as_deref(), Some(record.title.as_str()), "{bib}");
            let authors: Vec<PersonName> = entry
                .authors()
                .unwrap_or_default()
                .iter()
                .map(|p| PersonName {
                    family: p.name.clone(),
                    given: p.given_name.clone(),
                })
                .collect();
            assert_eq!(authors, record.authors, "{bib}");
            assert_eq!(entry.doi(), record.doi.as_deref(), "{bib}");
            assert_eq!(entry.pmid(), record.pmid.as_deref(), "{bib}");
            count += 1;
        }
    }
    assert_eq!(count, 17);
    assert_eq!(
        &keys[..6],
        [
            "lian2023",
            "zhao2024",
            "chin2019",
            "lu2021",
            "ricordi2020",
            "zhao2024b"
        ]
    );
    assert!(keys.contains(&"zhang2022".to_string()), "{keys:?}");
}

/// Found by the `import_*` fuzz targets: a NUL byte inside an RIS author and a `=` in a
/// CSL-JSON given name made the written BibTeX lose an author.
#[test]
fn names_with_control_characters_or_equals_signs_survive_the_inbox() {
    let ris = fixture(
        "x.ris",
        "TY  - JOUR\nTI  - A title\nAU  - Chi\u{0}ctr\u{2}l, Ann\nAU  - L=iz Wei\nER  - \n",
    );
    let csl = fixture(
        "x.json",
        r#"{"type": "article-journal", "title": "T", "author": [{"family": "Shen", "given": "Shuai=Ming"}]}"#,
    );
    for file in [ris, csl] {
        let format = ImportFormat::detect(&file.name, &file.text).unwrap();
        for record in parse(&file, format).unwrap() {
            assert!(
                record
                    .authors
                    .iter()
                    .all(|a| !a.family.contains(['=', '\u{0}'])
                        && a.given.as_deref().is_none_or(|g| !g.contains('='))),
                "{:?}",
                record.authors
            );
            let bib = to_bibtex(&record, "k");
            let back = bibtex_in::read(&fixture("k.bib", &bib)).unwrap();
            assert_eq!(back[0].record.authors, record.authors, "{bib}");
        }
    }
}

/// Found by the `import_csl_json` fuzz target: a five-digit year was imported, and the
/// inbox entry then stopped every build (hayagriva reads four-digit years only).
#[test]
fn a_year_that_is_not_four_digits_is_a_problem() {
    let csl = fixture(
        "x.json",
        r#"{"type": "webpage", "title": "A trial record", "issued": {"date-parts": [[22019, 12]]}}"#,
    );
    let shown: Vec<String> = parse(&csl, ImportFormat::CslJson)
        .unwrap_err()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(shown, ["x.json:1:1: year 22019 is not a four-digit year"]);
}
