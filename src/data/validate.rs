//! Checks that need more than one field: references, ids, value forms and arithmetic.
//!
//! Every check pushes a located [`Problem`] and goes on, so a curator sees all
//! problems of a project in one run.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use hayagriva::citationberg::IndependentStyle;
use toml::Spanned;

use super::LoadedStudy;
use super::bibliography::{Bibliography, Shelf};
use super::model::{AdverseEvent, AeStatus, Measurement, ReportRole, Source, Study};
use super::time::parse_time;
use crate::config::{BriefConfig, CitationStyle};
use crate::diagnostic::{Problem, SourceFile};
use crate::stats::convert::{PercentEvents, events_from_percentage};

/// Validates the whole project; problems are appended in file order. Returns the style
/// `citation-style` names, parsed where it was checked (`None` for the bundled style).
pub(super) fn validate(
    config: &BriefConfig,
    brief_file: &SourceFile,
    studies: &[LoadedStudy],
    bibliography: &Bibliography,
    root: &Path,
    problems: &mut Vec<Problem>,
) -> Option<IndependentStyle> {
    let mut outcome_ids = HashSet::new();
    for o in &config.outcomes {
        if !outcome_ids.insert(o.get_ref().id.clone()) {
            problems.push(Problem::new(
                brief_file,
                o.span(),
                format!("duplicate outcome id `{}`", o.get_ref().id),
            ));
        }
    }
    let style = check_style(config, brief_file, root, problems);
    check_analysis(config, brief_file, problems);
    check_as_of(config, brief_file, problems);
    super::check_searches::check_searches(config, brief_file, problems);
    check_outcome_references(config, brief_file, &outcome_ids, problems);
    super::check_sof::check_summary_of_findings(config, brief_file, studies, problems);
    super::check_identity::check_identity_fields(studies, problems);

    let mut study_ids: HashMap<String, String> = HashMap::new();
    let mut report_owner: HashMap<String, String> = HashMap::new();
    for loaded in studies {
        let file = &loaded.file;
        let study = &loaded.study;
        let id = study.id.get_ref();
        let stem = Path::new(&file.name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        if stem.as_deref() != Some(id.as_str()) {
            problems.push(Problem::new(
                file,
                study.id.span(),
                format!("study id `{id}` must equal the file name without `.toml`"),
            ));
        }
        if let Some(other) = study_ids.insert(id.clone(), file.name.clone()) {
            problems.push(Problem::new(
                file,
                study.id.span(),
                format!("duplicate study id `{id}` (also in {other})"),
            ));
        }
        for report in &study.reports {
            let key = report.key.get_ref();
            match bibliography.entry(key) {
                Some((Shelf::Curated, _)) => {}
                Some((Shelf::Inbox, _)) => problems.push(Problem::new(
                    file,
                    report.key.span(),
                    format!(
                        "reference `{key}` is still in the inbox (data/inbox): run `evbrief new-study {key}`, or move its entry into data/references.bib"
                    ),
                )),
                // A broken or missing bibliography file is reported already.
                None if bibliography.incomplete => {}
                None => problems.push(Problem::new(
                    file,
                    report.key.span(),
                    format!("unknown reference key `{key}` (not in data/references.bib)"),
                )),
            }
            // A paper that only mentions a study may mention several; one that
            // reports participants' data belongs to exactly one study.
            if report.role != ReportRole::Mention
                && let Some(owner) = report_owner.insert(key.clone(), id.clone())
                && owner != *id
            {
                problems.push(Problem::new(
                    file,
                    report.key.span(),
                    format!(
                        "report `{key}` is already a report of study `{owner}`: one paper describes one study's participants"
                    ),
                ));
            }
        }
        StudyCheck {
            file,
            study,
            outcomes: &outcome_ids,
            problems,
        }
        .run();
        super::effects::check_effects(config, file, study, problems);
    }
    style
}

/// `[journal-club] key-outcome` and the outcome labels and units of `[translations]` must name
/// outcomes defined in `[[outcomes]]`.
fn check_outcome_references(
    config: &BriefConfig,
    file: &SourceFile,
    outcome_ids: &HashSet<String>,
    problems: &mut Vec<Problem>,
) {
    let mut unknown = |span: std::ops::Range<usize>, id: &str, what: &str| {
        if !outcome_ids.contains(id) {
            problems.push(Problem::new(
                file,
                span,
                format!("{what} names unknown outcome `{id}` (not in [[outcomes]])"),
            ));
        }
    };
    if let Some(key) = &config.journal_club.key_outcome {
        unknown(key.span(), key.get_ref(), "key-outcome");
    }
    if let Some(zh) = &config.translations.zh {
        for (id, label) in &zh.outcomes {
            unknown(label.span(), id, "a translated outcome label");
        }
        for (id, unit) in &zh.units {
            unknown(unit.span(), id, "a translated outcome unit");
        }
    }
}

/// Checks `citation-style`: a built-in style or a project `.csl` file is parsed here,
/// once, and returned for the citation formatter; a note style (citations as footnotes)
/// is refused, as evbrief prints citations in the text.
fn check_style(
    config: &BriefConfig,
    file: &SourceFile,
    root: &Path,
    problems: &mut Vec<Problem>,
) -> Option<IndependentStyle> {
    let span = config.citation_style.span();
    let name = config.citation_style.get_ref();
    let style = match CitationStyle::resolve(name) {
        Ok(style) => style,
        Err(message) => {
            problems.push(Problem::new(file, span, message));
            return None;
        }
    };
    let parsed = match style {
        CitationStyle::Bundled => return None,
        CitationStyle::BuiltIn(typst_name) => {
            match hayagriva::archive::ArchivedStyle::by_name(&typst_name).map(|s| s.get()) {
                Some(hayagriva::citationberg::Style::Independent(style)) => style,
                _ => {
                    problems.push(Problem::new(
                        file,
                        span,
                        format!("citation style `{name}` is not an independent CSL style"),
                    ));
                    return None;
                }
            }
        }
        CitationStyle::File(path) => match std::fs::read_to_string(root.join(&path)) {
            Err(e) => {
                problems.push(Problem::new(
                    file,
                    span,
                    format!("cannot read citation style `{path}` ({e})"),
                ));
                return None;
            }
            Ok(xml) => match IndependentStyle::from_xml(&xml) {
                Ok(style) => style,
                Err(e) => {
                    problems.push(Problem::new(
                        file,
                        span,
                        format!(
                            "citation style `{path}` is not a valid independent CSL style ({e})"
                        ),
                    ));
                    return None;
                }
            },
        },
    };
    if parsed.settings.class == hayagriva::citationberg::StyleClass::Note {
        problems.push(Problem::new(
            file,
            span,
            format!(
                "citation style `{name}` is a note style (citations as footnotes), which evbrief \
                 does not print; choose a numbered or author–date style such as \
                 nlm-citation-sequence, ama, apa or gb-7714-2015-numeric"
            ),
        ));
        return None;
    }
    Some(parsed)
}

/// Each outcome's measure must fit its kind, and its pooling method its measure.
fn check_analysis(config: &BriefConfig, file: &SourceFile, problems: &mut Vec<Problem>) {
    use crate::config::{EffectMeasure as M, OutcomeKind, PoolMethod as P};
    for o in &config.outcomes {
        let o = o.get_ref();
        let settings = o.settings(&config.analysis);
        if let Some(m) = &o.measure {
            let fits = match o.kind {
                OutcomeKind::Binary => matches!(m.get_ref(), M::RR | M::OR | M::RD),
                OutcomeKind::Continuous => matches!(m.get_ref(), M::MD | M::SMD),
                OutcomeKind::TimeToEvent => *m.get_ref() == M::HR,
            };
            if !fits {
                problems.push(Problem::new(
                    file,
                    m.span(),
                    format!(
                        "measure {} does not fit the {} outcome `{}` (binary: RR, OR, RD; continuous: MD, SMD; time-to-event: HR)",
                        m.get_ref().name(),
                        o.kind.key(),
                        o.id
                    ),
                ));
                continue;
            }
        }
        let ok = match settings.method {
            P::MH => matches!(settings.measure, M::RR | M::OR | M::RD),
            P::Peto => settings.measure == M::OR,
            _ => true,
        };
        if !ok {
            let (span, whose) = match &o.method {
                Some(m) => (m.span(), String::new()),
                None => (
                    config.analysis.method.span(),
                    " (the [analysis] default; set `method` on the outcome)".to_owned(),
                ),
            };
            problems.push(Problem::new(
                file,
                span,
                format!(
                    "method {} cannot pool {} for outcome `{}`{whose}: Mantel–Haenszel takes RR, OR or RD, Peto takes OR",
                    settings.method.name(),
                    settings.measure.name(),
                    o.id
                ),
            ));
        }
    }
}

/// The as-of date dates the evidence and the PDF, so it must be a calendar date.
fn check_as_of(config: &BriefConfig, file: &SourceFile, problems: &mut Vec<Problem>) {
    if config.as_of.get_ref().date.is_none() {
        problems.push(Problem::new(
            file,
            config.as_of.span(),
            "as-of must be a date such as 2026-11-22",
        ));
    }
}

struct StudyCheck<'a> {
    file: &'a SourceFile,
    study: &'a Study,
    outcomes: &'a HashSet<String>,
    problems: &'a mut Vec<Problem>,
}

