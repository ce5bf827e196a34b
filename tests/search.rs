//! `evbrief search` against a local HTTP server answering as PubMed E-utilities, Europe PMC,
//! Crossref and ClinicalTrials.gov do (bodies in tests/fixtures/search-api/, shaped after
//! each API's documentation): paging, 429 with Retry-After, a 500 then success, a
//! timeout, nonsense, an empty result, a source down while the others work.

mod common;
mod search_server;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use search_server::{Reply, Server, closed_port_base};

/// 2026-12-04 12:00 UTC: the day of every run unless a test says otherwise.
const TODAY: &str = "1796385600";

fn fixture(name: &str) -> String {
    fs::read_to_string(common::repo().join("tests/fixtures/search-api").join(name)).unwrap()
}

/// The bundled project with a contact and one saved search per source.
fn project() -> tempfile::TempDir {
    let dir = common::project(None);
    let brief = dir.path().join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap();
    let searches = r#"
[[searches]]
name = "pubmed-ucmsc"
source = "pubmed"
query = '"umbilical cord"[tiab] AND diabetes[tiab]'
since = 2026-01-01

[[searches]]
name = "epmc-ucmsc"
source = "europepmc"
query = '"umbilical cord" AND diabetes'

[[searches]]
name = "crossref-ucmsc"
source = "crossref"
query = "umbilical cord mesenchymal diabetes"

[[searches]]
name = "ctgov-ucmsc"
source = "clinicaltrials"
query = "umbilical cord AND diabetes"
"#;
    fs::write(
        &brief,
        format!("contact = \"curator@example.org\"\n{text}{searches}"),
    )
    .unwrap();
    dir
}

/// Scripts every source's normal answers.
fn script_all(server: &Server) {
    server.script(
        "/pubmed/esearch.fcgi",
        vec![
            Reply::ok(fixture("pubmed-esearch-1.json")),
            Reply::ok(fixture("pubmed-esearch-2.json")),
        ],
    );
    let medline = Reply::ok(fixture("pubmed-efetch.txt")).header("Content-Type", "text/plain");
    server.script("/pubmed/efetch.fcgi", vec![medline]);
    server.script(
        "/epmc/search",
        vec![
            Reply::ok(fixture("europepmc-1.json")),
            Reply::ok(fixture("europepmc-2.json")),
        ],
    );
    server.script("/crossref/works", vec![Reply::ok(fixture("crossref.json"))]);
    server.script(
        "/ctgov/studies",
        vec![
            Reply::ok(fixture("clinicaltrials-1.json")),
            Reply::ok(fixture("clinicaltrials-2.json")),
        ],
    );
}

/// `evbrief search -p DIR ARGS…` with the endpoints at `server` and fast retries.
fn search(dir: &Path, server: &Server, args: &[&str]) -> Output {
    search_with(dir, server, args, &[])
}

