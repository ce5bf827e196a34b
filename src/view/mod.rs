//! The view model: everything a template shows, as raw values plus display strings.
//!
//! Built below the renderer from a validated [`Project`], its analysis and its edition;
//! serialised to JSON and read by the templates. Numbers appear exactly as the sources
//! printed them (their literal text), so the brief never re-rounds a published value.
//!
//! One file per section; this module only assembles them ([`build_view`]). Sections
//! import from their siblings (`studies`, `findings`, `words`), never from here.

pub mod changes;
pub mod citations;
pub mod cite_order;
pub mod csl;
pub mod document;
pub mod findings;
pub mod forest;
#[cfg(test)]
mod forest_tests;
pub mod journal_club;
pub mod meta_regression;
pub mod overlap;
pub mod overview;
mod p_checks;
pub mod plain;
pub mod prisma;
pub mod references;
mod reported;
pub mod risk_of_bias;
pub mod safety;
pub mod sensitivity;
pub mod single_arm;
pub mod small_study;
pub mod sof;
pub mod studies;
pub mod vocabulary;
pub mod words;

pub use document::DocumentFormat;

use serde::Serialize;

use crate::analysis::Analysed;
use crate::analysis::record::EditionRecord;
use crate::config::{BriefConfig, Paper, PdfConformance};
use crate::data::Project;
use crate::data::localise::Localiser;
use crate::data::model::Measurement;
use crate::i18n::{Labels, Language};
use findings::{FindingView, conflicts, finding_view};
use forest::{ForestContext, ForestView, RobLookup, outcome_forests};
use journal_club::{JournalClubView, journal_club_view};
use risk_of_bias::{RiskOfBiasView, risk_of_bias_view};
use safety::{SafetyView, safety_view};
use sof::{SofView, sof_view};
use studies::{
    OutcomeView, StudyView, comparison_row, data_report_keys, format_date, format_iso_date,
    study_view, time_days, value_row,
};
use words::{capitalise, measure_label, model_name, pooled_sentence, time_label};

/// Which document, in which language, on which paper: what a build asks of the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewOptions {
    /// Brief, handout or slides.
    pub format: DocumentFormat,
    /// The language of the fixed words and of the curated translations.
    pub language: Language,
    /// Paper size for the brief and the handout (slides are always 16:9).
    pub paper: Paper,
    /// The PDF standards the document is written to (PDF/A, PDF/UA).
    pub pdf: PdfConformance,
}

impl ViewOptions {
    /// The brief as `brief.toml` describes it: its language, paper and PDF standards.
    pub fn brief(config: &BriefConfig) -> Self {
        ViewOptions {
            format: DocumentFormat::Brief,
            language: config.language,
            paper: config.paper,
            pdf: config.pdf_standards,
        }
    }
}

