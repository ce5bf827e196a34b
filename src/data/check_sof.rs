//! Checks of the summary-of-findings rows in `brief.toml` against the outcomes and data.

use crate::config::BriefConfig;
use crate::config::certainty::Concern;
use crate::data::LoadedStudy;
use crate::data::model::AeCategory;
use crate::data::time::parse_time;
use crate::diagnostic::{Problem, SourceFile};

/// Every row names one outcome with a time point that has data, or one adverse-event
/// category; every downgrade has a reason.
pub(super) fn check_summary_of_findings(
    config: &BriefConfig,
    file: &SourceFile,
    studies: &[LoadedStudy],
    problems: &mut Vec<Problem>,
) {
    let mut push = |span: std::ops::Range<usize>, message: String| {
        problems.push(Problem::new(file, span, message));
    };
    for row in &config.summary_of_findings {
        let row_span = row.span();
        let row = row.get_ref();
        match (&row.outcome, &row.adverse_event) {
            (Some(outcome), None) => {
                let id = outcome.get_ref();
                let Some(def) = config.outcomes.iter().find(|o| &o.get_ref().id == id) else {
                    push(
                        outcome.span(),
                        format!("unknown outcome `{id}` (not in [[outcomes]])"),
                    );
                    continue;
                };
                let Some(time) = &row.time else {
                    push(
                        outcome.span(),
                        format!("a summary-of-findings row for `{id}` needs `time`"),
                    );
                    continue;
                };
                match parse_time(time.get_ref()) {
                    Err(e) => push(time.span(), e),
                    Ok(t) => {
                        let at_t = |mt: &str| parse_time(mt).is_ok_and(|mt| mt.days == t.days);
                        let has_data = studies.iter().any(|s| {
                            s.study.analysed_results().any(|m| {
                                m.outcome.as_ref().map(|o| o.get_ref()) == Some(id)
                                    && m.time.as_ref().is_some_and(|mt| at_t(mt.get_ref()))
                            }) || s
                                .study
                                .analysed_effects()
                                .any(|e| e.outcome.get_ref() == id && at_t(e.time.get_ref()))
                        });
                        if !has_data {
                            push(
                                time.span(),
                                format!("no study reports outcome `{id}` at {}", time.get_ref()),
                            );
                        }
                    }
                }
                if let Some(b) = &row.baseline_risk
                    && def.get_ref().kind == crate::config::OutcomeKind::Continuous
                {
                    push(
                        b.per_1000.span(),
                        format!(
                            "`baseline-risk` applies to binary and time-to-event outcomes; `{id}` is continuous"
                        ),
                    );
                }
            }
            (None, Some(category)) => {
                if AeCategory::from_key(category.get_ref()).is_none() {
                    push(
                        category.span(),
                        format!(
                            "unknown adverse-event category `{}` (expected one of {})",
                            category.get_ref(),
                            AeCategory::ALL.map(|c| c.key()).join(", ")
                        ),
                    );
                }
                if let Some(time) = &row.time {
                    push(
                        time.span(),
                        "adverse events are summarised over the whole follow-up; leave out `time`"
                            .to_owned(),
                    );
                }
            }
            _ => push(
                row_span,
                "a summary-of-findings row needs exactly one of `outcome` or `adverse-event`"
                    .to_owned(),
            ),
        }
        if let Some(b) = &row.baseline_risk {
            let v = *b.per_1000.get_ref();
            if !(0.0..=1000.0).contains(&v) {
                push(
                    b.per_1000.span(),
                    format!("baseline risk must be between 0 and 1000 per 1000, found {v}"),
                );
            }
        }
        for (domain, rating) in row.certainty.domains() {
            if *rating.rating.get_ref() != Concern::NotSerious
                && rating.reason.as_deref().is_none_or(|r| r.trim().is_empty())
            {
                push(
                    rating.rating.span(),
                    format!(
                        "a {} downgrade for {} needs a `reason` (it becomes the table's footnote)",
                        rating.rating.get_ref().label(),
                        domain.label()
                    ),
                );
            }
        }
        if let Some(up) = &row.certainty.upgrade
            && !(1..=2).contains(up.levels.get_ref())
        {
            push(
                up.levels.span(),
                format!("an upgrade is 1 or 2 levels, found {}", up.levels.get_ref()),
            );
        }
    }
}
