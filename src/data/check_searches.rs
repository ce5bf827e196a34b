//! Checks of `[[searches]]` and `contact` in `brief.toml`: unique, plain names; a query;
//! `since` a date; a contact that looks like an e-mail address.

use std::collections::HashMap;

use crate::config::BriefConfig;
use crate::diagnostic::{Problem, SourceFile};

/// Queries longer than this are refused: a GET address must carry them.
pub const MAX_QUERY_CHARS: usize = 4000;

/// Pushes a located problem for every mistake in the saved searches and the contact.
pub(super) fn check_searches(config: &BriefConfig, file: &SourceFile, problems: &mut Vec<Problem>) {
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (i, search) in config.searches.iter().enumerate() {
        let s = search.get_ref();
        let name = s.name.get_ref();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            problems.push(Problem::new(
                file,
                s.name.span(),
                format!(
                    "search name `{name}` may hold only letters, digits, `-`, `_` and `.` (it names the search in the log and in the inbox)"
                ),
            ));
        }
        if let Some(first) = names.insert(name, i) {
            let (line, _) = file.line_col(config.searches[first].get_ref().name.span().start);
            problems.push(Problem::new(
                file,
                s.name.span(),
                format!("duplicate search name `{name}` (also at line {line})"),
            ));
        }
        let query = s.query.get_ref();
        if query.trim().is_empty() {
            problems.push(Problem::new(file, s.query.span(), "the query is empty"));
        } else if query.chars().count() > MAX_QUERY_CHARS {
            problems.push(Problem::new(
                file,
                s.query.span(),
                format!("the query is longer than {MAX_QUERY_CHARS} characters"),
            ));
        } else if query.contains(['\n', '\r']) {
            problems.push(Problem::new(
                file,
                s.query.span(),
                "the query spans several lines; write it on one line (the search log keeps one line per run)",
            ));
        }
        if let Some(since) = &s.since {
            let d = since.get_ref();
            if d.date.is_none() || d.time.is_some() || s.since_date().is_none() {
                problems.push(Problem::new(
                    file,
                    since.span(),
                    "since must be a date such as 2015-01-01",
                ));
            }
        }
    }
    if let Some(contact) = &config.contact {
        let c = contact.get_ref();
        let plausible = c.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
        }) && !c.contains(char::is_whitespace);
        if !plausible {
            problems.push(Problem::new(
                file,
                contact.span(),
                format!(
                    "contact `{c}` is not an e-mail address (PubMed and Crossref ask for one, e.g. curator@example.org)"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(extra: &str) -> Vec<String> {
        let text = format!(
            "title = \"T\"\nas-of = 2026-12-04\n{extra}\n[question]\npopulation = \"p\"\nintervention = \"i\"\ncomparison = \"c\"\noutcomes = \"o\"\n"
        );
        let config: BriefConfig = toml::from_str(&text).unwrap();
        let file = SourceFile {
            name: "brief.toml".into(),
            text: text.into(),
        };
        let mut found = Vec::new();
        check_searches(&config, &file, &mut found);
        found.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn good_searches_pass() {
        assert!(
            problems(
                "contact = \"curator@example.org\"\n[[searches]]\nname = \"pubmed-ucmsc\"\nsource = \"pubmed\"\nquery = 'diabetes[tiab]'\nsince = 2015-01-01\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn every_mistake_is_located() {
        let found = problems(
            "contact = \"curator at example\"\n[[searches]]\nname = \"a b\"\nsource = \"crossref\"\nquery = \" \"\nsince = 2015-01-01T10:00:00\n[[searches]]\nname = \"a b\"\nsource = \"pubmed\"\nquery = \"x\"\n",
        );
        assert_eq!(
            found,
            [
                "brief.toml:5:8: search name `a b` may hold only letters, digits, `-`, `_` and `.` (it names the search in the log and in the inbox)",
                "brief.toml:7:9: the query is empty",
                "brief.toml:8:9: since must be a date such as 2015-01-01",
                "brief.toml:10:8: search name `a b` may hold only letters, digits, `-`, `_` and `.` (it names the search in the log and in the inbox)",
                "brief.toml:10:8: duplicate search name `a b` (also at line 5)",
                "brief.toml:3:11: contact `curator at example` is not an e-mail address (PubMed and Crossref ask for one, e.g. curator@example.org)",
            ]
        );
    }
}
