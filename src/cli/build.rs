//! `evbrief build`: one build, its edition and what it printed.

use std::io::Write;

use crate::config::PdfConformance;
use crate::pipeline::{BuildOutcome, EditionOutcome, build_locked};

use super::living::take_lock;
use super::*;

pub(super) fn run_build(args: &BuildArgs, quiet: bool, verbose: bool) -> i32 {
    // clap has checked the values against these very lists.
    let format = args.format.parse().unwrap_or_default();
    let language = args.language.as_deref().and_then(|l| l.parse().ok());
    let paper = args.paper.as_deref().and_then(|p| p.parse().ok());
    let pdf = match args.pdf_standards.as_slice() {
        [] => None,
        names => match PdfConformance::from_names(names) {
            Ok(pdf) => Some(pdf),
            Err(e) => {
                eprintln!("error: --pdf-standard: {e}");
                return 2;
            }
        },
    };
    let mut config = build_config(&args.project, None).document(format, language, paper, pdf);
    if let Some(out) = &args.output {
        config.output.clone_from(out);
    }
    config.fonts.system_cjk = !args.ignore_system_fonts;
    config.template_time_limit = std::time::Duration::from_secs(args.template_time_limit);
    config.if_changed = args.if_changed;
    if config.if_changed && !config.is_edition_document() {
        eprintln!(
            "error: --if-changed applies to the brief an edition keeps; a handout, slides, \
             another language, paper or PDF standard is made with a plain `evbrief build …`"
        );
        return 2;
    }
    // `--search`: the saved searches first; a failed source does not stop the build.
    let searched = if args.search {
        match super::search::search_step(&config.project, None, false, quiet, config.today) {
            Ok(step) => Some(step),
            Err(code) => return code,
        }
    } else {
        None
    };
    let lock = match take_lock(&config, "build", args.lock_wait, quiet) {
        Ok(lock) => lock,
        Err(e) => return report_error(&e, quiet),
    };
    let result = match searched {
        Some(step) => crate::living::search_tick::build_after_search(&config, &lock, step.added),
        None => build_locked(&config, &lock, &mut None),
    };
    match result {
        Ok(outcome) => {
            print_outcome(&outcome, quiet, args.timings || verbose);
            if searched.is_some_and(|s| s.failed > 0) {
                EXIT_BUSY
            } else {
                0
            }
        }
        Err(e) => report_error(&e, quiet),
    }
}

/// Prints what a build did: edition, changes, output file (and timings when asked).
pub(super) fn print_outcome(outcome: &BuildOutcome, quiet: bool, timings: bool) {
    let report = match outcome {
        BuildOutcome::UpToDate {
            edition,
            output,
            restored,
        } => {
            if !quiet {
                println!(
                    "up to date: the inputs have not changed since edition {edition}; nothing built{}",
                    if *restored {
                        format!(" ({} restored from the edition)", output.display())
                    } else {
                        String::new()
                    }
                );
            }
            return;
        }
        BuildOutcome::Built(report) => report,
    };
    let mut err = std::io::stderr();
    if !quiet {
        for w in &report.data_warnings {
            let _ = writeln!(err, "warning: {w}");
        }
        for skipped in &report.skipped_records {
            let _ = writeln!(err, "warning: {skipped}; compared with an older edition");
        }
        if !report.warnings.is_empty() {
            let _ = write!(err, "{}", report.warnings);
        }
        match &report.edition {
            EditionOutcome::New(name) => println!("new edition {name}"),
            EditionOutcome::Unchanged(name) => {
                println!("edition {name} unchanged (same inputs); no new edition")
            }
            EditionOutcome::Preview(name) => println!("preview of edition {name}"),
        }
        if let Some(changes) = &report.changes {
            println!("{changes}");
        }
        println!(
            "wrote {} ({} studies, {} KiB)",
            report.output.display(),
            report.studies,
            report.bytes / 1024
        );
    }
    if timings {
        let t = &report.timings;
        let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
        println!(
            "timings: fingerprint {:.1} ms, load {:.1} ms, analyse {:.1} ms, render {:.1} ms (of it PDF export {:.1} ms), write {:.1} ms",
            ms(t.fingerprint),
            ms(t.load),
            ms(t.analyse),
            ms(t.render),
            ms(t.export),
            ms(t.write)
        );
    }
}
