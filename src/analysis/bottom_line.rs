//! Checks of the bottom line against the results it rests on (`evbrief check`).
//!
//! Each sentence of `bottom-line` may name the results it rests on (`rests-on =
//! ["fpg@week 20", "serious"]`, see [`crate::config::bottom_line`]). The checks are
//! deliberately literal — they read words, not meaning — and only warn:
//!
//! - a sentence that cites nothing;
//! - a citation naming an outcome, time point or adverse-event row without a result;
//! - a time point the sentence names ("week 48", "48 weeks", "第48周") that no cited
//!   outcome result has;
//! - a direction word ("lower", "more", "降低" …) that every significant cited result
//!   contradicts, or a direction claimed for a result whose 95% CI includes no effect
//!   while the sentence says nothing like "no difference";
//! - "no difference" said of results whose intervals all exclude no effect.
//!
//! Translated sentences are checked against the citations of the sentence at the same
//! place in the main language unless they carry their own.

use crate::config::bottom_line::{BottomLineSentence, Citation, parse_citation};
use crate::data::Project;
use crate::data::time::parse_time;
use crate::diagnostic::Problem;
use crate::stats::measure::BackTransform;
use toml::Spanned;

use super::Analysed;
use super::plain_language::{EffectDirection, direction_of, row_direction};

/// Every warning about the bottom line of `project`, main language first, then the
/// Chinese translation.
pub fn check_bottom_line(project: &Project, analysed: &Analysed) -> Vec<Problem> {
    let mut warnings = Vec::new();
    let main = &project.config.bottom_line;
    for sentence in main {
        if sentence.get_ref().rests_on.is_empty() {
            warnings.push(Problem::new(
                &project.brief_file,
                sentence.span(),
                "this bottom-line sentence names no result it rests on (add `rests-on = [\"outcome@time\"]`)",
            ));
        }
        check_sentence(project, analysed, sentence, sentence, "", &mut warnings);
    }
    if let Some(zh) = &project.config.translations.zh {
        for (i, sentence) in zh.bottom_line.iter().enumerate() {
            let cited = if sentence.get_ref().rests_on.is_empty() {
                main.get(i).unwrap_or(sentence)
            } else {
                sentence
            };
            check_sentence(
                project,
                analysed,
                sentence,
                cited,
                " (Chinese)",
                &mut warnings,
            );
        }
    }
    // In file order, as a reader goes through brief.toml.
    warnings.sort_by_key(|w| w.span.start);
    warnings
}

/// What a resolved citation says: its direction, `None` when not estimable.
struct Cited {
    name: String,
    days: Option<f64>,
    direction: Option<EffectDirection>,
    interval: String,
}

fn check_sentence(
    project: &Project,
    analysed: &Analysed,
    sentence: &Spanned<BottomLineSentence>,
    cited_by: &Spanned<BottomLineSentence>,
    which: &str,
    warnings: &mut Vec<Problem>,
) {
    let mut warn = |span: std::ops::Range<usize>, message: String| {
        warnings.push(Problem::new(&project.brief_file, span, message));
    };
    let own_citations = std::ptr::eq(sentence, cited_by);
    let mut results = Vec::new();
    for citation in &cited_by.get_ref().rests_on {
        match resolve(project, analysed, citation.get_ref()) {
            Ok(r) => results.push(r),
            // A bad citation is reported once, where it is written.
            Err(message) if own_citations => warn(citation.span(), message),
            Err(_) => {}
        }
    }
    if results.is_empty() {
        return;
    }
    let text = &sentence.get_ref().text;
    let words = Words::of(text);
    let outcome_days: Vec<f64> = results.iter().filter_map(|r| r.days).collect();
    if !outcome_days.is_empty() {
        for (label, days) in time_mentions(text) {
            if !outcome_days.iter().any(|d| (d - days).abs() < 1.0) {
                warn(
                    sentence.span(),
                    format!(
                        "the sentence{which} names {label}, but no result it rests on is at that time"
                    ),
                );
            }
        }
    }
    let significant: Vec<&Cited> = results
        .iter()
        .filter(|r| {
            matches!(
                r.direction,
                Some(EffectDirection::Increases | EffectDirection::Reduces)
            )
        })
        .collect();
    let claims = |d: EffectDirection| match d {
        EffectDirection::Increases => words.higher,
        EffectDirection::Reduces => words.lower,
        EffectDirection::LittleOrNoDifference => words.no_difference,
    };
    if (words.higher || words.lower) && !significant.is_empty() {
        let matching = significant.iter().any(|r| r.direction.is_some_and(claims));
        if !matching {
            let r = significant[0];
            let said = if words.higher {
                "higher/more"
            } else {
                "lower/fewer"
            };
            warn(
                sentence.span(),
                format!(
                    "the sentence{which} says {said}, but `{}` points the other way ({})",
                    r.name, r.interval
                ),
            );
        }
    }
    if (words.higher || words.lower) && !words.no_difference {
        for r in results
            .iter()
            .filter(|r| r.direction == Some(EffectDirection::LittleOrNoDifference))
        {
            warn(
                sentence.span(),
                format!(
                    "the sentence{which} states a direction, but the 95% CI of `{}` ({}) includes no difference",
                    r.name, r.interval
                ),
            );
        }
    }
    if words.no_difference
        && !words.higher
        && !words.lower
        && results.iter().all(|r| r.direction.is_some())
        && significant.len() == results.len()
    {
        warn(
            sentence.span(),
            format!(
                "the sentence{which} says there is no difference, but every result it rests on excludes no effect (`{}`: {})",
                significant[0].name, significant[0].interval
            ),
        );
    }
}

