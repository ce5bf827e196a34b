//! `evbrief import` and `evbrief new-study`: new papers into the inbox, and from there
//! into the project.

use std::io::Write;

use crate::data::LoadError;
use crate::inbox::{InboxError, NewStudy};

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
    match crate::inbox::new_study(root, &args.key, &today_text()) {
        Ok(NewStudy::Drafted(path)) => {
            if !quiet {
                println!(
                    "drafted {}: fill it in, then run `evbrief new-study {}` again to add it to the brief",
                    path.display(),
                    args.key
                );
            }
            0
        }
        Ok(NewStudy::Added(path)) => {
            if !quiet {
                println!(
                    "added {}; `{}` moved from the inbox to data/references.bib",
                    path.display(),
                    args.key
                );
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
