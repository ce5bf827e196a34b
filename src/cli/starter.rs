//! `evbrief init` and `evbrief templates eject|diff`.

use crate::i18n::Language;
use crate::starter::init::{InitOptions, init};
use crate::starter::templates::{TemplateDiff, diff, eject};

use super::*;

pub(super) fn run_init(args: &InitArgs, quiet: bool) -> i32 {
    let language: Language = match args.language.parse() {
        Ok(language) => language,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let options = InitOptions {
        title: args.title.clone(),
        language,
        as_of: today_text(),
        force: args.force,
    };
    match init(&args.dir, &options) {
        Ok(written) => {
            if !quiet {
                for file in &written {
                    println!("wrote {}", args.dir.join(file).display());
                }
                let dir = args.dir.display();
                println!(
                    "a new brief in {dir}: fill in {dir}/data/extraction.csv (one row per value) \
                     and the [question] of brief.toml, then\n  \
                     evbrief import-data -p {dir} {dir}/data/extraction.csv\n  \
                     evbrief build -p {dir}"
                );
            }
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

pub(super) fn run_templates(command: &TemplatesCommand, quiet: bool) -> i32 {
    match command {
        TemplatesCommand::Eject(args) => {
            match eject(&args.project.project, &args.names, args.force) {
                Ok(written) => {
                    if !quiet {
                        for rel in written {
                            println!("wrote {}", args.project.project.join(rel).display());
                        }
                    }
                    0
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    2
                }
            }
        }
        TemplatesCommand::Diff(args) => match diff(&args.project.project, &args.names) {
            Ok(diffs) => {
                for d in diffs {
                    match d {
                        TemplateDiff::Differs { diff, .. } => print!("{diff}"),
                        TemplateDiff::Same(path) if !quiet => {
                            eprintln!("{path}: the same as the built-in template");
                        }
                        TemplateDiff::BuiltIn(path) if !quiet => {
                            eprintln!("{path}: not in the project; the built-in template is used");
                        }
                        _ => {}
                    }
                }
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                2
            }
        },
    }
}
