//! `evbrief import-data`: an extraction sheet into study files and brief.toml outcomes.

use crate::sheet::{ImportError, ImportOptions, import_data};

use super::*;

pub(super) fn run_import_data(args: &ImportDataArgs, quiet: bool) -> i32 {
    let options = ImportOptions {
        dry_run: args.dry_run,
        update: args.update,
    };
    let shown = args.file.display().to_string();
    match import_data(&args.project.project, &args.file, &shown, options) {
        Ok(report) => {
            if !quiet {
                for line in &report.summary {
                    println!("{line}");
                }
                println!(
                    "{} {} from {} {} of {shown}{}",
                    report.studies,
                    if report.studies == 1 {
                        "study"
                    } else {
                        "studies"
                    },
                    report.rows,
                    if report.rows == 1 { "row" } else { "rows" },
                    if args.dry_run {
                        " (dry run: nothing written)"
                    } else {
                        ""
                    }
                );
            }
            0
        }
        Err(ImportError::Problems(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            let n = problems.len();
            eprintln!(
                "error: {n} problem{} in the sheet; nothing was written",
                if n == 1 { "" } else { "s" }
            );
            2
        }
        Err(e @ ImportError::Write { .. }) => {
            eprintln!("error: {e}; run the same command again to finish the import");
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}
