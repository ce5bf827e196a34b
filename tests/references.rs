//! Citations and reference lists as evbrief formats them (hayagriva, not Typst's `cite` and
//! `bibliography`): the bundled brief, handout and Chinese brief print the numbers and
//! entries they printed when Typst formatted them, with the two GB/T 7714 defects mended;
//! other styles keep their own shape.

use std::fs;

mod common;
use common::*;

/// The reference list of a PDF: its flow text after the last `heading`.
fn reference_list(pdf: &std::path::Path, heading: &str) -> String {
    let text = pdf_flow_text(pdf).expect("pdftotext (poppler-utils) is installed");
    let at = text.rfind(heading).expect("a reference list");
    let list = &text[at + heading.len()..];
    // Up to the footer of the last page.
    list.split(" evbrief 0.1.0 ")
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

/// The bundled brief's reference list, numbered by first citation, exactly as Typst's
/// `bibliography` with the shipped NLM style printed it.
const BRIEF_REFERENCES: &[&str] = &[
    "1. Chin SP, Kee LT, Mohd MA, Then KY. Umbilical Cord-Derived Mesenchymal Stem Cells Infusion in Type 2 Diabetes Mellitus Patients: A Retrospective Cytopeutics' Registry Study. Diabetes, Metabolic Syndrome and Obesity 2025;18:1643–1659. doi:10.2147/DMSO.S507801",
    "2. Lian X-F, Lu D-H, Liu H-L, Liu Y-J, Yang Y, Lin Y, et al. World J Clin Cases 2023;11(21):5083–5096. doi:10.12998/wjcc.v11.i21.5083",
    "3. 真实案例!间充质干细胞治疗 2 型糖尿病 1 例:实现血糖达标、药物减量与胰岛功能改善的三重获益!.",
    "4. Lu J, Shen S-M, Ling Q, Wang B, Li L-R, Zhang W, et al. One repeated transplantation of allogeneic umbilical cord mesenchymal stromal cells in type 1 diabetes: an open parallel controlled clinical study. Stem Cell Research & Therapy 2021. doi:10.1186/s13287-021-02417-3",
    "5. Zhao J, Wang Y, Hou Y, Ma W, Mu Y, Gu W. Efficacy of UC-MSC infusion in patients with coexisting type 2 diabetes mellitus and nonalcoholic fatty liver disease: A post hoc analysis of a prospective clinical trial. Academic Journal of Chinese PLA Medical School 2024;45(6):571–577, 583. doi:10.12435/j.issn.2095-5227.2024.071",
    "6. Carlsson P-O, Schwarcz E, Korsgren O, Le Blanc K. Preserved β-Cell Function in Type 1 Diabetes by Mesenchymal Stromal Cells. Diabetes 2015;64(2):587–592.",
    "7. Sterne JAC, Savović J, Page MJ, Elbers RG, Blencowe NS, Boutron I, et al. RoB 2: a revised tool for assessing risk of bias in randomised trials. BMJ 2019;366:l4898. doi:10.1136/bmj.l4898",
];

#[test]
fn the_bundled_brief_cites_and_lists_as_before() {
    let dir = project(None);
    build(dir.path(), &[]);
    let pdf = dir.path().join("output/brief.pdf");
    let flow = pdf_flow_text(&pdf).unwrap();
    // Every study row carries its number; a study's reports are cited together.
    for cited in [
        "Chin 2025 [1]",
        "Lian 2023 [2,3]",
        "Lian 2023 [2]",
        "Lu 2021 [4]",
        "Zhao 2024 [3,5]",
        "Zhao 2024 [5]",
    ] {
        assert!(flow.contains(cited), "no `{cited}`");
    }
    // The record awaiting assessment is cited in full, with its number.
    assert!(flow.contains(
        "(1 record). 6. Carlsson P-O, Schwarcz E, Korsgren O, Le Blanc K. Preserved β-Cell Function"
    ));
    // The methods' references follow, numbered on.
    assert!(
        flow.contains("Cochrane RoB 2 [7]; Risk of bias in non-randomised studies: ROBINS-I [8]")
    );
    let list = reference_list(&pdf, "14. References ");
    assert!(
        list.starts_with(&BRIEF_REFERENCES.join(" ")),
        "the reference list changed:\n{list}"
    );
    assert!(list.ends_with("17. Hanley JA, Lippman-Hand A. If nothing goes wrong, is everything all right? Interpreting zero numerators. JAMA 1983;249(13):1743– 1745. doi:10.1001/jama.1983.03330370053031"), "{list}");
}

#[test]
fn the_handout_numbers_its_own_citations_and_orders_the_qr_codes_so() {
    let dir = project(None);
    build(dir.path(), &["--format", "handout"]);
    let pdf = dir.path().join("output/handout.pdf");
    let flow = pdf_flow_text(&pdf).unwrap();
    // The handout cites the key forest plot's study first.
    assert!(flow.contains("Zhao 2024 [1,5]"), "{flow}");
    assert!(flow.contains("Lian 2023 [2,5]"));
    let list = reference_list(&pdf, "References ");
    assert!(
        list.starts_with("1. Zhao J, Wang Y, Hou Y, Ma W, Mu Y, Gu W. Efficacy of UC-MSC"),
        "{list}"
    );
    assert!(list.contains(
        "2. Lian X-F, Lu D-H, Liu H-L, Liu Y-J, Yang Y, Lin Y, et al. World J Clin Cases"
    ));
    assert!(list.contains("4. Chin SP, Kee LT, Mohd MA, Then KY."));
    // The QR codes in the order of the list, each with its number.
    assert!(
        list.contains("Scan for the paper (DOI) [1] [2] [3] [4]"),
        "{list}"
    );
}

#[test]
fn the_chinese_brief_says_et_al_for_english_entries_and_prints_no_empty_title() {
    let dir = project(None);
    build(dir.path(), &["--lang", "zh"]);
    let pdf = dir.path().join("output/brief.zh.pdf");
    let list = reference_list(&pdf, "参考文献 ");
    // English entries: "et al."; Chinese ones: "等".
    assert!(
        list.starts_with("[1] CHIN S P, KEE L T, MOHD M A, et al. Umbilical Cord-Derived"),
        "{list}"
    );
    assert!(list.contains("[5] 赵健, 王岳鹏, 侯禹, 等. 脐带间充质干细胞输注"));
    assert_eq!(list.matches("等.").count(), 1, "{list}");
    // An entry without a title: the authors, then the journal (no "[J/OL]" after nothing).
    assert!(
        list.contains(
            "[2] LIAN X F, LU D H, LIU H L, et al. World J Clin Cases, 2023, 11(21): 5083-5096."
        ),
        "{list}"
    );
    assert!(!list.contains(". [J"), "{list}");
    // Titled entries keep their document type.
    assert!(list.contains("in randomised trials[J/OL]. BMJ, 2019, 366:"));
}

#[test]
fn an_author_date_style_cites_names_and_years_and_hangs_its_list() {
    let dir = project(None);
    let toml = dir.path().join("brief.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let text = text.replacen(
        "language = \"en\"\n",
        "language = \"en\"\ncitation-style = \"apa\"\n",
        1,
    );
    fs::write(&toml, text).unwrap();
    build(dir.path(), &[]);
    let pdf = dir.path().join("output/brief.pdf");
    let flow = pdf_flow_text(&pdf).unwrap();
    assert!(flow.contains("Chin 2025 (Chin et al., 2025)"), "{flow}");
    let list = reference_list(&pdf, "References ");
    // APA sorts by author: Carlsson before Chin; no numbers.
    let carlsson = list.find("Carlsson, P.-O.").expect("Carlsson listed");
    let chin = list.find("Chin, S. P.").expect("Chin listed");
    assert!(carlsson < chin, "{list}");
    assert!(!list.starts_with("1."), "{list}");
    // The DOI is a link and prints as an address.
    let compact: String = list.split_whitespace().collect();
    assert!(
        compact.contains("https://doi.org/10.2147/DMSO.S507801"),
        "{list}"
    );
}

#[test]
fn a_note_style_is_refused_at_its_place_in_brief_toml() {
    let dir = project(None);
    let toml = dir.path().join("brief.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let text = text.replacen(
        "language = \"en\"\n",
        "language = \"en\"\ncitation-style = \"chicago-notes\"\n",
        1,
    );
    fs::write(&toml, text).unwrap();
    let out = evbrief(&["build", "-q", "-p", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with(
            "brief.toml:5:18: citation style `chicago-notes` is a note style (citations as footnotes)"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("output/brief.pdf").exists());
}
