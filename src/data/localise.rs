//! A study as the edition in another language prints it: every curated text replaced by
//! the translation its file gives (see [`super::translation`]), the English kept and marked
//! where there is none. Names (study and arm labels) are replaced but never marked.

use super::model::{Conflict, Measurement, Source, Study};
use super::translation::ProseTranslations;

/// How curated texts are put into the edition's language.
pub struct Localiser<'a> {
    /// The translations of the project.
    pub translations: &'a ProseTranslations,
    /// Put before a text that has no translation, so a reader sees it is in English
    /// ("〔未译〕"); empty for no mark.
    pub untranslated_mark: &'a str,
}

impl Localiser<'_> {
    /// The translation of a curated prose text, or the text marked as untranslated (a text
    /// with no Latin word, such as "T2DM" or "—", needs none and is kept as it is).
    pub fn prose(&self, text: &str) -> String {
        match self.translations.zh(text) {
            Some(t) => t.to_owned(),
            None if self.untranslated_mark.is_empty() || !has_words(text) => text.to_owned(),
            None => format!("{}{text}", self.untranslated_mark),
        }
    }

    /// The translation of a name, or the name as written.
    pub fn name(&self, text: &str) -> String {
        self.translations.zh(text).unwrap_or(text).to_owned()
    }

    fn prose_in(&self, text: &mut String) {
        *text = self.prose(text);
    }

    fn prose_opt(&self, text: &mut Option<String>) {
        if let Some(t) = text {
            self.prose_in(t);
        }
    }

    fn source(&self, source: &mut Source) {
        self.prose_in(&mut source.at);
    }

    fn conflicts(&self, conflicts: &mut [Conflict]) {
        for c in conflicts {
            self.prose_opt(&mut c.text);
            self.prose_in(&mut c.note);
            self.source(&mut c.source);
        }
    }

    fn measurement(&self, m: &mut Measurement) {
        self.prose_opt(&mut m.characteristic);
        self.prose_opt(&mut m.unit);
        self.prose_opt(&mut m.text);
        self.prose_opt(&mut m.note);
        self.source(&mut m.source);
    }

    /// `study` with every curated text in the edition's language.
    pub fn study(&self, study: &Study) -> Study {
        let mut s = study.clone();
        s.label = self.name(&s.label);
        self.prose_in(&mut s.population);
        for field in [
            &mut s.country,
            &mut s.setting,
            &mut s.enrolment,
            &mut s.follow_up,
            &mut s.blinding,
        ] {
            self.prose_opt(field);
        }
        for n in &mut s.notes {
            self.prose_in(n);
        }
        for d in &mut s.distinct_from {
            self.prose_in(&mut d.reason);
        }
        for p in &mut s.subpopulations {
            self.prose_in(&mut p.population);
            self.source(&mut p.source);
        }
        for r in &mut s.reports {
            self.prose_opt(&mut r.note);
        }
        for a in &mut s.arms {
            a.label = self.name(&a.label);
            self.prose_in(&mut a.intervention);
            self.source(&mut a.source);
            self.conflicts(&mut a.conflicts);
        }
        for m in s.baseline.iter_mut().chain(s.results.iter_mut()) {
            self.measurement(m);
        }
        for c in &mut s.comparisons {
            self.prose_opt(&mut c.note);
            self.source(&mut c.source);
            self.conflicts(&mut c.conflicts);
        }
        for e in &mut s.adverse_events {
            // The event name stays: the safety analysis groups by it, and the view
            // translates the analysis' rows (`view::words::curated`).
            self.prose_opt(&mut e.note);
            self.source(&mut e.source);
        }
        for e in &mut s.effects {
            self.prose_opt(&mut e.adjusted_for);
            self.prose_opt(&mut e.note);
            self.source(&mut e.source);
        }
        for f in &mut s.findings {
            self.prose_in(&mut f.text);
            self.source(&mut f.source);
        }
        if let Some(rob) = &mut s.risk_of_bias {
            self.prose_opt(&mut rob.applies_to);
            self.prose_opt(&mut rob.reason);
            for j in &mut rob.judgements {
                self.prose_in(&mut j.support);
            }
        }
        let a = &mut s.appraisal;
        for item in [
            &mut a.randomised,
            &mut a.blinded,
            &mut a.allocation_concealed,
            &mut a.follow_up_complete,
            &mut a.conflicts_of_interest,
        ]
        .into_iter()
        .flatten()
        {
            self.prose_opt(&mut item.note);
            if let Some(source) = &mut item.source {
                self.source(source);
            }
        }
        s
    }
}

pub use crate::i18n::has_words;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untranslated_prose_is_marked_and_abbreviations_are_not() {
        let t = ProseTranslations::default();
        let l = Localiser {
            translations: &t,
            untranslated_mark: "〔未译〕",
        };
        assert_eq!(l.prose("Open label."), "〔未译〕Open label.");
        assert_eq!(l.prose("T2DM"), "T2DM");
        assert_eq!(l.prose("HbA1c <7.0%"), "HbA1c <7.0%");
        assert_eq!(l.name("Standard care"), "Standard care");
    }
}
