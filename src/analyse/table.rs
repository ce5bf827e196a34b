//! The human-readable table of `evbrief analyse --format table`.

use std::fmt::Write;

use super::Report;
use super::extras::{QmDf, SmallStudy};
use crate::format::fixed;

fn show(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |x| fixed(x, 4))
}

fn pval(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |p| format!("{p:.4}"))
}

/// The report as text: per-study rows, the pooled line, heterogeneity, and
/// the double-zero account and extra analyses when present.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let p = &r.pooled;
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "{:<24} {:>10} {:>10} {:>21} {:>8}",
        "study", "yi", "vi", "95% CI", "weight%"
    );
    for s in &r.studies {
        let _ = writeln!(
            out,
            "{:<24} {:>10} {:>10} {:>21} {:>8}",
            s.study,
            show(s.yi),
            show(s.vi),
            format!("[{}, {}]", show(s.ci_lower), show(s.ci_upper)),
            s.weight.map_or("—".into(), |w| fixed(w, 2))
        );
    }
    let _ = writeln!(
        out,
        "pooled ({}, {}, test {}): k = {}, estimate {} [{}, {}], p = {}",
        r.measure,
        r.method,
        r.test,
        p.k,
        show(Some(p.estimate)),
        show(Some(p.ci_lower)),
        show(Some(p.ci_upper)),
        pval(p.p)
    );
    let _ = writeln!(
        out,
        "heterogeneity: tau² = {}, I² = {}%, Q = {} (df {}), p = {}",
        show(p.tau2),
        p.i2.map_or("—".into(), |x| fixed(x, 2)),
        show(p.q),
        show(p.q_df),
        pval(p.q_p)
    );
    let x = &r.extras;
    if let Some(dz) = &x.double_zero {
        let _ = writeln!(
            out,
            "\ndouble-zero studies (--double-zero {}):",
            dz.handling
        );
        for s in &dz.studies {
            let _ = writeln!(out, "  {} — {}: {}", s.study, s.action, s.reason);
        }
    }
    if let Some(ss) = &x.small_study {
        small_study(&mut out, ss);
    }
    if let Some(rows) = &x.leave_one_out {
        let _ = writeln!(out, "\nleave-one-out (estimate without the study):");
        for l in rows {
            let _ = writeln!(
                out,
                "  {:<24} {:>10} [{}, {}]  tau² {}  I² {}%",
                l.study,
                show(Some(l.estimate)),
                show(Some(l.ci_lower)),
                show(Some(l.ci_upper)),
                show(l.tau2),
                fixed(l.i2, 2)
            );
        }
    }
    if let Some(rows) = &x.influence {
        let _ = writeln!(out, "\ninfluence:");
        let _ = writeln!(
            out,
            "  {:<24} {:>9} {:>9} {:>9} {:>9}",
            "study", "rstudent", "cook_d", "hat", "dffits"
        );
        for i in rows {
            let _ = writeln!(
                out,
                "  {:<24} {:>9} {:>9} {:>9} {:>9}{}",
                i.study,
                fixed(i.rstudent, 3),
                fixed(i.cook_d, 3),
                fixed(i.hat, 3),
                fixed(i.dffits, 3),
                if i.influential { "  influential" } else { "" }
            );
        }
    }
    if let (Some(by), Some(rows)) = (&x.cumulative_by, &x.cumulative) {
        let _ = writeln!(out, "\ncumulative by {by}:");
        for c in rows {
            let _ = writeln!(
                out,
                "  + {:<22} {:>8}  k = {:<3} {:>10} [{}, {}]",
                c.study,
                c.value,
                c.k,
                show(Some(c.estimate)),
                show(Some(c.ci_lower)),
                show(Some(c.ci_upper))
            );
        }
    }
    if let Some(m) = &x.meta_regression {
        let _ = writeln!(out, "\nmeta-regression (k = {}):", m.k);
        for c in &m.coefficients {
            let _ = writeln!(
                out,
                "  {:<16} {:>10} (se {}) [{}, {}], p = {}",
                c.name,
                show(Some(c.estimate)),
                show(Some(c.se)),
                show(Some(c.ci_lower)),
                show(Some(c.ci_upper)),
                pval(Some(c.p))
            );
        }
        let df = match m.qm_df {
            QmDf::Chisq(d) => format!("QM = {} (df {d})", show(Some(m.qm))),
            QmDf::F([a, b]) => format!("F = {} (df {a}, {b})", show(Some(m.qm))),
        };
        let _ = writeln!(
            out,
            "  {df}, p = {}; residual tau² = {}, I² = {}%, R² = {}%; QE = {} (df {}), p = {}",
            pval(Some(m.qm_p)),
            show(Some(m.tau2)),
            fixed(m.i2, 2),
            fixed(m.r2, 2),
            show(Some(m.qe)),
            m.qe_df,
            pval(Some(m.qe_p))
        );
    }
    out
}