impl StudyCheck<'_> {
    fn push(&mut self, span: std::ops::Range<usize>, message: impl Into<String>) {
        self.problems.push(Problem::new(self.file, span, message));
    }

    fn run(mut self) {
        let mut arm_n: HashMap<String, i64> = HashMap::new();
        for arm in &self.study.arms {
            let n = *arm.n.get_ref();
            if n < 1 {
                self.push(
                    arm.n.span(),
                    format!("arm size must be at least 1, found {n}"),
                );
            }
            if arm_n.contains_key(arm.id.get_ref()) {
                self.push(
                    arm.id.span(),
                    format!("duplicate arm id `{}`", arm.id.get_ref()),
                );
            } else {
                arm_n.insert(arm.id.get_ref().clone(), n);
            }
            self.source(&arm.source);
            for c in &arm.conflicts {
                self.source(&c.source);
            }
        }
        if let Some(total) = &self.study.enrolled {
            let sum: i64 = self.study.arms.iter().map(|a| *a.n.get_ref()).sum();
            if sum != *total.get_ref() {
                self.push(
                    total.span(),
                    format!(
                        "arm sizes add up to {sum}, but `enrolled` says {}",
                        total.get_ref()
                    ),
                );
            }
        }
        for (name, v) in &self.study.covariates {
            if !v.get_ref().is_finite() {
                let literal = self.file.text[v.span()].to_owned();
                self.push(
                    v.span(),
                    format!("covariate `{name}` must be a finite number, found {literal}"),
                );
            }
        }
        if self.study.reports.is_empty() {
            self.push(self.study.id.span(), "a study needs at least one report");
        }
        if self.study.arms.is_empty() {
            self.push(self.study.id.span(), "a study needs at least one arm");
        }
        for m in &self.study.baseline {
            if m.characteristic.is_none() {
                self.push(m.arm.span(), "a baseline entry needs `characteristic`");
            }
            self.measurement(m, &arm_n);
        }
        for m in &self.study.results {
            match &m.outcome {
                Some(o) => self.outcome(o),
                None => self.push(m.arm.span(), "a result needs `outcome`"),
            }
            match &m.time {
                Some(t) => self.time(t),
                None => self.push(m.arm.span(), "a result needs `time`"),
            }
            // A subpopulation's value is checked against the subpopulation's arm sizes.
            let sizes = m
                .subpopulation
                .as_ref()
                .and_then(|p| self.study.subpopulation(p.get_ref()))
                .filter(|p| p.arms.get_ref().contains_key(m.arm.get_ref()))
                .map(|p| {
                    p.arms
                        .get_ref()
                        .iter()
                        .map(|(arm, n)| (arm.clone(), *n.get_ref()))
                        .collect::<HashMap<String, i64>>()
                });
            self.measurement(m, sizes.as_ref().unwrap_or(&arm_n));
        }
        for c in &self.study.comparisons {
            self.outcome(&c.outcome);
            self.time(&c.time);
            if let Some(f) = &c.from {
                self.time(f);
            }
            match (&c.arms, &c.arm) {
                (Some(arms), None) => {
                    if arms.get_ref().len() != 2 {
                        self.push(arms.span(), "`arms` must name exactly two arms");
                    }
                    for a in arms.get_ref() {
                        if !arm_n.contains_key(a) {
                            self.push(arms.span(), format!("unknown arm `{a}`"));
                        }
                    }
                }
                (None, Some(arm)) => {
                    self.arm(arm, &arm_n);
                    if c.from.is_none() {
                        self.push(arm.span(), "a within-arm comparison needs `from`");
                    }
                }
                _ => self.push(
                    c.p.span(),
                    "give either `arms` (between arms) or `arm` with `from` (within one arm)",
                ),
            }
            self.p_value(&c.p);
            if let Some(ci) = &c.ci {
                self.printed_ci(ci);
            }
            self.source(&c.source);
            for conflict in &c.conflicts {
                if let Some(p) = &conflict.p {
                    self.p_value(p);
                }
                self.source(&conflict.source);
            }
        }
        for ae in &self.study.adverse_events {
            let n = self.arm(&ae.arm, &arm_n);
            match (ae.status, &ae.events) {
                (AeStatus::Events, Some(ev)) => {
                    let e = *ev.get_ref();
                    self.count_within(ev.span(), e, n, "events");
                    if let Some(p) = &ae.percent {
                        self.percent(p, n, Some(e));
                    }
                }
                (AeStatus::Events, None) => self.push(ae.arm.span(), "status \"events\" needs `events`"),
                (_, Some(ev)) => self.push(
                    ev.span(),
                    "`events` only goes with status \"events\" (\"none-observed\", \"none-reported\" and \"not-reported\" carry no count)",
                ),
                (_, None) => {}
            }
            self.source(&ae.source);
        }
        for f in &self.study.findings {
            if let Some(o) = &f.outcome {
                self.outcome(o);
            }
            if f.safety && f.outcome.is_some() {
                self.push(
                    f.source.report.span(),
                    "a finding is either about an outcome or a safety finding, not both",
                );
            }
            self.source(&f.source);
        }
        let a = &self.study.appraisal;
        for item in [
            &a.randomised,
            &a.blinded,
            &a.allocation_concealed,
            &a.follow_up_complete,
            &a.conflicts_of_interest,
        ]
        .into_iter()
        .flatten()
        {
            if let Some(source) = &item.source {
                self.source(source);
            }
        }
        if let Some(rob) = &self.study.risk_of_bias {
            for (span, message) in rob.problems(self.study.design) {
                self.push(span, message);
            }
        }
        self.one_report_per_result();
        self.one_report_per_adverse_event();
    }

    /// Reports of one study describe the same participants, so the analysed values of an
    /// outcome at a time point (other than baseline) must all come from one report: a
    /// second report's value would be pooled as if it were more data, and arms from two
    /// reports would make one effect out of two accounts. (Two values from the same report,
    /// such as a mean and a median, are alternative forms of one result.)
    fn one_report_per_result(&mut self) {
        let mut first: HashMap<(&str, &str), &Measurement> = HashMap::new();
        for m in self.study.analysed_results() {
            let (Some(outcome), Some(time)) = (&m.outcome, &m.time) else {
                continue;
            };
            let (outcome, time) = (outcome.get_ref().as_str(), time.get_ref().as_str());
            if time == "baseline" {
                continue;
            }
            let Some(earlier) = first.get(&(outcome, time)).copied() else {
                first.insert((outcome, time), m);
                continue;
            };
            let (here, other) = (m.source.report.get_ref(), earlier.source.report.get_ref());
            if here == other {
                continue;
            }
            let line = self.line_of(earlier.source.report.span());
            let what = if earlier.arm.get_ref() == m.arm.get_ref() {
                format!("arm `{}`", m.arm.get_ref())
            } else {
                format!("arms `{}` and `{}`", earlier.arm.get_ref(), m.arm.get_ref())
            };
            self.push(
                m.source.report.span(),
                format!(
                    "outcome `{outcome}` at `{time}` ({what}) comes from two reports of this study (`{here}` here, `{other}` at line {line}); reports of one study describe the same participants, so their data must not be pooled together: keep one, or mark the others `analyse = false`"
                ),
            );
        }
    }

    /// An adverse event is counted once per arm: two analysed entries for the same event
    /// and arm (from one report or two) would be counted twice.
    fn one_report_per_adverse_event(&mut self) {
        let mut first: HashMap<(&str, &str), &AdverseEvent> = HashMap::new();
        for ae in self.study.analysed_adverse_events() {
            if let Some(earlier) = first.insert((ae.event.as_str(), ae.arm.get_ref()), ae) {
                let line = self.line_of(earlier.source.report.span());
                let (here, other) = (ae.source.report.get_ref(), earlier.source.report.get_ref());
                let from = if here == other {
                    format!("also at line {line}")
                } else {
                    format!(
                        "`{here}` here, `{other}` at line {line}: reports of the same participants"
                    )
                };
                self.push(
                    ae.source.report.span(),
                    format!(
                        "adverse event \"{}\" in arm `{}` is given twice ({from}); keep one, or mark the other `analyse = false`",
                        ae.event,
                        ae.arm.get_ref()
                    ),
                );
            }
        }
    }

    /// 1-based line of a byte offset in this study's file.
    fn line_of(&self, span: std::ops::Range<usize>) -> usize {
        self.file.line_col(span.start).0
    }

    fn source(&mut self, source: &Source) {
        if let Some((span, message)) = unknown_source_report(self.study, source) {
            self.push(span, message);
        }
    }

    fn outcome(&mut self, o: &Spanned<String>) {
        if !self.outcomes.contains(o.get_ref()) {
            self.push(
                o.span(),
                format!(
                    "unknown outcome `{}` (not defined in brief.toml)",
                    o.get_ref()
                ),
            );
        }
    }

    fn time(&mut self, t: &Spanned<String>) {
        if let Err(e) = parse_time(t.get_ref()) {
            self.push(t.span(), e);
        }
    }

    fn arm(&mut self, arm: &Spanned<String>, arm_n: &HashMap<String, i64>) -> Option<i64> {
        let n = arm_n.get(arm.get_ref()).copied();
        if n.is_none() {
            self.push(arm.span(), format!("unknown arm `{}`", arm.get_ref()));
        }
        n
    }

    fn p_value(&mut self, p: &Spanned<String>) {
        if crate::data::model_p::parse_p(p.get_ref()).is_none() {
            self.push(
                p.span(),
                format!(
                    "`{}` is not a p-value like \"0.008\", \"<0.05\" or \">0.05\"",
                    p.get_ref()
                ),
            );
        }
    }

    /// A printed CI: finite numbers, `lower ≤ estimate ≤ upper` with `lower < upper`, and
    /// positive for a ratio.
    fn printed_ci(&mut self, ci: &crate::data::model::PrintedCi) {
        let (e, l, u) = (
            *ci.estimate.get_ref(),
            *ci.lower.get_ref(),
            *ci.upper.get_ref(),
        );
        for (v, span) in [
            (e, ci.estimate.span()),
            (l, ci.lower.span()),
            (u, ci.upper.span()),
        ] {
            if !v.is_finite() {
                self.push(
                    span,
                    format!("a confidence limit must be a finite number, found {v}"),
                );
                return;
            }
        }
        if !(l < u && l <= e && e <= u) {
            self.push(
                ci.estimate.span(),
                format!("need lower ≤ estimate ≤ upper with lower < upper, found {e} ({l} to {u})"),
            );
        } else if ci.ratio && l <= 0.0 {
            self.push(
                ci.lower.span(),
                format!("a ratio's confidence limits must be positive, found {l}"),
            );
        }
    }

    fn count_within(
        &mut self,
        span: std::ops::Range<usize>,
        count: i64,
        n: Option<i64>,
        what: &str,
    ) {
        if count < 0 {
            self.push(span, format!("{what} cannot be negative, found {count}"));
        } else if let Some(n) = n
            && count > n
        {
            self.push(
                span,
                format!("{what} ({count}) exceed the number of participants ({n})"),
            );
        }
    }

    /// Checks a percentage: a finite number from 0 to 100 and, when the arm size `n` is
    /// known, events/n for some whole number of events (those given, if any).
    fn percent(&mut self, p: &Spanned<f64>, n: Option<i64>, events: Option<i64>) {
        let literal = &self.file.text[p.span()];
        let value = *p.get_ref();
        if !value.is_finite() {
            self.push(
                p.span(),
                format!("percentage must be a finite number, found {literal}"),
            );
            return;
        }
        if !(0.0..=100.0).contains(&value) {
            self.push(
                p.span(),
                format!("percentage must lie between 0 and 100, found {literal}"),
            );
            return;
        }
        let Some(n) = n else { return };
        match events_from_percentage(literal, n.max(1) as u64) {
            Ok(PercentEvents::Exact { events: fit, .. }) => {
                if let Some(e) = events
                    && e as u64 != fit
                {
                    self.push(
                        p.span(),
                        format!("{literal}% of {n} is {fit} events, not {e}"),
                    );
                }
            }
            Ok(PercentEvents::Ambiguous { candidates, .. }) => {
                if let Some(e) = events
                    && !candidates.contains(&(e as u64))
                {
                    self.push(p.span(), format!("{literal}% of {n} cannot be {e} events"));
                }
            }
            Err(_) => self.push(
                p.span(),
                format!("{literal}% cannot be events/{n} for any whole number of events"),
            ),
        }
    }

    fn measurement(&mut self, m: &Measurement, arm_n: &HashMap<String, i64>) {
        let arm_size = self.arm(&m.arm, arm_n);
        self.source(&m.source);
        if let (Some(flag), Some(_)) = (&m.n_unknown, &m.n)
            && *flag.get_ref()
        {
            self.push(flag.span(), "`n-unknown = true` contradicts the `n` given");
        }
        let n = match &m.n {
            Some(n) => {
                let v = *n.get_ref();
                if v < 1 {
                    self.push(n.span(), format!("n must be at least 1, found {v}"));
                } else if let Some(a) = arm_size
                    && v > a
                {
                    self.push(
                        n.span(),
                        format!("n analysed ({v}) exceeds the arm size ({a})"),
                    );
                }
                Some(v)
            }
            None => arm_size,
        };
        for (field, v) in [("sd", &m.sd), ("sem", &m.sem), ("iqr", &m.iqr)] {
            if let Some(v) = v {
                let literal = &self.file.text[v.span()];
                if !v.get_ref().is_finite() {
                    self.push(
                        v.span(),
                        format!("{field} must be a finite number, found {literal}"),
                    );
                } else if *v.get_ref() <= 0.0 {
                    self.push(
                        v.span(),
                        format!("{field} must be positive, found {literal}"),
                    );
                }
            }
        }
        for (field, v) in [
            ("mean", &m.mean),
            ("median", &m.median),
            ("q1", &m.q1),
            ("q3", &m.q3),
        ] {
            if let Some(v) = v
                && !v.get_ref().is_finite()
            {
                let literal = &self.file.text[v.span()];
                self.push(
                    v.span(),
                    format!("{field} must be a finite number, found {literal}"),
                );
            }
        }
        if let (Some(q1), Some(q3)) = (&m.q1, &m.q3)
            && q1.get_ref() > q3.get_ref()
        {
            self.push(q1.span(), "q1 must not exceed q3");
        }
        let has = |b: bool| usize::from(b);
        let forms = has(m.mean.is_some() && m.sd.is_some())
            + has(m.mean.is_some() && m.sem.is_some())
            + has(m.median.is_some() && (m.iqr.is_some() || (m.q1.is_some() && m.q3.is_some())))
            + has(m.events.is_some() || m.percent.is_some())
            + has(m.count.is_some())
            + has(m.text.is_some());
        let loose = (m.mean.is_some() && m.sd.is_none() && m.sem.is_none())
            || (m.median.is_some() && m.iqr.is_none() && (m.q1.is_none() || m.q3.is_none()))
            || (m.sd.is_some() && m.sem.is_some());
        if forms != 1 || loose {
            self.push(
                m.arm.span(),
                "give exactly one value form: mean+sd, mean+sem, median+iqr (or q1+q3), events and/or percent, count, or text",
            );
        }
        if let Some(ev) = &m.events {
            self.count_within(ev.span(), *ev.get_ref(), n, "events");
        }
        if let Some(c) = &m.count {
            self.count_within(c.span(), *c.get_ref(), n, "count");
        }
        if let Some(p) = &m.percent {
            self.percent(p, n, m.events.as_ref().map(|e| *e.get_ref()));
        }
    }
}

/// The problem of a value whose `source` names a report the study does not list, located
/// at the report's key; none when the study lists it. Shared by every kind of value that
/// cites a source (results, adverse events, reported effects).
pub(crate) fn unknown_source_report(
    study: &Study,
    source: &Source,
) -> Option<(std::ops::Range<usize>, String)> {
    let key = source.report.get_ref();
    (!study.reports.iter().any(|r| r.key.get_ref() == key)).then(|| {
        (
            source.report.span(),
            format!("source report `{key}` is not one of this study's reports"),
        )
    })
}
