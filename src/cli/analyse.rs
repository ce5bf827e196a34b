//! `evbrief analyse`: a meta-analysis of a CSV file, as a table or JSON.

use crate::analyse::{AnalyseOptions, analyse};
use crate::stats::{Measure, Method, Test};

use super::args::*;

pub(super) fn run_analyse(args: &AnalyseArgs) -> i32 {
    let parsed = (
        args.measure.parse::<Measure>(),
        args.method.parse::<Method>(),
        args.test.parse::<Test>(),
    );
    let (measure, method, test) = match parsed {
        (Ok(m), Ok(me), Ok(t)) => (m, me, t),
        (m, me, t) => {
            for e in [
                m.err().map(|e| e.to_string()),
                me.err().map(|e| e.to_string()),
                t.err().map(|e| e.to_string()),
            ]
            .into_iter()
            .flatten()
            {
                eprintln!("error: {e}");
            }
            return 2;
        }
    };
    let text = match std::fs::read_to_string(&args.data) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {} ({e})", args.data.display());
            return 2;
        }
    };
    let mut options = AnalyseOptions::new(measure, method, test);
    if args.ri.is_some() {
        options.ri = args.ri;
    }
    options.double_zero = match args.double_zero {
        DoubleZeroArg::Keep => crate::config::DoubleZero::Keep,
        DoubleZeroArg::Drop => crate::config::DoubleZero::Drop,
    };
    options.bias = args.bias;
    options.leave_one_out = args.leave_one_out;
    options.influence = args.influence;
    options.cumulative_by = args.cumulative_by.clone();
    options.mods = args.mods.clone();
    match analyse(&text, &options) {
        Ok(report) => {
            match args.format {
                OutputFormat::Json => match serde_json::to_string_pretty(&report) {
                    Ok(json) => println!("{json}"),
                    Err(e) => {
                        eprintln!("error: cannot serialise the result ({e})");
                        return 1;
                    }
                },
                OutputFormat::Table => print!("{}", crate::analyse::table(&report)),
            }
            0
        }
        Err(errors) => {
            let name = args.data.display();
            for e in errors {
                let col = e
                    .column
                    .map(|c| format!(" (column `{c}`)"))
                    .unwrap_or_default();
                match e.line {
                    Some(line) => eprintln!("{name}:{line}: {}{col}", e.message),
                    None => eprintln!("{name}: {}{col}", e.message),
                }
            }
            2
        }
    }
}
