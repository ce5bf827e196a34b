//! Issue 26: absolute effects that keep their interval, and printed p-values checked
//! against the printed data, on the bundled brief (`check`, `build`, en and zh).

mod common;
use common::*;

/// The PDF's text without whitespace (pdftotext spaces CJK and table cells unevenly).
fn compact(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn check_warns_about_p_values_the_printed_data_do_not_give() {
    let dir = project(None);
    let out = evbrief(&["check", "-p", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains(": P =")).collect();
    assert_eq!(warnings.len(), 2, "{err}");
    // week 9: P = 0.007 against a t-test p of about 0.12, located at the printed value
    assert!(
        warnings[0].starts_with("data/studies/zang-plagh-rct.toml:"),
        "{}",
        warnings[0]
    );
    assert!(warnings[0].contains("P = 0.007"), "{}", warnings[0]);
    assert!(warnings[0].contains("p = 0.121"), "{}", warnings[0]);
    assert!(
        warnings[0].contains("printed below 0.05, recomputed above"),
        "{}",
        warnings[0]
    );
    // week 20: the Chinese 0.002 is flagged, the English 0.008 supported
    assert!(warnings[1].contains("P = 0.002"), "{}", warnings[1]);
    assert!(
        warnings[1].contains("the data support P = 0.008"),
        "{}",
        warnings[1]
    );
    // -q prints errors only
    let quiet = evbrief(&["check", "-q", "-p", dir.path().to_str().unwrap()]);
    assert!(quiet.status.success());
    assert!(!stderr(&quiet).contains("warning"), "{}", stderr(&quiet));
}

#[test]
fn the_brief_shows_newcombe_intervals_caps_and_p_value_flags_in_english_and_chinese() {
    let dir = project(None);
    let p = dir.path().to_str().unwrap();
    let out = evbrief(&["build", "-p", p]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("warning: fpg at week 9: P = 0.007"),
        "{}",
        stderr(&out)
    );
    let text = compact(&pdf_flow_text(&dir.path().join("output/brief.pdf")).expect("pdftotext"));
    for needle in [
        // insulin independence 3/27 vs 0/26 and transient fever 4/24 vs 0/10
        "111moreper1000(from37fewerto281more)",
        "167moreper1000(from128fewerto359",
        // the HbA1c < 7.0% row's upper limit is a cap
        "Theupperlimitcappedatariskof1000per1000",
        // the flags, with both numbers and the test
        "P=0.007",
        "doesnotfollowfromtheprinted",
        "Student’st-testgivesP=0.121",
        "ThedatasupportP=0.008",
        "‡",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
    assert!(!text.contains("from0to281more"));

    let out = evbrief(&["build", "-q", "-p", p, "--lang", "zh"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = compact(&pdf_flow_text(&dir.path().join("output/brief.zh.pdf")).expect("pdftotext"));
    for needle in [
        "少37例",
        "少128例",
        "上限截断于每1000人1000例",
        "与原文印出的均数、标准差和例数不符",
        "数据支持P=0.008",
    ] {
        assert!(text.contains(needle), "missing {needle}");
    }
}
