//! `evbrief check`: validate the project without rendering, print its warnings, and with
//! `--lang zh` list the curated texts still waiting for a translation.

use super::args::CheckArgs;
use super::{report_error, today};
use crate::data::bibliography::Shelf;
use crate::pipeline::{BuildConfig, check};

/// Runs `evbrief check`; exit 0 with warnings, 2 for bad data.
pub(super) fn run_check(args: &CheckArgs, quiet: bool) -> i32 {
    let project = match check(&BuildConfig::new(&args.project.project, today())) {
        Ok(project) => project,
        Err(e) => return report_error(&e, quiet),
    };
    // Warnings (exit 0): bottom-line sentences against the results they cite.
    let analysed = crate::analysis::analyse(&project);
    for w in crate::analysis::bottom_line::check_bottom_line(&project, &analysed) {
        let (line, col) = w.line_col();
        eprintln!("{}:{line}:{col}: warning: {}", w.file.name, w.message);
    }
    // The translator's to-do list goes to stdout: it is what was asked for.
    let untranslated = if args.language.is_some() {
        project.untranslated()
    } else {
        Vec::new()
    };
    for u in &untranslated {
        let (line, col) = u.at.file.line_col(u.at.span.start);
        println!("{}:{line}:{col}: {}", u.at.file.name, u.at.message);
    }
    if !quiet {
        let overlaps =
            crate::analysis::overlap::find_overlaps(&project.studies, &project.bibliography);
        for w in crate::analysis::overlap::warnings(&project.studies, &overlaps) {
            eprintln!("warning: {w}");
        }
        use crate::analysis::consistency::{check_comparisons, warnings_text};
        eprint!("{}", warnings_text(&project, &check_comparisons(&project)));
        println!(
            "ok: {} studies, {} references, {} awaiting assessment",
            project.studies.len(),
            project.bibliography.len(Shelf::Curated),
            project.bibliography.len(Shelf::Inbox)
        );
        if args.language.is_some() {
            println!(
                "{} curated texts without a Chinese translation, {} translated",
                untranslated.len(),
                project.translations.len()
            );
        }
    }
    0
}
