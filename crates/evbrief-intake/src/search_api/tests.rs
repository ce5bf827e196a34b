//! Harvests driven by answer bodies shaped as each API documents them.

use super::*;
use crate::record::RecordKind;

fn spec(api: Api) -> SearchSpec {
    SearchSpec {
        api,
        query: "umbilical cord AND diabetes".into(),
        from: Some(Day {
            year: 2026,
            month: 11,
            day: 24,
        }),
        to: Day {
            year: 2026,
            month: 12,
            day: 4,
        },
        contact: Some("curator@example.org".into()),
        api_key: None,
        max_records: 10_000,
    }
}

/// Runs a harvest answering each request with the next body; returns the requests sent.
fn drive(harvest: &mut Harvest, bodies: &[&str]) -> Result<Vec<Request>, ApiError> {
    let mut sent = Vec::new();
    for body in bodies {
        let request = harvest.next_request().expect("a request for every body");
        sent.push(request);
        harvest.accept(body)?;
    }
    assert!(harvest.is_done(), "no request after the last body");
    Ok(sent)
}

const ESEARCH_1: &str = r#"{"header":{"type":"esearch","version":"0.3"},"esearchresult":{"count":"3","retmax":"2","retstart":"0","idlist":["39100001","39100002"],"translationset":[],"querytranslation":"umbilical[All Fields] AND diabetes[All Fields]"}}"#;
const ESEARCH_2: &str = r#"{"header":{"type":"esearch","version":"0.3"},"esearchresult":{"count":"3","retmax":"1","retstart":"2","idlist":["39100003"]}}"#;
const EFETCH: &str = "\nPMID- 39100001\nOWN - NLM\nSTAT- Publisher\nDP  - 2026 Nov 30\nTI  - Umbilical cord mesenchymal stem cells in type 2 diabetes: a randomised trial.\nAB  - Background: twelve months of follow-up.\nFAU - Wang, Li\nAU  - Wang L\nJT  - Stem Cell Research & Therapy\nLID - 10.1186/s13287-026-0001-1 [doi]\n\nPMID- 39100002\nDP  - 2026\nTI  - Islet function after UC-MSC infusion.\nAU  - Chen X\nJT  - Diabetes Care\n\nPMID- 39100003\nDP  - 2026 Dec\nAU  - Nobody N\n";

#[test]
fn pubmed_pages_esearch_then_fetches_medline() {
    let mut h = Harvest::new(spec(Api::Pubmed));
    let sent = drive(&mut h, &[ESEARCH_1, ESEARCH_2, EFETCH]).unwrap();
    assert_eq!(sent[0].path, "/esearch.fcgi");
    assert_eq!(sent[0].param("term"), Some("umbilical cord AND diabetes"));
    assert_eq!(sent[0].param("datetype"), Some("edat"));
    assert_eq!(sent[0].param("mindate"), Some("2026/11/24"));
    assert_eq!(sent[0].param("maxdate"), Some("2026/12/04"));
    assert_eq!(sent[0].param("retmode"), Some("json"));
    assert_eq!(sent[0].param("tool"), Some("evbrief"));
    assert_eq!(sent[0].param("email"), Some("curator@example.org"));
    assert_eq!(sent[0].param("api_key"), None);
    assert_eq!(sent[1].param("retstart"), Some("2"));
    assert_eq!(sent[2].path, "/efetch.fcgi");
    assert_eq!(sent[2].param("id"), Some("39100001,39100002,39100003"));
    assert_eq!(sent[2].param("rettype"), Some("medline"));
    let done = h.finish();
    assert_eq!(done.untitled, 1, "39100003 has no title");
    let r = &done.records[0];
    assert_eq!(
        r.title,
        "Umbilical cord mesenchymal stem cells in type 2 diabetes: a randomised trial"
    );
    assert_eq!(r.pmid.as_deref(), Some("39100001"));
    assert_eq!(r.doi.as_deref(), Some("10.1186/s13287-026-0001-1"));
    assert_eq!(r.year, Some(2026));
    assert_eq!(done.records[1].authors[0].family, "Chen");
}

#[test]
fn pubmed_without_a_lower_bound_sends_no_dates_and_an_empty_result_ends_at_once() {
    let mut s = spec(Api::Pubmed);
    s.from = None;
    s.api_key = Some("KEY".into());
    let mut h = Harvest::new(s);
    let first = h.next_request().unwrap();
    assert_eq!(first.param("mindate"), None);
    assert_eq!(first.param("api_key"), Some("KEY"));
    h.accept(
        r#"{"header":{},"esearchresult":{"count":"0","retmax":"0","retstart":"0","idlist":[]}}"#,
    )
    .unwrap();
    assert!(h.is_done());
    assert!(h.finish().records.is_empty());
}

