//! `evbrief synthetic`: a project with invented data, to try evbrief at scale.

use super::args::*;

pub(super) fn run_synthetic(args: &SyntheticArgs, quiet: bool) -> i32 {
    if args.dir.join("brief.toml").exists() {
        eprintln!(
            "error: {} already holds a brief project; choose an empty folder",
            args.dir.display()
        );
        return 2;
    }
    if args.studies == 0 || args.outcomes == 0 {
        eprintln!("error: --studies and --outcomes must be at least 1");
        return 2;
    }
    let spec = crate::synthetic::SyntheticSpec {
        studies: args.studies,
        outcomes: args.outcomes,
        seed: args.seed,
        subgroups: args.subgroups,
    };
    match crate::synthetic::write_project(&args.dir, args.templates.as_deref(), &spec) {
        Ok(()) => {
            if !quiet {
                println!(
                    "wrote a synthetic project with {} studies and {} outcomes to {}",
                    args.studies,
                    args.outcomes,
                    args.dir.display()
                );
            }
            0
        }
        Err(e) => {
            eprintln!("error: cannot write the synthetic project ({e})");
            2
        }
    }
}