/// Finds what a citation names, or says why it names nothing.
fn resolve(project: &Project, analysed: &Analysed, citation: &str) -> Result<Cited, String> {
    match parse_citation(citation) {
        Citation::Outcome { outcome, time } => {
            let Some(analysis) = analysed.outcomes.iter().find(|o| o.outcome == outcome) else {
                return Err(format!("`{citation}`: unknown outcome `{outcome}`"));
            };
            let wanted = parse_time(time).map_err(|e| format!("`{citation}`: {e}"))?;
            let at = analysis
                .times
                .iter()
                .find(|t| parse_time(&t.time).is_ok_and(|t| (t.days - wanted.days).abs() < 1.0));
            let Some(pooled) = at.and_then(|t| t.pooled.as_ref()) else {
                let available: Vec<&str> = analysis
                    .times
                    .iter()
                    .filter(|t| t.pooled.is_some())
                    .map(|t| t.time.as_str())
                    .collect();
                return Err(format!(
                    "`{citation}`: no between-arm result for `{outcome}` at {time} (results at: {})",
                    if available.is_empty() {
                        "none".to_owned()
                    } else {
                        available.join(", ")
                    }
                ));
            };
            let back = |x: f64| {
                if matches!(analysis.measure.back_transform(), BackTransform::Exp) {
                    x.exp()
                } else {
                    x
                }
            };
            Ok(Cited {
                name: citation.to_owned(),
                days: Some(wanted.days),
                direction: Some(direction_of(pooled.ci_lower, pooled.ci_upper)),
                interval: format!(
                    "95% CI {:.2} to {:.2}",
                    back(pooled.ci_lower),
                    back(pooled.ci_upper)
                ),
            })
        }
        Citation::AdverseEvent(key) => {
            let row = analysed
                .summary_of_findings
                .iter()
                .find(|r| {
                    r.subject == key
                        && project
                            .config
                            .summary_of_findings
                            .get(r.index)
                            .is_some_and(|c| c.get_ref().adverse_event.is_some())
                })
                .ok_or_else(|| {
                    format!("`{citation}`: no adverse-event row `{key}` in the summary of findings")
                })?;
            Ok(Cited {
                name: citation.to_owned(),
                days: None,
                direction: row_direction(&row.effect),
                interval: "summary of findings".to_owned(),
            })
        }
    }
}

/// Which kinds of claim a sentence's words make.
#[derive(Debug, Default, PartialEq)]
struct Words {
    higher: bool,
    lower: bool,
    no_difference: bool,
}

const HIGHER: [&str; 8] = [
    "higher",
    "more",
    "increase",
    "increases",
    "increased",
    "rose",
    "greater",
    "raised",
];
const LOWER: [&str; 9] = [
    "lower",
    "fewer",
    "less",
    "reduce",
    "reduces",
    "reduced",
    "decrease",
    "decreased",
    "fell",
];
const HIGHER_ZH: [&str; 5] = ["更高", "更多", "升高", "增加", "提高"];
const LOWER_ZH: [&str; 5] = ["更低", "更少", "降低", "下降", "减少"];
const NO_DIFFERENCE: [&str; 12] = [
    "no difference",
    "little or no",
    "little to no",
    "no significant",
    "not significant",
    "includes no",
    "no clear difference",
    "无差异",
    "没有差异",
    "无显著",
    "无明显差异",
    "几乎没有",
];

