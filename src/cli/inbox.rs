//! `evbrief import` and `evbrief new-study`: new papers into the inbox, and from there
//! into the project.

use std::io::Write;

use crate::data::LoadError;
use crate::inbox::{Decision, InboxError, NewStudyDone};

use super::*;

pub(super) fn run_import(args: &ImportArgs, quiet: bool) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            quiet,
        );
    }
    match crate::inbox::import(root, &args.files, &today_text(), args.dry_run) {
        Ok(report) => {
            if !quiet {
                let verb = if args.dry_run { "would add" } else { "added" };
                for a in &report.added {
                    println!("{verb} {:<14} {}", a.key, a.summary);
                }
                for s in &report.skipped {
                    println!("skipped {} — {}", s.summary, s.reason);
                }
                println!(
                    "{} {} to {}, {} skipped{}",
                    report.added.len(),
                    if report.added.len() == 1 {
                        "record"
                    } else {
                        "records"
                    },
                    crate::data::INBOX_DIR,
                    report.skipped.len(),
                    if args.dry_run {
                        " (dry run: nothing written)"
                    } else {
                        ""
                    }
                );
            }
            0
        }
        Err(e) => report_inbox_error(&e, quiet),
    }
}

pub(super) fn run_new_study(args: &NewStudyArgs, quiet: bool) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            quiet,
        );
    }
    let decision = match (&args.report_of, &args.distinct_from, &args.reason) {
        (Some(study), _, _) => Decision::ReportOf(study.clone()),
        (None, Some(study), reason) => Decision::DistinctFrom {
            study: study.clone(),
            reason: reason.clone().unwrap_or_default(),
        },
        _ => Decision::Undecided,
    };
    match crate::inbox::new_study_with(root, &args.key, &today_text(), &decision) {
        Ok(NewStudyDone::Drafted(path)) => {
            if !quiet {
                println!(
                    "drafted {}: fill it in, then run `evbrief new-study {}` again to add it to the brief",
                    path.display(),
                    args.key
                );
            }
            0
        }
        Ok(NewStudyDone::Added(path)) => {
            if !quiet {
                if let Decision::DistinctFrom { study, .. } = &decision {
                    println!("recorded in the study file: not the same participants as `{study}`");
                }
                println!(
                    "added {}; `{}` moved from the inbox to data/references.bib",
                    path.display(),
                    args.key
                );
            }
            0
        }
        Ok(NewStudyDone::FiledAsReport {
            study,
            draft_left,
            messages,
        }) => {
            if !quiet {
                let id = args.report_of.as_deref().unwrap_or_default();
                let file = study.strip_prefix(root).unwrap_or(&study);
                println!(
                    "filed `{}` as a report of `{id}` ({}); `{}` moved from the inbox to data/references.bib",
                    args.key,
                    file.display(),
                    args.key
                );
                for m in &messages {
                    println!("  {m}");
                }
                match draft_left {
                    Some(d) => println!(
                        "the rest stays in {}",
                        d.strip_prefix(root).unwrap_or(&d).display()
                    ),
                    None => println!("nothing is left in the draft"),
                }
            }
            0
        }
        Err(e) => report_inbox_error(&e, quiet),
    }
}

pub(super) fn report_inbox_error(e: &InboxError, quiet: bool) -> i32 {
    let mut err = std::io::stderr();
    match e {
        InboxError::Invalid(problems) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(err, "error: {problems}; nothing was written");
        }
        InboxError::Load(LoadError::Invalid(problems)) => {
            let _ = write!(err, "{}", problems.render(!quiet));
            let _ = writeln!(
                err,
                "error: {problems} in the project data; nothing was written"
            );
        }
        other => {
            let _ = writeln!(err, "error: {other}");
        }
    }
    if e.is_user_error() { 2 } else { 1 }
}
