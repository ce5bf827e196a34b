//! `schedule --search` over four ticks against a local server answering as
//! ClinicalTrials.gov: new records arrive and the brief is rebuilt with them; a tick that
//! finds only duplicates changes nothing; a tick whose source fails keeps the last PDF; the
//! next tick recovers.

use std::cell::RefCell;
use std::fs;
use std::path::Path;
use std::time::Duration;

use chrono::TimeZone;

use super::*;
use crate::living::schedule::FakeClock;
use crate::living::testutil::fixture_project;
use crate::search::SearchSettings;
use crate::search::run::{SearchOptions, run_searches};
use crate::store::editions::Editions;

#[path = "../../tests/search_server/mod.rs"]
mod server;

use server::{Reply, Server};

fn study(nct: &str, title: &str) -> String {
    format!(
        r#"{{"protocolSection":{{"identificationModule":{{"nctId":"{nct}","briefTitle":"{title}","organization":{{"fullName":"Example Hospital"}}}},"statusModule":{{"studyFirstPostDateStruct":{{"date":"2025-02-01"}}}}}}}}"#
    )
}

fn page(studies: &[String]) -> Reply {
    Reply::ok(format!(
        r#"{{"totalCount":{},"studies":[{}]}}"#,
        studies.len(),
        studies.join(",")
    ))
}

/// Runs the project's saved searches against `server` on `now`'s day; records filed.
fn search(root: &Path, server: &Server, now: DateTime<Utc>, failures: &RefCell<usize>) -> usize {
    let config = crate::data::load_project(root).unwrap().config;
    let options = SearchOptions {
        only: None,
        dry_run: false,
        today: now.date_naive(),
        settings: SearchSettings {
            timeout: Duration::from_secs(2),
            retries: 1,
            backoff: Duration::from_millis(10),
            ..SearchSettings::default()
        },
        contact: None,
        endpoints: vec![(
            crate::intake::search_api::Api::Clinicaltrials,
            format!("{}/ctgov", server.base),
        )],
        ncbi_api_key: None,
    };
    let outcomes = run_searches(root, &config, &options, &mut |_| {}).unwrap();
    let mut added = 0;
    for o in outcomes {
        match o.result {
            Ok(done) => added += done.report.added.len(),
            Err(_) => *failures.borrow_mut() += 1,
        }
    }
    added
}

#[test]
fn scheduled_searches_rebuild_only_for_new_records_and_survive_a_failing_source() {
    let dir = fixture_project("valid/minimal");
    let root = dir.path();
    let brief = root.join("brief.toml");
    let text = fs::read_to_string(&brief).unwrap();
    fs::write(
        &brief,
        format!(
            "{text}\n[[searches]]\nname = \"trials\"\nsource = \"clinicaltrials\"\nquery = \"umbilical cord AND diabetes\"\n"
        ),
    )
    .unwrap();
    let server = Server::start();
    let first = study("NCT07100001", "Umbilical Cord MSC in Type 2 Diabetes");
    let second = study(
        "NCT07100002",
        "Stem Cell Educator Therapy in Type 1 Diabetes",
    );
    server.script("/ctgov/studies", vec![page(std::slice::from_ref(&first))]);

    let start = Utc.with_ymd_and_hms(2025, 3, 3, 7, 0, 0).unwrap();
    let config = BuildConfig::new(root, start.date_naive());
    let pdf = config.output.clone();
    // What the server answers at each tick is set while the clock "sleeps" towards it.
    let server_at = server.clone();
    let (one, both) = (
        page(std::slice::from_ref(&first)),
        page(&[first.clone(), second.clone()]),
    );
    let mut clock = FakeClock::new(start).on_sleep(move |now| match (now - start).num_days() {
        7 => server_at.script("/ctgov/studies", vec![one.clone()]),
        14 => server_at.script("/ctgov/studies", vec![Reply::status(503)]),
        21 => server_at.script("/ctgov/studies", vec![both.clone()]),
        _ => {}
    });
    let failures = RefCell::new(0);
    let seen = RefCell::new(Vec::new());
    let pdfs = RefCell::new(Vec::new());
    let schedule = Schedule::every("7d").unwrap();
    run_schedule_searching(
        &config,
        &schedule,
        &Utc,
        &mut clock,
        LockWait::NoWait,
        |now| search(root, &server, now, &failures),
        |now, tick| {
            let days = (now - start).num_days();
            let what = match &tick {
                Tick::Built(_) => "built".to_owned(),
                Tick::UpToDate(e) => format!("up to date {e}"),
                Tick::Failed(e) => format!("failed: {e}"),
            };
            seen.borrow_mut().push(format!("+{days}d {what}"));
            pdfs.borrow_mut().push(fs::read(&pdf).unwrap());
            if days >= 21 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
    );
    assert_eq!(
        seen.into_inner(),
        [
            "+0d built",
            "+7d up to date 2025-03-03",
            "+14d up to date 2025-03-03",
            "+21d built",
        ]
    );
    assert_eq!(failures.into_inner(), 1, "the source failed at +14d");
    let pdfs = pdfs.into_inner();
    assert_eq!(pdfs[0], pdfs[1], "only duplicates: the same PDF");
    assert_eq!(pdfs[1], pdfs[2], "a failed search keeps the last PDF");
    assert_ne!(pdfs[2], pdfs[3]);

    // The editions hold what the searches filed: one record, then two.
    let editions = Editions::in_output(&config.output_dir());
    let names: Vec<String> = editions
        .list()
        .unwrap()
        .iter()
        .map(|e| e.name.to_string())
        .collect();
    assert_eq!(names, ["2025-03-03", "2025-03-24"]);
    let (_, latest) = editions.latest().unwrap().edition.unwrap();
    let awaiting: Vec<&str> = latest.awaiting.iter().map(|a| a.key.as_str()).collect();
    assert_eq!(awaiting.len(), 2, "{awaiting:?}");
    assert!(
        latest
            .awaiting
            .iter()
            .all(|a| a.search.as_deref() == Some("trials")
                && a.source.as_deref() == Some("ClinicalTrials.gov")),
        "each record names the search that found it"
    );
    // Every finished run is logged, the failed one is not.
    let log = fs::read_to_string(root.join(SEARCH_LOG)).unwrap();
    let rows: Vec<&str> = log.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{log}");
    assert!(rows[0].ends_with(",,2025-03-03,1,1,0"), "{log}");
    assert!(rows[1].ends_with(",2025-02-28,2025-03-10,1,0,1"), "{log}");
    assert!(rows[2].starts_with("2025-03-24,trials,"), "{log}");
    assert!(rows[2].ends_with(",2025-03-07,2025-03-24,2,1,1"), "{log}");
}