/// The whole brief as the template sees it.
#[derive(Debug, Serialize)]
pub struct BriefView {
    /// The version of this shape ([`document::VIEW_SCHEMA`]) the templates are written for.
    pub schema: u32,
    /// `brief.toml` as the chosen language prints it (title, question, bottom line …),
    /// with the chosen paper.
    pub config: BriefConfig,
    /// Which document the template lays out.
    pub format: DocumentFormat,
    /// The summary layout of a large brief (see [`crate::config::Detail`]): per-study
    /// values, comparisons, risk-of-bias supports and adverse-event rows are left out
    /// (their counts stay), and forest plots draw their studies as caterpillar bands.
    pub summary: bool,
    /// Every fixed word in the chosen language (`d.labels.handout.discussion`).
    pub labels: &'static Labels,
    /// The as-of date in the language's convention ("22 November 2026", "2026年11月22日").
    pub as_of: String,
    /// evbrief's version, for the provenance line.
    pub generator: String,
    /// Included studies, in table order.
    pub studies: Vec<StudyView>,
    /// One section per outcome in `brief.toml` order.
    pub outcomes: Vec<OutcomeView>,
    /// The safety summary: adverse events by category, study and arm.
    pub safety: SafetyView,
    /// Registries, uncontrolled arms and case series, apart from the comparisons.
    pub single_arm: single_arm::SingleArmView,
    /// Funnel plots with Egger's test and trim-and-fill (k ≥ 10), shown under their outcome.
    pub small_study: Vec<small_study::SmallStudyView>,
    /// Sensitivity and cumulative analyses (k ≥ 3), shown under their outcome.
    pub sensitivity: Vec<sensitivity::SensitivityView>,
    /// Meta-regressions with their bubble plots (k ≥ 10 per covariate), under their outcome.
    pub meta_regression: Vec<meta_regression::MetaRegressionView>,
    /// The GRADE summary-of-findings table.
    pub summary_of_findings: SofView,
    /// Risk-of-bias figures and judgements.
    pub risk_of_bias: RiskOfBiasView,
    /// Narrative findings not tied to an outcome.
    pub other_findings: Vec<FindingView>,
    /// Disagreements between sources, listed for the reader (with the report cited).
    pub conflicts: Vec<FindingView>,
    /// Pairs of studies that may share participants, in words, under the discrepancies.
    pub overlaps: Vec<String>,
    /// How many of `conflicts` (the last ones) are printed p-values that the printed data
    /// do not give; their introduction is printed when there are any.
    pub p_flags: usize,
    /// The statistical methods paragraph.
    pub methods: String,
    /// Overview figures: one row per outcome and time point, one figure per scale.
    pub overview: Vec<ForestView>,
    /// Bibliography files, citation style and records awaiting assessment.
    pub references: references::ReferencesView,
    /// Which edition this is and what changed since the previous one.
    pub edition: EditionView,
    /// Appraisal checklist, discussion questions, key outcome and QR codes.
    pub journal_club: JournalClubView,
    /// Every method the brief names, with the key of its reference.
    pub method_refs: Vec<vocabulary::MethodRefView>,
    /// The abbreviations the brief prints, with their expansions.
    pub abbreviations: Vec<crate::i18n::glossary::GlossaryEntry>,
    /// Study selection: the PRISMA 2020 flow diagram and the full-text exclusions.
    pub prisma: prisma::PrismaView,
}

/// The brief's place in the series of editions of a living brief.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EditionView {
    /// Edition name ("2026-11-23", "2026-11-23-2"); `None` for a build without editions.
    pub name: Option<String>,
    /// The edition's date in words ("23 November 2026").
    pub date: Option<String>,
    /// True for a preview (`evbrief watch`): what the next edition would say.
    pub draft: bool,
    /// Short hash of the inputs, for the provenance line; `None` in a draft (it would change
    /// with every save).
    pub inputs: Option<String>,
    /// What changed since the previous edition, in the edition's language (worded by
    /// [`build_view`] from `compared`); `None` for the first edition.
    pub changes: Option<changes::ChangesView>,
    /// The previous edition's record and this one's, when there is a previous edition.
    #[serde(skip)]
    pub compared: Option<Box<(EditionRecord, EditionRecord)>>,
    /// The records of the editions before this one, oldest first: their pooled estimates
    /// are drawn under the cumulative forest plots ("how the evidence moved").
    #[serde(skip)]
    pub history: Vec<EditionRecord>,
}

