//! Where a document cites what: every citation of the finished view model, in the order
//! the built-in template prints it.
//!
//! Numeric styles number references in the order of their first citation, so the
//! citation formatter ([`super::citations`]) needs the citations in document order. That
//! order is the template's, and the brief, the handout and the slides print different
//! parts of the view in different orders: this module walks the view as
//! `templates/brief.typ` (with `forest.typ`, `analyses.typ`) and `templates/handout.typ`
//! lay it out, section by section, row by row. The slides cite nothing.
//!
//! A citation *group* is what the template prints in one place: a study's report keys
//! after its label (`cites(s.cites)`) form one group ("[1,2]", "[1–3]"), a single key
//! (`cite-key(r.cite)`) a group of one. A project template that reorders sections keeps
//! working (every citation still has its label and its entry), but its numbers then
//! follow this order rather than its own.

use super::forest::ForestView;
use super::{BriefView, DocumentFormat};

/// How a citation is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CiteForm {
    /// The label ("[3]", "³", "(Zang et al., 2022)").
    Label,
    /// The whole reference, as the list prints it (records awaiting assessment).
    Full,
}

/// The keys the template cites in one place, and how.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CiteGroup {
    /// Bibliography keys, in the order printed.
    pub keys: Vec<String>,
    /// Label or whole reference.
    pub form: CiteForm,
}

/// Collects groups, dropping empty ones (the template prints nothing for them).
#[derive(Default)]
struct Walk {
    groups: Vec<CiteGroup>,
}

impl Walk {
    fn group(&mut self, keys: &[String]) {
        if !keys.is_empty() {
            self.groups.push(CiteGroup {
                keys: keys.to_vec(),
                form: CiteForm::Label,
            });
        }
    }

    fn key(&mut self, key: &str) {
        if !key.is_empty() {
            self.group(&[key.to_owned()]);
        }
    }

    fn full(&mut self, key: &str) {
        self.groups.push(CiteGroup {
            keys: vec![key.to_owned()],
            form: CiteForm::Full,
        });
    }

    /// A forest plot (`forest.typ`): the citations after each row's label, panel by panel.
    fn forest(&mut self, f: &ForestView) {
        for panel in &f.panels {
            for row in &panel.rows {
                if !row.label.is_empty() {
                    self.group(&row.cites);
                }
            }
        }
    }
}

/// Every citation group of `view`, in the order its format's template prints them.
pub fn cite_groups(view: &BriefView) -> Vec<CiteGroup> {
    let mut walk = Walk::default();
    match view.format {
        DocumentFormat::Brief => brief(view, &mut walk),
        DocumentFormat::Handout => handout(view, &mut walk),
        DocumentFormat::Slides => {}
    }
    walk.groups
}

/// `templates/brief.typ`, top to bottom.
fn brief(d: &BriefView, w: &mut Walk) {
    // Included studies: the table, then the notes of studies with notes or several reports.
    for s in &d.studies {
        w.group(&s.cites);
    }
    for s in d
        .studies
        .iter()
        .filter(|s| !s.notes.is_empty() || s.reports.len() > 1)
    {
        for r in &s.reports {
            w.key(&r.key);
        }
    }
    // Risk of bias: traffic-light figures, supports, studies not assessed.
    let rob = &d.risk_of_bias;
    for t in &rob.tools {
        for s in &t.studies {
            w.group(&s.cites);
        }
    }
    for t in &rob.tools {
        for st in &t.supports {
            w.group(&st.cites);
        }
    }
    for n in &rob.not_assessed {
        w.group(&n.cites);
    }
    for f in &d.overview {
        w.forest(f);
    }
    // Results, outcome by outcome.
    for o in &d.outcomes {
        for r in &o.values {
            w.key(&r.cite);
        }
        for c in &o.comparisons {
            w.key(&c.cite);
        }
        for f in &o.forests {
            w.forest(f);
        }
        for s in d.sensitivity.iter().filter(|s| s.outcome == o.id) {
            w.forest(&s.figure);
            w.forest(&s.cumulative);
        }
        for f in &o.findings {
            w.key(&f.cite);
        }
    }
    // `analyses.typ`: registries, single arms and case series.
    for o in &d.single_arm.outcomes {
        for r in &o.rows {
            w.key(&r.cite);
        }
    }
    for c in &d.safety.categories {
        for r in &c.rows {
            w.key(&r.cite);
        }
    }
    for f in &d.safety.findings {
        w.key(&f.cite);
    }
    for f in &d.other_findings {
        w.key(&f.cite);
    }
    for c in &d.conflicts {
        w.key(&c.cite);
    }
    for k in &d.references.awaiting {
        w.full(&k.key);
    }
    for m in &d.method_refs {
        w.key(&m.key);
    }
}

/// `templates/handout.typ`: the key forest plot, safety, the appraisal table, then the QR
/// codes beside the reference list.
fn handout(d: &BriefView, w: &mut Walk) {
    let key = d
        .journal_club
        .key_outcome
        .as_ref()
        .and_then(|id| d.outcomes.iter().find(|o| &o.id == id));
    if let Some(f) = key.and_then(|o| o.forests.first()) {
        w.forest(f);
    }
    for c in &d.safety.categories {
        for r in &c.rows {
            w.key(&r.cite);
        }
    }
    for row in &d.journal_club.appraisal {
        w.group(&row.cites);
        for a in &row.answers {
            if let Some(k) = &a.cite {
                w.key(k);
            }
        }
    }
    // The QR codes beside the reference list print their reference's number: a curated
    // reference cited nowhere else is cited there.
    for q in &d.journal_club.qr_codes {
        w.key(&q.key);
    }
}