#[test]
fn pubmed_errors_and_nonsense_are_reported() {
    let mut h = Harvest::new(spec(Api::Pubmed));
    let e = h
        .accept(r#"{"esearchresult":{"ERROR":"Invalid query syntax"}}"#)
        .unwrap_err();
    assert_eq!(e.to_string(), "refused the search (Invalid query syntax)");
    let mut h = Harvest::new(spec(Api::Pubmed));
    let e = h.accept(r#"{"esearchresult":{"count":"2"}}"#).unwrap_err();
    assert_eq!(
        e.to_string(),
        "answered something unexpected (no `esearchresult.idlist` in the esearch answer)"
    );
    let mut h = Harvest::new(spec(Api::Pubmed));
    h.accept(ESEARCH_2.replace("\"3\"", "\"1\"").as_str())
        .unwrap();
    let e = h
        .accept("<html><body>Service unavailable</body></html>")
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("efetch answer line 1: not a MEDLINE line"),
        "{e}"
    );
}

#[test]
fn too_many_records_fail_before_anything_is_fetched() {
    let mut s = spec(Api::Pubmed);
    s.max_records = 2;
    let mut h = Harvest::new(s);
    let e = h.accept(ESEARCH_1).unwrap_err();
    assert_eq!(e, ApiError::TooMany { found: 3, limit: 2 });
}

const EPMC_1: &str = r#"{"version":"6.9","hitCount":3,"nextCursorMark":"AoIIP4AAACgxMjM0NTY3OA==","request":{"queryString":"diabetes","resultType":"core","cursorMark":"*","pageSize":1000,"sort":"","synonym":false},
"resultList":{"result":[
 {"id":"39100001","source":"MED","pmid":"39100001","pmcid":"PMC12000001","doi":"10.1186/s13287-026-0001-1","title":"Umbilical cord mesenchymal stem cells in type 2 diabetes: a randomised trial.","authorString":"Wang L, Chen X.","authorList":{"author":[{"fullName":"Wang L","firstName":"Li","lastName":"Wang","initials":"L"},{"collectiveName":"UC-MSC Study Group"}]},"journalInfo":{"issue":"4","volume":"17","journalIssueId":1,"dateOfPublication":"2026 Nov","monthOfPublication":11,"yearOfPublication":2026,"journal":{"title":"Stem cell research & therapy","medlineAbbreviation":"Stem Cell Res Ther","isoabbreviation":"Stem Cell Res Ther"}},"pubYear":"2026","pageInfo":"201-9","abstractText":"<h4>Background</h4>Cells <i>in vitro</i>.","language":"eng","keywordList":{"keyword":["Mesenchymal stem cells","Diabetes"]}},
 {"id":"PPR900001","source":"PPR","doi":"10.21203/rs.3.rs-900001/v1","title":"A preprint about islets","authorString":"Li Q, Zhou Y","pubYear":"2026"}
]}}"#;
const EPMC_2: &str = r#"{"version":"6.9","hitCount":3,"nextCursorMark":"AoIIP4AAACg5OTk5OTk5OQ==","request":{"cursorMark":"AoIIP4AAACgxMjM0NTY3OA=="},"resultList":{"result":[{"id":"39100009","source":"MED","pmid":"39100009","title":"Third record","authorString":"Zhao J.","pubYear":"2025"}]}}"#;

#[test]
fn europe_pmc_follows_the_cursor_and_reads_core_results() {
    let mut h = Harvest::new(spec(Api::Europepmc));
    let sent = drive(&mut h, &[EPMC_1, EPMC_2]).unwrap();
    assert_eq!(sent[0].path, "/search");
    assert_eq!(
        sent[0].param("query"),
        Some("(umbilical cord AND diabetes) AND (FIRST_IDATE:[2026-11-24 TO 2026-12-04])")
    );
    assert_eq!(sent[0].param("cursorMark"), Some("*"));
    assert_eq!(sent[0].param("resultType"), Some("core"));
    assert_eq!(sent[0].param("format"), Some("json"));
    assert_eq!(
        sent[1].param("cursorMark"),
        Some("AoIIP4AAACgxMjM0NTY3OA==")
    );
    assert_eq!(h.progress(), (3, Some(3)));
    let done = h.finish();
    let r = &done.records[0];
    assert_eq!(r.pmcid.as_deref(), Some("PMC12000001"));
    assert_eq!(r.pages.as_deref(), Some("201-209"));
    assert_eq!((r.year, r.month), (Some(2026), Some(11)));
    assert_eq!(r.journal.as_deref(), Some("Stem cell research & therapy"));
    assert_eq!(
        r.abstract_text.as_deref(),
        Some("Background Cells in vitro.")
    );
    assert_eq!(r.authors[0].given.as_deref(), Some("Li"));
    assert_eq!(r.authors[1].family, "UC-MSC Study Group");
    assert_eq!(r.language.as_deref(), Some("english"));
    let preprint = &done.records[1];
    assert_eq!(preprint.kind, RecordKind::Other);
    assert_eq!(preprint.authors[1].family, "Zhou");
    assert_eq!(done.records[2].authors[0].given.as_deref(), Some("J"));
}