/// Builds the view model from a validated project, its analysis and its edition.
pub fn build_view(
    project: &Project,
    analysed: &Analysed,
    edition: EditionView,
    options: ViewOptions,
) -> BriefView {
    let analysis = &analysed.outcomes;
    let safety = &analysed.safety;
    let sof = &analysed.summary_of_findings;
    let labels = options.language.labels();
    let localiser = Localiser {
        translations: &project.translations,
        untranslated_mark: labels.text("view.untranslated-mark"),
    };
    let original = project;
    let localised_project;
    let project = if options.language == Language::En {
        project
    } else {
        let mut localised = project.localised(&localiser);
        // Sections that read the configuration through the project see it localised too.
        localised.config = project.config.localised(options.language);
        localised_project = localised;
        &localised_project
    };
    let mut config = project.config.localised(options.language);
    config.paper = options.paper;
    config.pdf_standards = options.pdf;
    let as_of = format_date(config.as_of.get_ref(), labels);
    let studies = project
        .studies
        .iter()
        .map(|s| study_view(s, labels))
        .collect();
    let study_lookup = |id: &str| study_label_and_cites(project, id);
    // The places of printed p-values ("English abstract, Results") are curated texts too.
    let consistency: Vec<_> = analysed
        .consistency
        .iter()
        .cloned()
        .map(|mut c| {
            for p in &mut c.prints {
                p.place = words::curated(project, labels, &p.place, false);
            }
            c
        })
        .collect();
    let p_flags = p_checks::flag_findings(project, &config, &consistency, labels);
    let summary = config.detail.is_summary(project.studies.len());
    // Forest plots get a risk-of-bias column once any study has been assessed; the overall
    // judgements are resolved once here, not per forest row.
    let overall = risk_of_bias::overall_judgements(project);
    let rob_lookup = |id: &str| overall.get(id).copied().flatten();
    let rob_column: Option<RobLookup> = project
        .studies
        .iter()
        .any(|s| s.study.risk_of_bias.is_some())
        .then_some(&rob_lookup as RobLookup);
    let outcomes: Vec<OutcomeView> = config
        .outcomes
        .iter()
        .map(|o| {
            let o = o.get_ref();
            let mut values = Vec::new();
            let mut comparisons = Vec::new();
            let mut findings = Vec::new();
            let mut with_data = 0;
            let mut second_hand = 0;
            let (mut values_omitted, mut comparisons_omitted) = (0, 0);
            let outcome_analysis = analysis.iter().find(|a| a.outcome == o.id);
            for s in &project.studies {
                let mut rows: Vec<&Measurement> = s
                    .study
                    .results
                    .iter()
                    .filter(|m| m.outcome.as_ref().map(|x| x.get_ref()) == Some(&o.id))
                    .collect();
                rows.sort_by(|a, b| time_days(&a.time).total_cmp(&time_days(&b.time)));
                let study_comparisons: Vec<_> = s
                    .study
                    .comparisons
                    .iter()
                    .filter(|c| c.outcome.get_ref() == &o.id)
                    .collect();
                let study_effects: Vec<_> = s
                    .study
                    .effects
                    .iter()
                    .filter(|e| e.outcome.get_ref() == &o.id)
                    .collect();
                let study_findings: Vec<_> = s
                    .study
                    .findings
                    .iter()
                    .filter(|f| f.outcome.as_ref().map(|x| x.get_ref()) == Some(&o.id))
                    .collect();
                // Data read second hand (in a report that only mentions the study) is shown
                // as reported there and not counted as the study's own.
                let sources = rows
                    .iter()
                    .map(|m| &m.source)
                    .chain(study_comparisons.iter().map(|c| &c.source))
                    .chain(study_effects.iter().map(|e| &e.source))
                    .chain(study_findings.iter().map(|f| &f.source));
                let (mut own, mut second) = (false, false);
                for source in sources {
                    if s.study.is_second_hand(source) {
                        second = true;
                    } else {
                        own = true;
                    }
                }
                if own {
                    with_data += 1;
                } else if second {
                    second_hand += 1;
                }
                if summary {
                    values_omitted += rows.len() + study_effects.len();
                    comparisons_omitted += study_comparisons.len();
                } else {
                    values.extend(rows.into_iter().map(|m| value_row(s, m, labels)));
                    values.extend(
                        study_effects
                            .iter()
                            .map(|e| reported::value_row(s, e, labels)),
                    );
                    comparisons.extend(
                        study_comparisons
                            .into_iter()
                            .map(|c| comparison_row(s, c, &config, &consistency, labels)),
                    );
                }
                findings.extend(
                    study_findings
                        .into_iter()
                        .map(|f| finding_view(&s.study, &f.text, &f.source)),
                );
            }
            OutcomeView {
                id: o.id.clone(),
                label: o.label.clone(),
                unit: o.unit.clone(),
                kind: o.kind,
                better: match o.better {
                    crate::config::Direction::Higher => labels.text("words.higher-is-better"),
                    crate::config::Direction::Lower => labels.text("words.lower-is-better"),
                }
                .to_owned(),
                k: with_data,
                k_second_hand: second_hand,
                values,
                comparisons,
                values_omitted,
                comparisons_omitted,
                findings,
                summaries: outcome_analysis
                    .map(|a| summaries(&config, o, a, &analysed.overlaps, labels))
                    .unwrap_or_default(),
                forests: outcome_analysis
                    .map(|a| {
                        outcome_forests(
                            a,
                            &ForestContext {
                                prose: (options.language != Language::En).then_some(&localiser),
                                ..forest_context(
                                    &config,
                                    o,
                                    &study_lookup,
                                    rob_column,
                                    summary,
                                    labels,
                                    &analysed.overlaps,
                                )
                            },
                        )
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let other_findings = project
        .studies
        .iter()
        .flat_map(|s| {
            s.study
                .findings
                .iter()
                .filter(|f| f.outcome.is_none() && !f.safety)
                .map(|f| finding_view(&s.study, &f.text, &f.source))
        })
        .collect();
    let overview = overview_forests(
        &config,
        analysis,
        &analysed.overlaps,
        &|id: &str| study_lookup(id).0,
        labels,
    );
    let journal_club = journal_club_view(
        project,
        &config,
        &outcomes,
        labels,
        options.format == DocumentFormat::Handout,
    );
    let mut edition = edition;
    let sensitivity = sensitivity::sensitivity_views(
        project,
        &analysed.sensitivity,
        &edition.history,
        &config,
        summary,
        labels,
    );
    edition.date = edition
        .name
        .as_deref()
        .and_then(|n| format_iso_date(n, labels));
    if let Some(compared) = &edition.compared {
        // Summary-of-findings rows are recorded by their English label.
        let sof_labels = sof::row_labels(original, analysed, &config, labels);
        let curated = |text: &str| {
            sof_labels
                .get(text)
                .cloned()
                .unwrap_or_else(|| words::curated(project, labels, text, true))
        };
        let arms = (
            config.question.intervention_short.as_str(),
            config.question.comparison_short.as_str(),
        );
        edition.changes = Some(changes::changes_between(
            &compared.0,
            &compared.1,
            &changes::ChangeWords {
                labels,
                arms,
                curated: &curated,
            },
        ));
    }
    let previous_prisma = edition
        .compared
        .as_ref()
        .and_then(|c| c.0.prisma.as_ref())
        .zip(edition.changes.as_ref().map(|c| c.since.as_str()));
    let prisma = prisma::prisma_view(project, previous_prisma, labels);
    let method_refs = vocabulary::method_refs(project, analysed, labels);
    let mut references = references::references_view(project);
    references.add_methods(&method_refs);
    let mut view = BriefView {
        schema: document::VIEW_SCHEMA,
        summary,
        format: options.format,
        labels,
        journal_club,
        edition,
        methods: methods_text(analysis, labels)
            + &small_study::methods_sentence(analysed, labels)
            + &meta_regression::methods_sentence(&analysed.meta_regression, &config, labels),
        overview,
        references,
        as_of,
        generator: format!("evbrief {}", env!("CARGO_PKG_VERSION")),
        studies,
        outcomes,
        safety: safety_view(project, safety, &config, summary, labels),
        single_arm: single_arm::single_arm_view(project, &analysed.single_arm, &config, labels),
        small_study: small_study::small_study_views(analysed, &config, labels),
        sensitivity,
        meta_regression: meta_regression::meta_regression_views(
            &analysed.meta_regression,
            &config,
            labels,
        ),
        summary_of_findings: sof_view(project, sof, &config, &analysed.overlaps, labels),
        risk_of_bias: risk_of_bias_view(project, summary, labels),
        other_findings,
        p_flags: p_flags.len(),
        conflicts: conflicts(project, &config, labels)
            .into_iter()
            .chain(p_flags)
            .collect(),
        overlaps: analysed
            .overlaps
            .iter()
            .map(|o| overlap::pair_text(o, &|id: &str| study_lookup(id).0, labels))
            .collect(),
        config,
        method_refs,
        abbreviations: Vec::new(),
        prisma,
    };
    // The list holds what the finished view prints: its strings and the template's own
    // section of the label table.
    if let Ok(json) = serde_json::to_value(&view) {
        view.abbreviations = vocabulary::abbreviations_of(&json, &["brief"], &view.config, labels);
    }
    let groups = cite_order::cite_groups(&view);
    view.references.format(project, options.language, &groups);
    journal_club::order_qr_codes(&mut view.journal_club, &groups);
    view
}

/// Label and data-report keys of a study, for figure rows.
fn study_label_and_cites(project: &Project, id: &str) -> (String, Vec<String>) {
    project
        .studies
        .iter()
        .find(|s| s.study.id.get_ref() == id)
        .map_or_else(
            || (id.to_owned(), Vec::new()),
            |s| (s.study.label.clone(), data_report_keys(&s.study)),
        )
}

/// What a forest plot needs; the short arm names come from the localised `config`.
fn forest_context<'a>(
    config: &'a BriefConfig,
    outcome: &'a crate::config::OutcomeDef,
    study: &'a dyn Fn(&str) -> (String, Vec<String>),
    risk_of_bias: Option<RobLookup<'a>>,
    summary: bool,
    labels: &'a Labels,
    overlaps: &'a [crate::analysis::overlap::Overlap],
) -> ForestContext<'a> {
    ForestContext {
        outcome,
        intervention: &config.question.intervention_short,
        control: &config.question.comparison_short,
        study,
        risk_of_bias,
        summary,
        labels,
        overlaps,
        prose: None,
    }
}

/// One sentence per time point: the pooled result or the single study's effect, in words.
fn summaries(
    config: &BriefConfig,
    o: &crate::config::OutcomeDef,
    a: &crate::analysis::OutcomeAnalysis,
    overlaps: &[crate::analysis::overlap::Overlap],
    labels: &Labels,
) -> Vec<String> {
    let q = &config.question;
    a.times
        .iter()
        .map(|t| {
            let ids: Vec<&str> = t.studies.iter().map(|r| r.study.as_str()).collect();
            let marker = overlap::marker_for(overlaps, &ids, labels);
            let participants: f64 = t.studies.iter().map(|r| r.participants).sum();
            let text = match &t.pooled {
                Some(p) => pooled_sentence(
                    a.measure,
                    p,
                    participants,
                    a.settings.method,
                    a.settings.test,
                    a.settings.prediction,
                    o.better,
                    (&q.intervention_short, &q.comparison_short),
                    labels,
                ),
                None => labels.text("words.no-estimable-effect").to_owned(),
            };
            labels.fill(
                "words.time-summary",
                &[
                    ("time", &capitalise(&time_label(&t.time, labels))),
                    ("text", &text),
                ],
            ) + &marker
        })
        .collect()
}

/// The methods paragraph, naming only the measures, models and conversions actually used.
fn methods_text(analysis: &[crate::analysis::OutcomeAnalysis], labels: &Labels) -> String {
    let used: Vec<&crate::analysis::OutcomeAnalysis> =
        analysis.iter().filter(|a| !a.times.is_empty()).collect();
    let mut measures: Vec<&str> = Vec::new();
    let mut models: Vec<String> = Vec::new();
    let mut any_pooled = false;
    let mut sem = false;
    let mut percent = false;
    let mut corrected = false;
    let mut reported = false;
    for a in &used {
        let name = measure_label(a.measure, labels);
        if !measures.contains(&name) {
            measures.push(name);
        }
        let model = model_name(a.settings.method, a.settings.test, labels);
        if !models.contains(&model) {
            models.push(model);
        }
        for t in &a.times {
            any_pooled |= t.pooled.as_ref().is_some_and(|p| !p.single_study);
            for r in &t.studies {
                reported |= r.reported.is_some();
                for line in &r.audit {
                    use crate::analysis::AuditKind;
                    sem |= line.kind == AuditKind::SdFromSem;
                    percent |= line.kind == AuditKind::EventsFromPercent;
                    corrected |= line.kind == AuditKind::ZeroCellCorrection;
                }
            }
        }
    }
    if used.is_empty() {
        return labels.text("methods.no-effects").to_owned();
    }
    let mut s = labels.fill(
        "methods.effects",
        &[(
            "measures",
            &measures.join(labels.text("words.list-separator")),
        )],
    );
    if percent {
        s.push_str(labels.text("methods.percent"));
    }
    if sem {
        s.push_str(labels.text("methods.sem"));
    }
    if corrected {
        s.push_str(labels.text("methods.zero-cell"));
    }
    if reported {
        s.push_str(labels.text("methods.reported"));
    }
    let key = if models.len() == 1 {
        "methods.pooled-one"
    } else {
        "methods.pooled-per-outcome"
    };
    s.push_str(&labels.fill(
        key,
        &[(
            "models",
            &models.join(labels.text("methods.models-separator")),
        )],
    ));
    if !any_pooled {
        s.push_str(labels.text("methods.nothing-pooled"));
    }
    s
}

/// The overview figures, with the outcome labels of the localised `config`.
fn overview_forests(
    config: &BriefConfig,
    analysis: &[crate::analysis::OutcomeAnalysis],
    overlaps: &[crate::analysis::overlap::Overlap],
    study_label: &dyn Fn(&str) -> String,
    labels: &Labels,
) -> Vec<ForestView> {
    let outcomes: Vec<&crate::config::OutcomeDef> =
        config.outcomes.iter().map(|o| o.get_ref()).collect();
    overview::overview(&outcomes, analysis, overlaps, study_label, labels)
}
