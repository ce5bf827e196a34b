//! Checks of the fields that say who a study's participants are: `registration` ids,
//! `[[distinct-from]]` decisions and `[[subpopulations]]` with the results that name them.

use std::collections::{HashMap, HashSet};

use super::LoadedStudy;
use super::registration::parse_registration;
use crate::diagnostic::Problem;

/// Checks every study's identity fields; `ids` are all study ids of the project.
pub(super) fn check_identity_fields(studies: &[LoadedStudy], problems: &mut Vec<Problem>) {
    let ids: HashSet<&str> = studies
        .iter()
        .map(|s| s.study.id.get_ref().as_str())
        .collect();
    for loaded in studies {
        let (file, study) = (&loaded.file, &loaded.study);
        let mut push = |span: std::ops::Range<usize>, message: String| {
            problems.push(Problem::new(file, span, message));
        };
        let mut seen = HashSet::new();
        for r in &study.registration {
            match parse_registration(r.get_ref()) {
                Ok(id) => {
                    if !seen.insert(id.key) {
                        push(
                            r.span(),
                            format!("registration `{}` is given twice", r.get_ref()),
                        );
                    }
                }
                Err(message) => push(r.span(), message),
            }
        }
        let own = study.id.get_ref();
        let mut decided = HashSet::new();
        for d in &study.distinct_from {
            let other = d.study.get_ref();
            if other == own {
                push(
                    d.study.span(),
                    "a study cannot be distinct from itself".into(),
                );
            } else if !ids.contains(other.as_str()) {
                push(
                    d.study.span(),
                    format!(
                        "`distinct-from` names unknown study `{other}` (no data/studies/{other}.toml)"
                    ),
                );
            } else if !decided.insert(other.as_str()) {
                push(
                    d.study.span(),
                    format!("study `{other}` is named twice in `distinct-from`"),
                );
            }
            if d.reason.trim().is_empty() {
                push(
                    d.study.span(),
                    format!(
                        "the decision that `{own}` and `{other}` are distinct needs a `reason`"
                    ),
                );
            }
        }
        let arm_n: HashMap<&str, i64> = study
            .arms
            .iter()
            .map(|a| (a.id.get_ref().as_str(), *a.n.get_ref()))
            .collect();
        let mut subpopulations: HashMap<&str, &super::model::Subpopulation> = HashMap::new();
        for p in &study.subpopulations {
            if subpopulations.insert(p.id.get_ref(), p).is_some() {
                push(
                    p.id.span(),
                    format!("duplicate subpopulation id `{}`", p.id.get_ref()),
                );
            }
            if p.arms.get_ref().is_empty() {
                push(
                    p.arms.span(),
                    "a subpopulation needs the size of at least one arm".into(),
                );
            }
            for (arm, n) in p.arms.get_ref() {
                let v = *n.get_ref();
                match arm_n.get(arm.as_str()) {
                    None => push(
                        n.span(),
                        format!("unknown arm `{arm}` in subpopulation `{}`", p.id.get_ref()),
                    ),
                    Some(_) if v < 1 => push(
                        n.span(),
                        format!("subpopulation arm size must be at least 1, found {v}"),
                    ),
                    Some(&whole) if v > whole => push(
                        n.span(),
                        format!(
                            "subpopulation `{}` has {v} participants in arm `{arm}`, more than the arm's {whole}",
                            p.id.get_ref()
                        ),
                    ),
                    Some(_) => {}
                }
            }
            if !study
                .reports
                .iter()
                .any(|r| r.key.get_ref() == p.source.report.get_ref())
            {
                push(
                    p.source.report.span(),
                    format!(
                        "unknown report `{}` (not in this study's [[reports]])",
                        p.source.report.get_ref()
                    ),
                );
            }
        }
        for m in &study.results {
            let Some(sub) = &m.subpopulation else {
                continue;
            };
            match subpopulations.get(sub.get_ref().as_str()) {
                None => push(
                    sub.span(),
                    format!(
                        "unknown subpopulation `{}` (not in this study's [[subpopulations]])",
                        sub.get_ref()
                    ),
                ),
                Some(p) if !p.arms.get_ref().contains_key(m.arm.get_ref()) => push(
                    m.arm.span(),
                    format!(
                        "subpopulation `{}` gives no size for arm `{}`",
                        sub.get_ref(),
                        m.arm.get_ref()
                    ),
                ),
                Some(_) => {}
            }
        }
    }
}
