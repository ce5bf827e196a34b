//! The rebuilding side of `evbrief watch`: one Typst world kept alive across rebuilds,
//! and the cheapest rebuild each kind of change allows.
//!
//! - a template edit re-renders the view model already built (no loading, no analysis);
//! - a font added or removed also loads the fonts again;
//! - an edit to data or `brief.toml` reloads, re-validates and re-analyses the project.
//!
//! Each rebuild is a preview: it writes `output/brief.pdf` but no edition (saving a file
//! twenty times an hour should not make twenty editions). When the inputs equal the
//! latest edition's, the preview is that edition byte for byte.

use std::time::{Duration, Instant};

use super::watch::{ChangeKind, ChangeSet};
use crate::pipeline::{
    BuildConfig, BuildError, BuildReport, Prepared, check_inputs, finish, prepare,
};
use crate::render::Renderer;
use crate::store::inputs::short_hash;
use crate::store::lock::OutputLock;

/// How much a rebuild redid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RebuildKind {
    /// Loaded, validated and analysed the project, then rendered.
    Full,
    /// Rendered the view model of the last rebuild with fresh templates.
    Templates,
    /// Loaded the fonts again, then rendered like [`RebuildKind::Templates`].
    Fonts,
}

impl RebuildKind {
    /// A word for the status line.
    pub fn label(self) -> &'static str {
        match self {
            RebuildKind::Full => "full",
            RebuildKind::Templates => "templates only",
            RebuildKind::Fonts => "fonts and templates",
        }
    }
}

/// A finished rebuild.
#[derive(Debug)]
pub struct Rebuilt {
    /// What the build wrote.
    pub report: BuildReport,
    /// How much it redid.
    pub kind: RebuildKind,
    /// Wall time of the whole rebuild.
    pub elapsed: Duration,
}

/// The state `evbrief watch` keeps between rebuilds.
pub struct WatchSession {
    config: BuildConfig,
    renderer: Option<Renderer>,
    prepared: Option<Prepared>,
}

impl WatchSession {
    /// A session building `config` as previews (its `editions` is switched off).
    pub fn new(mut config: BuildConfig) -> Self {
        config.editions = false;
        config.if_changed = false;
        WatchSession {
            config,
            renderer: None,
            prepared: None,
        }
    }

    /// The build settings in use.
    pub fn config(&self) -> &BuildConfig {
        &self.config
    }

    /// Rebuilds after `changes` (`None`: the first build, or changes unknown). The caller
    /// holds the output `lock`. On failure the output file is left as it was and the next
    /// rebuild starts from the data again.
    pub fn rebuild(
        &mut self,
        _lock: &OutputLock,
        changes: Option<&ChangeSet>,
    ) -> Result<Rebuilt, BuildError> {
        let start = Instant::now();
        let data_changed = changes.is_none_or(|c| {
            c.touches(ChangeKind::Data)
                || c.touches(ChangeKind::Config)
                || c.events_lost().is_some()
        });
        let fonts_changed = changes.is_some_and(|c| c.touches(ChangeKind::Fonts));
        if fonts_changed {
            self.renderer = None;
        }
        let result = self.rebuild_inner(data_changed);
        // Bound the memory Typst's memoisation holds across many rebuilds.
        comemo::evict(10);
        let (report, full) = match result {
            Ok(done) => done,
            Err(e) => {
                self.prepared = None;
                return Err(e);
            }
        };
        let kind = if full {
            RebuildKind::Full
        } else if fonts_changed {
            RebuildKind::Fonts
        } else {
            RebuildKind::Templates
        };
        Ok(Rebuilt {
            report,
            kind,
            elapsed: start.elapsed(),
        })
    }