fn search_with(dir: &Path, server: &Server, args: &[&str], env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evbrief"));
    command
        .args(["search", "-p", dir.to_str().unwrap()])
        .args(args)
        .env("SOURCE_DATE_EPOCH", TODAY)
        .env("EVBRIEF_ENDPOINT_PUBMED", format!("{}/pubmed", server.base))
        .env(
            "EVBRIEF_ENDPOINT_EUROPEPMC",
            format!("{}/epmc", server.base),
        )
        .env(
            "EVBRIEF_ENDPOINT_CROSSREF",
            format!("{}/crossref", server.base),
        )
        .env(
            "EVBRIEF_ENDPOINT_CLINICALTRIALS",
            format!("{}/ctgov", server.base),
        )
        .env("EVBRIEF_SEARCH_TIMEOUT", "1")
        .env("EVBRIEF_SEARCH_BACKOFF", "0.05")
        .env("EVBRIEF_SEARCH_MAX_WAIT", "2")
        .env("EVBRIEF_SEARCH_RETRIES", "3")
        .env_remove("NCBI_API_KEY")
        .env_remove("EVBRIEF_CONTACT");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Every inbox file with its text, sorted by name.
fn inbox(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = fs::read_dir(dir.join("data/inbox"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    (
                        e.file_name().to_string_lossy().into_owned(),
                        fs::read_to_string(e.path()).unwrap(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn log_rows(dir: &Path) -> Vec<String> {
    fs::read_to_string(dir.join("data/search-log.csv"))
        .unwrap_or_default()
        .lines()
        .skip(1)
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_source_files_its_new_records_and_logs_its_run() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    // Europe PMC first asks us to wait, Crossref fails once, ClinicalTrials.gov answers
    // too late once: each is retried and succeeds.
    server.script(
        "/epmc/search",
        vec![
            Reply::status(429).header("Retry-After", "1"),
            Reply::ok(fixture("europepmc-1.json")),
            Reply::ok(fixture("europepmc-2.json")),
        ],
    );
    server.script(
        "/crossref/works",
        vec![Reply::status(500), Reply::ok(fixture("crossref.json"))],
    );
    server.script(
        "/ctgov/studies",
        vec![
            Reply::ok(fixture("clinicaltrials-1.json")).delayed(Duration::from_millis(1500)),
            Reply::ok(fixture("clinicaltrials-1.json")),
            Reply::ok(fixture("clinicaltrials-2.json")),
        ],
    );
    let before = inbox(dir.path());
    let started = std::time::Instant::now();
    let out = search(dir.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    let text = stdout(&out);
    for line in [
        "pubmed-ucmsc (PubMed, 2026-01-01 to 2026-12-04): 3 found, 2 new, 1 already known",
        "epmc-ucmsc (Europe PMC, up to 2026-12-04): 3 found, 2 new, 1 already known",
        "crossref-ucmsc (Crossref, up to 2026-12-04): 1 found, 1 new, 0 already known",
        "ctgov-ucmsc (ClinicalTrials.gov, up to 2026-12-04): 2 found, 2 new, 0 already known",
    ] {
        assert!(text.contains(line), "{line}\nnot in\n{text}");
    }

    // The requests, as each API documents them.
    let esearch = server.seen("/pubmed/esearch.fcgi");
    assert_eq!(esearch.len(), 2);
    assert_eq!(
        esearch[0].param("term"),
        Some("\"umbilical cord\"[tiab] AND diabetes[tiab]")
    );
    assert_eq!(esearch[0].param("mindate"), Some("2026/01/01"));
    assert_eq!(esearch[0].param("maxdate"), Some("2026/12/04"));
    assert_eq!(esearch[0].param("email"), Some("curator@example.org"));
    assert_eq!(esearch[0].param("tool"), Some("evbrief"));
    assert_eq!(esearch[1].param("retstart"), Some("2"));
    let efetch = server.seen("/pubmed/efetch.fcgi");
    assert_eq!(efetch[0].param("id"), Some("41200001,41200002,41200003"));
    let epmc = server.seen("/epmc/search");
    let cursors: Vec<_> = epmc.iter().map(|s| s.param("cursorMark")).collect();
    assert_eq!(
        cursors,
        [Some("*"), Some("*"), Some("AoIIP4AAACgxNDEyMDAwMDE=")]
    );
    assert_eq!(server.seen("/crossref/works").len(), 2, "500, then success");
    let crossref = &server.seen("/crossref/works")[1];
    assert_eq!(crossref.param("mailto"), Some("curator@example.org"));
    assert_eq!(
        crossref.param("filter"),
        Some("until-index-date:2026-12-04")
    );
    let ctgov = server.seen("/ctgov/studies");
    assert_eq!(ctgov.len(), 3, "a timeout, then two pages");
    assert_eq!(ctgov[2].param("pageToken"), Some("ZVNj7o2Elu8o3lpoWsSM"));

    // The inbox: seven new files, each naming its search.
    let after = inbox(dir.path());
    let new: Vec<_> = after.iter().filter(|f| !before.contains(f)).collect();
    assert_eq!(new.len(), 7, "{new:#?}");
    let qiu = new.iter().find(|(n, _)| n.starts_with("qiu2026")).unwrap();
    assert!(
        qiu.1.starts_with(
            "% Imported by evbrief on 2026-12-04 from the saved search `pubmed-ucmsc`; awaiting assessment.\n% Search: pubmed-ucmsc (pubmed), run 2026-12-04\n@article{"
        ),
        "{}",
        qiu.1
    );
    let trial = new
        .iter()
        .find(|(_, t)| t.contains("NCT07100001"))
        .expect("the registration");
    assert!(
        trial
            .1
            .contains("% Search: ctgov-ucmsc (clinicaltrials), run 2026-12-04")
    );
    assert!(trial.1.contains("@online{"), "{}", trial.1);
    assert!(
        trial
            .1
            .contains("https://clinicaltrials.gov/study/NCT07100001")
    );

    // The log: one row per source.
    let rows = log_rows(dir.path());
    assert_eq!(
        rows,
        [
            "2026-12-04,pubmed-ucmsc,pubmed,\"\"\"umbilical cord\"\"[tiab] AND diabetes[tiab]\",2026-01-01,2026-12-04,3,2,1",
            "2026-12-04,epmc-ucmsc,europepmc,\"\"\"umbilical cord\"\" AND diabetes\",,2026-12-04,3,2,1",
            "2026-12-04,crossref-ucmsc,crossref,umbilical cord mesenchymal diabetes,,2026-12-04,1,1,0",
            "2026-12-04,ctgov-ucmsc,clinicaltrials,umbilical cord AND diabetes,,2026-12-04,2,2,0",
        ]
    );
    // The project still builds with the new records awaiting assessment.
    let check = common::evbrief(&["check", "-q", "-p", dir.path().to_str().unwrap()]);
    assert!(check.status.success(), "{}", common::stderr(&check));
}

#[test]
fn a_second_run_finding_only_duplicates_changes_nothing_but_the_log() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    let first = search(dir.path(), &server, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", common::stderr(&first));
    let inbox_before = inbox(dir.path());
    server.clear_seen();
    script_all(&server);
    let second = search(dir.path(), &server, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", common::stderr(&second));
    assert_eq!(inbox(dir.path()), inbox_before, "nothing new filed");
    let rows = log_rows(dir.path());
    assert_eq!(rows.len(), 8);
    // The second run starts three days before the first one ended.
    assert_eq!(
        rows[4],
        "2026-12-04,pubmed-ucmsc,pubmed,\"\"\"umbilical cord\"\"[tiab] AND diabetes[tiab]\",2026-12-01,2026-12-04,3,0,3"
    );
    assert_eq!(
        rows[5],
        "2026-12-04,epmc-ucmsc,europepmc,\"(\"\"umbilical cord\"\" AND diabetes) AND (FIRST_IDATE:[2026-12-01 TO 2026-12-04])\",2026-12-01,2026-12-04,3,0,3"
    );
    assert!(
        rows[7].ends_with(",2026-12-01,2026-12-04,2,0,2"),
        "{}",
        rows[7]
    );
    assert_eq!(
        server.seen("/pubmed/esearch.fcgi")[0].param("mindate"),
        Some("2026/12/01")
    );
    assert!(stdout(&second).contains("3 found, 0 new, 3 already known"));
}

#[test]
fn a_source_that_is_down_writes_nothing_and_the_others_go_on() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    let down = closed_port_base();
    let out = search_with(
        dir.path(),
        &server,
        &[],
        &[("EVBRIEF_ENDPOINT_PUBMED", down.clone())],
    );
    assert_eq!(out.status.code(), Some(75), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(
        err.contains(&format!(
            "error: pubmed-ucmsc (PubMed) cannot reach {down}/esearch.fcgi ("
        )),
        "{err}"
    );
    assert!(err.contains("nothing of this search was written"), "{err}");
    let rows = log_rows(dir.path());
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(rows.iter().all(|r| !r.contains(",pubmed,")));
    assert!(
        inbox(dir.path())
            .iter()
            .all(|(_, t)| !t.contains("(pubmed)"))
    );
    assert!(stdout(&out).contains("ctgov-ucmsc (ClinicalTrials.gov, up to 2026-12-04): 2 found"));
}

#[test]
fn nonsense_errors_and_empty_results() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    server.script(
        "/crossref/works",
        vec![Reply::ok(
            "<html><body>Service temporarily down</body></html>",
        )],
    );
    server.script("/epmc/search", vec![Reply::status(503)]);
    server.script(
        "/ctgov/studies",
        vec![Reply::ok(r#"{"totalCount":0,"studies":[]}"#)],
    );
    let out = search(dir.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(75));
    let err = common::stderr(&out);
    assert!(
        err.contains("error: crossref-ucmsc (Crossref) answered something unexpected (expected Crossref works JSON, got `<html><body>Service temporarily down</bo`: "),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "error: epmc-ucmsc (Europe PMC) answered HTTP 503 to {}/epmc/search (4 attempts); nothing of this search was written",
            server.base
        )),
        "{err}"
    );
    assert_eq!(server.seen("/epmc/search").len(), 4, "1 + 3 retries");
    let rows = log_rows(dir.path());
    assert_eq!(rows.len(), 2, "pubmed and the empty ClinicalTrials.gov run");
    assert_eq!(
        rows[1],
        "2026-12-04,ctgov-ucmsc,clinicaltrials,umbilical cord AND diabetes,,2026-12-04,0,0,0"
    );
}

#[test]
fn a_dry_run_writes_nothing_and_one_search_runs_alone() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    let before = inbox(dir.path());
    let out = search(dir.path(), &server, &["--dry-run", "--name", "ctgov-ucmsc"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(stdout(&out).contains("2 found, 2 new, 0 already known (dry run: nothing written)"));
    assert!(stdout(&out).contains("  would add "));
    assert_eq!(inbox(dir.path()), before);
    assert!(!dir.path().join("data/search-log.csv").exists());
    assert!(server.seen("/pubmed").is_empty(), "only the search named");

    let out = search(dir.path(), &server, &["--name", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains(
            "error: no saved search `nope` in brief.toml (there are: pubmed-ucmsc, epmc-ucmsc, crossref-ucmsc, ctgov-ucmsc)"
        ),
        "{}",
        common::stderr(&out)
    );
}

#[test]
fn bad_searches_in_brief_toml_are_located_and_nothing_is_asked() {
    let dir = project();
    let brief = dir.path().join("brief.toml");
    let text = fs::read_to_string(&brief)
        .unwrap()
        .replace("source = \"crossref\"", "source = \"scopus\"")
        .replace("name = \"ctgov-ucmsc\"", "name = \"pubmed-ucmsc\"");
    fs::write(&brief, text).unwrap();
    let server = Server::start();
    script_all(&server);
    let out = search(dir.path(), &server, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.lines().any(|l| l.starts_with("brief.toml:")
            && l.contains("unknown variant `scopus`, expected one of `pubmed`, `europepmc`, `crossref`, `clinicaltrials`")),
        "{err}"
    );
    assert!(server.seen("/").is_empty());
}

/// `evbrief build --if-changed --search -p DIR` with the endpoints at `server`.
fn build_searching(dir: &Path, server: &Server, env: &[(&str, String)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evbrief"));
    command
        .args(["build", "--if-changed", "--search", "-p"])
        .arg(dir)
        .env("SOURCE_DATE_EPOCH", TODAY)
        .env("EVBRIEF_ENDPOINT_PUBMED", format!("{}/pubmed", server.base))
        .env(
            "EVBRIEF_ENDPOINT_EUROPEPMC",
            format!("{}/epmc", server.base),
        )
        .env(
            "EVBRIEF_ENDPOINT_CROSSREF",
            format!("{}/crossref", server.base),
        )
        .env(
            "EVBRIEF_ENDPOINT_CLINICALTRIALS",
            format!("{}/ctgov", server.base),
        )
        .env("EVBRIEF_SEARCH_TIMEOUT", "2")
        .env("EVBRIEF_SEARCH_BACKOFF", "0.05")
        .env("EVBRIEF_SEARCH_RETRIES", "1")
        .env_remove("NCBI_API_KEY")
        .env_remove("EVBRIEF_CONTACT");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

#[test]
fn build_if_changed_with_search_rebuilds_only_for_new_records() {
    let dir = project();
    let server = Server::start();
    script_all(&server);
    let first = build_searching(dir.path(), &server, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", common::stderr(&first));
    let text = stdout(&first);
    assert!(text.contains("ctgov-ucmsc (ClinicalTrials.gov, up to 2026-12-04): 2 found, 2 new"));
    assert!(text.contains("new edition "), "{text}");
    let pdf = dir.path().join("output/brief.pdf");
    let built = fs::read(&pdf).unwrap();
    let flow = common::pdf_flow_text(&pdf).expect("pdftotext");
    assert!(
        flow.contains("Stem Cell Educator Therapy in Type 1 Diabetes"),
        "the new registration is awaiting assessment in the brief"
    );

    // Only duplicates: the log grows, no new edition.
    script_all(&server);
    let second = build_searching(dir.path(), &server, &[]);
    assert_eq!(second.status.code(), Some(0), "{}", common::stderr(&second));
    assert!(
        stdout(&second).contains("up to date"),
        "{}",
        stdout(&second)
    );
    assert_eq!(log_rows(dir.path()).len(), 8);
    assert_eq!(fs::read(&pdf).unwrap(), built);

    // A source down: the others run, the PDF stays, exit 75.
    script_all(&server);
    let third = build_searching(
        dir.path(),
        &server,
        &[("EVBRIEF_ENDPOINT_CROSSREF", closed_port_base())],
    );
    assert_eq!(third.status.code(), Some(75), "{}", common::stderr(&third));
    assert!(common::stderr(&third).contains("error: crossref-ucmsc (Crossref) cannot reach"));
    assert!(stdout(&third).contains("up to date"), "{}", stdout(&third));
    assert_eq!(fs::read(&pdf).unwrap(), built);
    assert_eq!(log_rows(dir.path()).len(), 11);
}
