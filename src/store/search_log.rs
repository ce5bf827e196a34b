//! Writing the search log (`data/search-log.csv`, read by [`crate::data::search_log`]):
//! runs are appended by rewriting the whole file atomically, so a reader (a build, a
//! scheduled tick) sees the log either before or after the run, never half a row.

use std::fs;
use std::io;
use std::path::Path;

use crate::data::search_log::{SEARCH_LOG, SearchRun, header_line};

use super::write_atomically;

/// Appends `runs` to the project's search log, creating it with its header when there is
/// none yet. Nothing is written when `runs` is empty.
pub fn append_search_runs(project_dir: &Path, runs: &[SearchRun]) -> io::Result<()> {
    if runs.is_empty() {
        return Ok(());
    }
    let path = project_dir.join(SEARCH_LOG);
    let mut text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == io::ErrorKind::NotFound => header_line(),
        Err(e) => return Err(e),
    };
    if text.is_empty() {
        text = header_line();
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    for run in runs {
        text.push_str(&run.to_csv_line());
    }
    write_atomically(&path, text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::search_log::{SearchSource, load_search_log};
    use chrono::NaiveDate;

    #[test]
    fn runs_are_appended_after_a_header_written_once() {
        let dir = tempfile::tempdir().unwrap();
        let day = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        let run = |source, found, new| SearchRun {
            date: day,
            search: "weekly".into(),
            source,
            query: "stem cells AND diabetes".into(),
            from: None,
            to: day,
            found,
            new,
            duplicates: found - new,
        };
        append_search_runs(dir.path(), &[]).unwrap();
        assert!(!dir.path().join(SEARCH_LOG).exists());
        append_search_runs(dir.path(), &[run(SearchSource::Pubmed, 5, 4)]).unwrap();
        append_search_runs(dir.path(), &[run(SearchSource::Clinicaltrials, 2, 0)]).unwrap();
        let text = fs::read_to_string(dir.path().join(SEARCH_LOG)).unwrap();
        assert_eq!(
            text,
            "date,search,source,query,from,to,found,new,duplicates\n\
             2026-12-04,weekly,pubmed,stem cells AND diabetes,,2026-12-04,5,4,1\n\
             2026-12-04,weekly,clinicaltrials,stem cells AND diabetes,,2026-12-04,2,0,2\n"
        );
        let mut problems = Vec::new();
        let runs = load_search_log(dir.path(), &mut problems);
        assert!(problems.is_empty());
        assert_eq!(runs.len(), 2);
    }
}