#[test]
fn europe_pmc_stops_when_the_cursor_repeats_or_nothing_is_found() {
    let mut h = Harvest::new(spec(Api::Europepmc));
    h.accept(r#"{"hitCount":0,"nextCursorMark":"*","resultList":{"result":[]}}"#)
        .unwrap();
    assert!(h.is_done());
    let mut h = Harvest::new(spec(Api::Europepmc));
    h.accept(&EPMC_1.replace("\"hitCount\":3", "\"hitCount\":5"))
        .unwrap();
    let same = r#"{"hitCount":5,"nextCursorMark":"AoIIP4AAACgxMjM0NTY3OA==","resultList":{"result":[{"id":"1","title":"T","pubYear":"2026"}]}}"#;
    h.accept(same).unwrap();
    assert!(h.is_done(), "a repeated cursor ends the harvest");
}

const CROSSREF_1: &str = r#"{"status":"ok","message-type":"work-list","message-version":"1.0.0","message":{"facets":{},"next-cursor":"DnF1ZXJ5VGhlbkZldGNoBgAAAAAA","total-results":2,"items":[
 {"indexed":{"date-parts":[[2026,12,1]]},"publisher":"Springer Science and Business Media LLC","issue":"4","DOI":"10.1186/s13287-026-0001-1","type":"journal-article","page":"201-209","title":["Umbilical cord mesenchymal stem cells in type 2 diabetes: a randomised trial"],"volume":"17","author":[{"given":"Li","family":"Wang","sequence":"first","affiliation":[]},{"name":"UC-MSC Study Group","sequence":"additional","affiliation":[]}],"container-title":["Stem Cell Research &amp; Therapy"],"language":"en","issued":{"date-parts":[[2026,11,30]]},"abstract":"<jats:title>Abstract</jats:title><jats:p>Twelve months.</jats:p>","URL":"https://doi.org/10.1186/s13287-026-0001-1"},
 {"DOI":"10.1000/xyz","type":"posted-content","title":["A posted preprint"],"issued":{"date-parts":[[null]]},"created":{"date-parts":[[2026,11,2]]}}
],"items-per-page":500,"query":{"start-index":0,"search-terms":"umbilical cord"}}}"#;
const CROSSREF_END: &str = r#"{"status":"ok","message-type":"work-list","message":{"next-cursor":"DnF1ZXJ5VGhlbkZldGNoBgAAAAAA","total-results":2,"items":[],"items-per-page":500}}"#;

#[test]
fn crossref_follows_the_cursor_with_filter_and_mailto() {
    let mut h = Harvest::new(spec(Api::Crossref));
    let first = h.next_request().unwrap();
    assert_eq!(first.path, "/works");
    assert_eq!(
        first.param("filter"),
        Some("from-index-date:2026-11-24,until-index-date:2026-12-04")
    );
    assert_eq!(first.param("cursor"), Some("*"));
    assert_eq!(first.param("mailto"), Some("curator@example.org"));
    h.accept(CROSSREF_1).unwrap();
    assert!(h.is_done(), "all 2 of 2 read: no further page");
    let done = h.finish();
    let r = &done.records[0];
    assert_eq!(r.journal.as_deref(), Some("Stem Cell Research & Therapy"));
    assert_eq!(r.abstract_text.as_deref(), Some("Abstract Twelve months."));
    assert_eq!((r.year, r.month), (Some(2026), Some(11)));
    assert_eq!(r.authors[1].family, "UC-MSC Study Group");
    assert_eq!(done.records[1].kind, RecordKind::Other);
    assert_eq!(done.records[1].year, Some(2026), "from `created`");

    // Without a total, paging goes on until an empty page.
    let mut h = Harvest::new(spec(Api::Crossref));
    let no_total = CROSSREF_1.replace("\"total-results\":2,", "");
    let sent = drive(&mut h, &[&no_total, CROSSREF_END]).unwrap();
    assert_eq!(
        sent[1].param("cursor"),
        Some("DnF1ZXJ5VGhlbkZldGNoBgAAAAAA")
    );
}

