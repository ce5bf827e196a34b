//! The numbers of the PRISMA 2020 flow diagram, counted from the data, never typed in.
//!
//! Source: Page MJ, McKenzie JE, Bossuyt PM, et al. The PRISMA 2020 statement: an updated
//! guideline for reporting systematic reviews. BMJ 2021;372:n71 (Figure 1, the flow
//! diagram for new systematic reviews with searches of databases, registers and other
//! sources); PRISMA-S (Rethlefsen ML et al., Syst Rev 2021;10:39) for the search counts.
//!
//! - Identification, from the search log (`data/search-log.csv`): records found per
//!   database and per register (the sum of `found` over the runs of each source), and the
//!   duplicates removed before screening (the sum of `duplicates`). Records that reached
//!   the project without a search (hand imports, references added by hand) are "other
//!   methods".
//! - Screening, from where each record is now: the records screened are every record in
//!   the inbox, on the excluded shelf or cited as a report of an included study; those
//!   excluded on title and abstract are "records excluded", those still in the inbox are
//!   awaiting assessment (the living review's "studies awaiting classification").
//! - Eligibility: the reports assessed are those excluded after full text (counted per
//!   reason) plus the reports of included studies.
//! - Included: the studies in the brief and their distinct reports.
//!
//! So, by construction, screened = excluded + awaiting + assessed and
//! assessed = excluded after full text + reports of included studies.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::data::Project;
use crate::data::bibliography::Shelf;
use crate::data::excluded::Stage;
use crate::data::provenance::{Origin, comments_by_key};
use crate::data::search_log::SearchSource;

/// Records found in one source over all runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct SourceCount {
    /// The source.
    pub source: SearchSource,
    /// Records it returned, over all runs.
    pub records: u64,
}

/// Reports excluded after full text for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct ReasonCount {
    /// The reason as recorded.
    pub reason: String,
    /// Reports excluded for it.
    pub reports: u64,
}

/// Every number of the flow diagram (stored in each edition's record, so the next edition
/// can say what is new).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct PrismaCounts {
    /// Records identified per bibliographic database, in [`SearchSource::ALL`] order.
    pub databases: Vec<SourceCount>,
    /// Records identified per trial register.
    pub registers: Vec<SourceCount>,
    /// Records identified by other methods (hand imports, references added by hand).
    pub other_methods: u64,
    /// Duplicate records removed before screening (from the search log).
    pub duplicates: u64,
    /// Records screened.
    pub screened: u64,
    /// Records excluded on title and abstract.
    pub excluded_screening: u64,
    /// Records still awaiting assessment (the inbox).
    pub awaiting: u64,
    /// Reports assessed for eligibility (full text).
    pub assessed: u64,
    /// Reports excluded after full text, per reason (most frequent first, then by name).
    pub excluded_full_text: Vec<ReasonCount>,
    /// Studies included in the brief.
    pub studies: u64,
    /// Reports of included studies.
    pub reports: u64,
}

impl PrismaCounts {
    /// Records identified from databases, all sources together.
    pub fn databases_total(&self) -> u64 {
        self.databases.iter().map(|s| s.records).sum()
    }

    /// Records identified from registers, all sources together.
    pub fn registers_total(&self) -> u64 {
        self.registers.iter().map(|s| s.records).sum()
    }

    /// Reports excluded after full text, all reasons together.
    pub fn excluded_full_text_total(&self) -> u64 {
        self.excluded_full_text.iter().map(|r| r.reports).sum()
    }

    /// Reports excluded for `reason` (0 when none).
    pub fn excluded_for(&self, reason: &str) -> u64 {
        self.excluded_full_text
            .iter()
            .find(|r| r.reason == reason)
            .map_or(0, |r| r.reports)
    }
}

/// Counts the flow diagram's numbers for `project`.
pub fn prisma_counts(project: &Project) -> PrismaCounts {
    let mut found: BTreeMap<SearchSource, u64> = BTreeMap::new();
    let mut duplicates = 0;
    for run in &project.search_log {
        *found.entry(run.source).or_default() += run.found;
        duplicates += run.duplicates;
    }
    let per_kind = |register: bool| {
        SearchSource::ALL
            .into_iter()
            .filter(|s| s.is_register() == register)
            .filter_map(|s| {
                found
                    .get(&s)
                    .map(|&records| SourceCount { source: s, records })
            })
            .collect::<Vec<_>>()
    };

    // Where every record came from, by key, from the comments above its entry.
    let mut origins: BTreeMap<String, Origin> = BTreeMap::new();
    for f in &project.bibliography.files {
        for (key, comments) in comments_by_key(&f.file.text) {
            origins.insert(key, Origin::of(&comments));
        }
    }
    let from_search = |key: &str| matches!(origins.get(key), Some(Origin::Search(_)));

    let reports: BTreeSet<&str> = project
        .studies
        .iter()
        .flat_map(|s| s.study.reports.iter().map(|r| r.key.get_ref().as_str()))
        .collect();
    let inbox = project.bibliography.keys(Shelf::Inbox);
    let mut other_methods = 0;
    other_methods += reports.iter().filter(|k| !from_search(k)).count() as u64;
    other_methods += inbox.iter().filter(|k| !from_search(k)).count() as u64;
    other_methods += project
        .excluded
        .iter()
        .filter(|r| r.origin.search().is_none())
        .count() as u64;

    let excluded_screening = project
        .excluded
        .iter()
        .filter(|r| r.stage == Stage::TitleAbstract)
        .count() as u64;
    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for r in project
        .excluded
        .iter()
        .filter(|r| r.stage == Stage::FullText)
    {
        *reasons.entry(r.reason.as_str()).or_default() += 1;
    }
    let mut excluded_full_text: Vec<ReasonCount> = reasons
        .into_iter()
        .map(|(reason, reports)| ReasonCount {
            reason: reason.to_owned(),
            reports,
        })
        .collect();
    excluded_full_text.sort_by(|a, b| b.reports.cmp(&a.reports).then(a.reason.cmp(&b.reason)));
    let excluded_full = excluded_full_text.iter().map(|r| r.reports).sum::<u64>();
    let awaiting = inbox.len() as u64;
    let assessed = excluded_full + reports.len() as u64;
    PrismaCounts {
        databases: per_kind(false),
        registers: per_kind(true),
        other_methods,
        duplicates,
        screened: assessed + excluded_screening + awaiting,
        excluded_screening,
        awaiting,
        assessed,
        excluded_full_text,
        studies: project.studies.len() as u64,
        reports: reports.len() as u64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_brief_counts_its_records() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let project = crate::data::load_project(root).unwrap();
        let c = prisma_counts(&project);
        // No search log: everything came by other methods.
        assert_eq!(c.databases_total() + c.registers_total() + c.duplicates, 0);
        assert_eq!(c.awaiting, 1);
        assert_eq!(c.studies, project.studies.len() as u64);
        assert_eq!(c.screened, c.excluded_screening + c.awaiting + c.assessed);
        assert_eq!(c.assessed, c.excluded_full_text_total() + c.reports);
        assert_eq!(c.other_methods, c.screened);
    }
}