    fn rebuild_inner(&mut self, data_changed: bool) -> Result<(BuildReport, bool), BuildError> {
        let check = check_inputs(&self.config)?;
        // Templates alone changed and nothing moved the brief across "same as the latest
        // edition": keep the view model, refresh only the fingerprint it prints.
        if !data_changed
            && let Some(prepared) = self.prepared.as_mut()
            && prepared.unchanged == check.unchanged()
        {
            if prepared.view.edition.inputs.is_some() {
                prepared.view.edition.inputs = Some(short_hash(&check.inputs));
            }
            prepared.record.inputs = check.inputs;
            let report = finish(&self.config, prepared, &mut self.renderer)?;
            return Ok((report, false));
        }
        self.prepared = None;
        let mut prepared = prepare(&self.config, check)?;
        let report = finish(&self.config, &mut prepared, &mut self.renderer)?;
        self.prepared = Some(prepared);
        Ok((report, true))
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::Path;

    use super::*;
    use crate::living::testutil::fixture_project;
    use crate::pipeline::EditionOutcome;
    use crate::store::lock::{HolderInfo, LockWait};

    fn changed(root: &Path, path: &Path) -> ChangeSet {
        let mut c = ChangeSet::new();
        assert!(c.insert(root, path));
        c
    }

    /// Edits arrive as change sets (no file watcher, no sleeping): each kind gets its
    /// cheapest rebuild, a broken edit keeps the last good PDF, and nothing makes editions.
    #[test]
    fn each_kind_of_change_gets_the_cheapest_rebuild_that_suffices() {
        let dir = fixture_project("valid/minimal");
        let root = dir.path();
        let today = chrono::NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        let mut session = WatchSession::new(BuildConfig::new(root, today));
        let lock = OutputLock::acquire(
            &root.join("output"),
            &HolderInfo::current("watch"),
            LockWait::NoWait,
            |_| {},
        )
        .unwrap();
        let pdf = root.join("output/brief.pdf");

        let first = session.rebuild(&lock, None).unwrap();
        assert_eq!(first.kind, RebuildKind::Full);
        assert_eq!(
            first.report.edition,
            EditionOutcome::Preview("2025-03-01".into())
        );
        let first_pdf = fs::read(&pdf).unwrap();

        let template = root.join("templates/brief.typ");
        let text = fs::read_to_string(&template).unwrap();
        fs::write(
            &template,
            text.replace(
                "#let accent = rgb(\"#1f4e79\")",
                "#let accent = rgb(\"#7a1f1f\")",
            ),
        )
        .unwrap();
        let done = session
            .rebuild(&lock, Some(&changed(root, &template)))
            .unwrap();
        assert_eq!(done.kind, RebuildKind::Templates);
        assert_ne!(
            fs::read(&pdf).unwrap(),
            first_pdf,
            "the new colour is in the PDF"
        );

        let study = root.join("data/studies/smith-trial.toml");
        let original = fs::read_to_string(&study).unwrap();
        fs::write(
            &study,
            original.replace("percent = 28.10", "percent = 31.25"),
        )
        .unwrap();
        let done = session
            .rebuild(&lock, Some(&changed(root, &study)))
            .unwrap();
        assert_eq!(done.kind, RebuildKind::Full);
        let good_pdf = fs::read(&pdf).unwrap();

        // A broken edit: the error comes back, the last good PDF stays.
        fs::write(&study, original.replace("n = 33", "n = -3")).unwrap();
        let err = session
            .rebuild(&lock, Some(&changed(root, &study)))
            .unwrap_err();
        assert!(err.is_user_error(), "{err}");
        assert_eq!(fs::read(&pdf).unwrap(), good_pdf);
        // After a failure even a template edit reloads the data (and still fails).
        fs::write(&template, &text).unwrap();
        assert!(
            session
                .rebuild(&lock, Some(&changed(root, &template)))
                .is_err()
        );
        assert_eq!(fs::read(&pdf).unwrap(), good_pdf);

        // Fixed again: a full rebuild; previews never make editions.
        fs::write(&study, &original).unwrap();
        let done = session
            .rebuild(&lock, Some(&changed(root, &study)))
            .unwrap();
        assert_eq!(done.kind, RebuildKind::Full);
        assert_eq!(fs::read(&pdf).unwrap(), first_pdf, "same inputs, same PDF");
        assert!(!root.join("output/editions").exists());

        let fonts = root.join("fonts/extra.otf");
        fs::create_dir_all(root.join("fonts")).unwrap();
        fs::write(&fonts, b"not really a font").unwrap();
        let done = session
            .rebuild(&lock, Some(&changed(root, &fonts)))
            .unwrap();
        assert_eq!(done.kind, RebuildKind::Fonts);
    }
}