#[test]
fn crossref_failures_are_named() {
    let mut h = Harvest::new(spec(Api::Crossref));
    let e = h
        .accept(r#"{"status":"failed","message-type":"validation-failure","message":[{"type":"filter-not-available","value":"x","message":"Filter x specified but there is no such filter"}]}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "refused the search (Filter x specified but there is no such filter)"
    );
    let mut h = Harvest::new(spec(Api::Crossref));
    assert!(matches!(
        h.accept(r#"{"status":"ok","message":{"total-results":1}}"#),
        Err(ApiError::Malformed(_))
    ));
}

const CTGOV_1: &str = r#"{"studies":[{"protocolSection":{"identificationModule":{"nctId":"NCT06000001","orgStudyIdInfo":{"id":"UCMSC-T2D"},"organization":{"fullName":"Example University Hospital","class":"OTHER"},"briefTitle":"UC-MSC Infusion in Type 2 Diabetes","officialTitle":"A Randomised Placebo-controlled Trial of Umbilical Cord MSC in Type 2 Diabetes"},"statusModule":{"overallStatus":"RECRUITING","studyFirstSubmitDate":"2026-11-20","studyFirstPostDateStruct":{"date":"2026-11-28","type":"ACTUAL"}},"sponsorCollaboratorsModule":{"leadSponsor":{"name":"Example University Hospital","class":"OTHER"}},"descriptionModule":{"briefSummary":"Twelve months of follow-up."},"conditionsModule":{"conditions":["Type 2 Diabetes"],"keywords":["mesenchymal stem cells"]}},"hasResults":false}],"nextPageToken":"NF0g5JOBlPUv","totalCount":2}"#;
const CTGOV_2: &str = r#"{"studies":[{"protocolSection":{"identificationModule":{"nctId":"NCT06000002","briefTitle":"MSC for Type 1 Diabetes"},"statusModule":{"studyFirstPostDateStruct":{"date":"2026-12"}}}}]}"#;

#[test]
fn clinicaltrials_pages_by_token_and_makes_online_records() {
    let mut h = Harvest::new(spec(Api::Clinicaltrials));
    let sent = drive(&mut h, &[CTGOV_1, CTGOV_2]).unwrap();
    assert_eq!(sent[0].path, "/studies");
    assert_eq!(
        sent[0].param("query.term"),
        Some("umbilical cord AND diabetes")
    );
    assert_eq!(
        sent[0].param("filter.advanced"),
        Some("AREA[StudyFirstPostDate]RANGE[2026-11-24,2026-12-04]")
    );
    assert_eq!(sent[0].param("pageToken"), None);
    assert_eq!(sent[1].param("pageToken"), Some("NF0g5JOBlPUv"));
    let done = h.finish();
    let r = &done.records[0];
    assert_eq!(r.kind, RecordKind::RegistryRecord);
    assert_eq!(r.title, "UC-MSC Infusion in Type 2 Diabetes");
    assert_eq!(
        r.url.as_deref(),
        Some("https://clinicaltrials.gov/study/NCT06000001")
    );
    assert_eq!(r.authors[0].family, "Example University Hospital");
    assert_eq!((r.year, r.month), (Some(2026), Some(11)));
    assert_eq!(r.journal.as_deref(), Some("ClinicalTrials.gov"));
    let bib = crate::to_bibtex(r, "nct06000001");
    assert!(bib.starts_with("@online{nct06000001,"), "{bib}");
    assert!(
        bib.contains("url          = {https://clinicaltrials.gov/study/NCT06000001}")
            || bib.contains("https://clinicaltrials.gov/study/NCT06000001")
    );
    assert_eq!(done.records[1].month, Some(12));
}

#[test]
fn clinicaltrials_without_a_lower_bound_and_nonsense() {
    let mut s = spec(Api::Clinicaltrials);
    s.from = None;
    let h = Harvest::new(s);
    assert_eq!(
        h.next_request().unwrap().param("filter.advanced"),
        Some("AREA[StudyFirstPostDate]RANGE[MIN,2026-12-04]")
    );
    let mut h = Harvest::new(spec(Api::Clinicaltrials));
    let e = h
        .accept(r#"{"studies":[{"protocolSection":{}}]}"#)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "answered something unexpected (`studies[0]` has no `protocolSection.identificationModule.nctId`)"
    );
    let mut h = Harvest::new(spec(Api::Clinicaltrials));
    h.accept(r#"{"studies":[],"totalCount":0}"#).unwrap();
    assert!(h.is_done());
}

#[test]
fn sources_have_names_bases_and_variables() {
    for api in Api::ALL {
        assert_eq!(Api::from_name(api.name()), Some(api));
        assert!(api.default_base().starts_with("https://"));
        assert!(api.endpoint_variable().starts_with("EVBRIEF_ENDPOINT_"));
    }
    assert!(Api::Clinicaltrials.is_register());
    assert!(!Api::Crossref.is_register());
}