impl Words {
    fn of(text: &str) -> Words {
        let lower = text.to_lowercase();
        let tokens: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        let has = |list: &[&str]| tokens.iter().any(|t| list.contains(t));
        let has_zh = |list: &[&str]| list.iter().any(|w| lower.contains(w));
        Words {
            higher: has(&HIGHER) || has_zh(&HIGHER_ZH),
            lower: has(&LOWER) || has_zh(&LOWER_ZH),
            no_difference: NO_DIFFERENCE.iter().any(|w| lower.contains(w)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Num(f64),
    Word(String),
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<Token>| {
        if current.is_empty() {
            return;
        }
        let t = std::mem::take(current);
        match t.parse::<f64>() {
            Ok(v) if t.chars().all(|c| c.is_ascii_digit()) => out.push(Token::Num(v)),
            _ => out.push(Token::Word(t.to_lowercase())),
        }
    };
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            current.push(c);
        } else {
            flush(&mut current, &mut out);
            if !c.is_whitespace() && !c.is_ascii_punctuation() {
                // A Chinese character (or other symbol) is a token of its own.
                out.push(Token::Word(c.to_string()));
            } else if c == ',' {
                out.push(Token::Word(",".into()));
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

fn is_separator(word: &str) -> bool {
    matches!(word, "," | "and" | "or" | "、" | "和" | "或")
}

fn unit_days(word: &str) -> Option<(f64, &'static str)> {
    match word {
        "day" | "days" | "天" => Some((1.0, "day")),
        "week" | "weeks" | "周" => Some((7.0, "week")),
        "month" | "months" | "月" => Some((30.4375, "month")),
        "year" | "years" | "年" => Some((365.25, "year")),
        _ => None,
    }
}

/// The time points a sentence names, as (label, days): "week 20", "weeks 9 and 20",
/// "48 weeks", "48-week", "month 6", "第48周", "6个月".
pub(crate) fn time_mentions(text: &str) -> Vec<(String, f64)> {
    let toks = tokens(text);
    let word = |i: usize| match toks.get(i) {
        Some(Token::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let mut out: Vec<(String, f64)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let Token::Num(n) = t else { continue };
        // "48 weeks", "48-week", "48周", "6个月" (but not "60-year-old").
        let after = match word(i + 1) {
            Some("个") => word(i + 2),
            w => w,
        };
        let mut unit = after
            .and_then(unit_days)
            .filter(|_| word(i + 2) != Some("old"));
        // "week 20", "weeks 9, 20 and 48", "up to week 48" (English units come first).
        if unit.is_none() {
            let mut j = i;
            while j > 0 {
                j -= 1;
                match &toks[j] {
                    Token::Num(_) => continue,
                    Token::Word(w) if is_separator(w) => continue,
                    Token::Word(w) => {
                        unit = unit_days(w).filter(|_| w.is_ascii());
                        break;
                    }
                }
            }
        }
        // "9, 20 and 48 weeks", "第9、20和48周" (the unit closes the list).
        if unit.is_none() && word(i + 1).is_some_and(is_separator) {
            for t in &toks[i + 1..] {
                match t {
                    Token::Num(_) => continue,
                    Token::Word(w) if is_separator(w) => continue,
                    Token::Word(w) => {
                        unit = unit_days(w);
                        break;
                    }
                }
            }
        }
        if let Some((per, name)) = unit {
            let days = n * per;
            if !out.iter().any(|(_, d)| (d - days).abs() < 1.0) {
                out.push((format!("{name} {n}"), days));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::analyse;
    use std::path::Path;

    fn bundled() -> Project {
        crate::data::load_project(Path::new(env!("CARGO_MANIFEST_DIR"))).expect("bundled data")
    }

    fn sentence(text: &str, cites: &[&str]) -> Spanned<BottomLineSentence> {
        Spanned::new(
            0..1,
            BottomLineSentence {
                text: text.into(),
                rests_on: cites
                    .iter()
                    .map(|c| Spanned::new(0..1, (*c).to_owned()))
                    .collect(),
            },
        )
    }

    fn warnings_for(text: &str, cites: &[&str]) -> Vec<String> {
        let mut project = bundled();
        project.config.bottom_line = vec![sentence(text, cites)];
        project.config.translations.zh = None;
        let analysed = analyse(&project);
        check_bottom_line(&project, &analysed)
            .into_iter()
            .map(|p| p.message)
            .collect()
    }

    #[test]
    fn the_bundled_bottom_line_passes_in_both_languages() {
        let project = bundled();
        let analysed = analyse(&project);
        let warnings: Vec<String> = check_bottom_line(&project, &analysed)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(warnings.is_empty(), "{warnings:#?}");
    }

    #[test]
    fn the_audited_claims_of_the_old_bottom_line_are_caught() {
        // "lower fasting glucose … up to 48 weeks" resting on fasting glucose alone.
        let w = warnings_for(
            "Fasting glucose was lower than with placebo up to 48 weeks.",
            &["fpg@week 9", "fpg@week 20"],
        );
        assert!(w.iter().any(|m| m.contains("names week 48")), "{w:#?}");
        // Week 9 alone: its interval includes no difference.
        assert!(
            w.iter()
                .any(|m| m.contains("`fpg@week 9`") && m.contains("includes no difference"))
        );
        // A sentence citing nothing.
        let w = warnings_for("UC-MSC is experimental.", &[]);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("names no result"));
    }

    #[test]
    fn unknown_citations_and_contradicted_directions_are_warned() {
        let w = warnings_for(
            "Fasting glucose was higher.",
            &["fpg@week 48", "bmi@week 9", "deaths", "fpg@week 20"],
        );
        assert!(
            w.iter()
                .any(|m| m.contains("no between-arm result for `fpg` at week 48")
                    && m.contains("week 9, week 20")),
            "{w:#?}"
        );
        assert!(w.iter().any(|m| m.contains("unknown outcome `bmi`")));
        assert!(
            w.iter()
                .any(|m| m.contains("no adverse-event row `deaths`"))
        );
        assert!(
            w.iter()
                .any(|m| m.contains("says higher/more") && m.contains("`fpg@week 20`"))
        );
        let w = warnings_for(
            "There was no difference in fasting glucose.",
            &["fpg@week 20"],
        );
        assert!(
            w.iter().any(|m| m.contains("says there is no difference")),
            "{w:#?}"
        );
        let w = warnings_for(
            "Fasting glucose was lower at week 20; the week-9 difference was not significant.",
            &["fpg@week 20", "fpg@week 9"],
        );
        assert!(w.is_empty(), "{w:#?}");
    }

    fn labels(text: &str) -> Vec<String> {
        time_mentions(text).into_iter().map(|(l, _)| l).collect()
    }

    #[test]
    fn time_points_are_found_in_english_and_chinese() {
        assert_eq!(labels("lower at week 20 than placebo"), ["week 20"]);
        assert_eq!(
            labels("more patients at weeks 9, 20 and 48"),
            ["week 9", "week 20", "week 48"]
        );
        assert_eq!(labels("up to 48 weeks"), ["week 48"]);
        assert_eq!(labels("a 48-week trial"), ["week 48"]);
        assert_eq!(labels("至第48周时空腹血糖更低"), ["week 48"]);
        assert_eq!(labels("6个月时"), ["month 6"]);
        assert_eq!(labels("第9、20和48周时"), ["week 9", "week 20", "week 48"]);
        assert_eq!(labels("at 9 and 20 weeks"), ["week 9", "week 20"]);
        // Ages, doses and thresholds are not time points.
        assert!(labels("a 60-year-old man; HbA1c below 7.0%; T2DM; 1×10⁶ cells").is_empty());
        // "1 year" and "12 months" are the same time.
        assert_eq!(time_mentions("at 1 year")[0].1, 365.25);
    }

    #[test]
    fn claim_words_are_read_per_language() {
        let w = Words::of("Fasting glucose was lower and more patients reached the target.");
        assert!(w.higher && w.lower && !w.no_difference);
        let w = Words::of("The CI includes no difference.");
        assert!(w.no_difference && !w.higher && !w.lower);
        let w = Words::of("空腹血糖更低，两组无显著差异");
        assert!(w.lower && w.no_difference);
        // "below" names a threshold, not a direction.
        assert_eq!(Words::of("patients below HbA1c 7.0%"), Words::default());
    }
}