fn small_study(out: &mut String, ss: &SmallStudy) {
    let _ = writeln!(out, "\nsmall-study effects (k = {}):", ss.k);
    if let Some(e) = &ss.egger {
        let stat = e.df.map_or_else(|| "z".to_owned(), |d| format!("t({d})"));
        let _ = writeln!(
            out,
            "  Egger (regtest, mixed model, sei): {stat} = {}, p = {}; limit estimate {} [{}, {}]",
            fixed(e.z, 4),
            pval(Some(e.p)),
            show(Some(e.limit)),
            show(Some(e.limit_ci_lower)),
            show(Some(e.limit_ci_upper))
        );
    }
    if let Some(e) = &ss.egger_lm {
        let _ = writeln!(
            out,
            "  Egger (weighted regression): t({}) = {}, p = {}",
            e.df,
            fixed(e.t, 4),
            pval(Some(e.p))
        );
    }
    if let Some(b) = &ss.begg {
        let _ = writeln!(
            out,
            "  Begg (rank correlation): Kendall's tau = {}, p = {}",
            fixed(b.tau, 4),
            pval(Some(b.p))
        );
    }
    if let Some(t) = &ss.trimfill {
        let _ = writeln!(
            out,
            "  trim-and-fill (L0): {} {} filled on the {}; estimate {} [{}, {}]",
            t.k0,
            if t.k0 == 1 { "study" } else { "studies" },
            t.side,
            show(Some(t.estimate)),
            show(Some(t.ci_lower)),
            show(Some(t.ci_upper))
        );
    }
    for n in &ss.notes {
        let _ = writeln!(out, "  not done: {n}");
    }
}

#[cfg(test)]
mod tests {
    use super::super::{AnalyseOptions, analyse};
    use super::*;
    use crate::config::DoubleZero;
    use crate::stats::{Measure, Method, Test};

    #[test]
    fn the_table_names_double_zero_studies_and_the_extras() {
        let csv = "study,ai,bi,ci,di,year\nA,0,20,0,20,2001\nB,2,18,5,15,1999\nC,3,30,6,28,2005\nD,1,40,4,38,2003\n";
        let mut o = AnalyseOptions::new(Measure::RR, Method::REML, Test::Knha);
        o.bias = true;
        o.leave_one_out = true;
        o.influence = true;
        o.cumulative_by = Some("year".into());
        o.mods = vec!["year".into()];
        let t = table(&analyse(csv, &o).unwrap());
        assert!(t.contains("double-zero studies (--double-zero keep):"));
        assert!(t.contains("A — corrected: no events in either group"));
        for part in [
            "small-study effects (k = 4)",
            "Egger (regtest, mixed model, sei): t(2)",
            "leave-one-out",
            "influence:",
            "cumulative by year:\n  + B ",
            "meta-regression (k = 4):",
            "F = ",
        ] {
            assert!(t.contains(part), "{part} missing in\n{t}");
        }
        o.double_zero = DoubleZero::Drop;
        let t = table(&analyse(csv, &o).unwrap());
        assert!(t.contains("A — dropped"));
    }
}
