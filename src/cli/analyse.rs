//! `evbrief analyse`: a meta-analysis of a CSV file, as a table or JSON.

use crate::analyse::{AnalyseOptions, Report, analyse};
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
                OutputFormat::Table => print_table(&report),
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

pub(super) fn print_table(report: &Report) {
    let json = serde_json::to_value(report).unwrap_or_default();
    let num = |v: &serde_json::Value, k: &str| v.get(k).and_then(|x| x.as_f64());
    let show = |x: Option<f64>| x.map_or_else(|| "—".to_owned(), |x| crate::format::fixed(x, 4));
    println!(
        "{:<24} {:>10} {:>10} {:>21} {:>8}",
        "study", "yi", "vi", "95% CI", "weight%"
    );
    if let Some(rows) = json.get("studies").and_then(|s| s.as_array()) {
        for r in rows {
            let name = r.get("study").and_then(|s| s.as_str()).unwrap_or("");
            println!(
                "{:<24} {:>10} {:>10} {:>21} {:>8}",
                name,
                show(num(r, "yi")),
                show(num(r, "vi")),
                format!(
                    "[{}, {}]",
                    show(num(r, "ci_lower")),
                    show(num(r, "ci_upper"))
                ),
                num(r, "weight").map_or("—".into(), |w| crate::format::fixed(w, 2))
            );
        }
    }
    println!(
        "pooled ({}, {}, test {}): k = {}, estimate {} [{}, {}], p = {}",
        json.get("measure").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("method").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("test").and_then(|x| x.as_str()).unwrap_or(""),
        json.get("k").and_then(|x| x.as_u64()).unwrap_or(0),
        show(num(&json, "estimate")),
        show(num(&json, "ci_lower")),
        show(num(&json, "ci_upper")),
        num(&json, "p").map_or("—".into(), |p| format!("{p:.4}"))
    );
    println!(
        "heterogeneity: tau² = {}, I² = {}%, Q = {} (df {}), p = {}",
        show(num(&json, "tau2")),
        num(&json, "i2").map_or("—".into(), |x| crate::format::fixed(x, 2)),
        show(num(&json, "q")),
        show(num(&json, "q_df")),
        num(&json, "q_p").map_or("—".into(), |p| format!("{p:.4}"))
    );
}
