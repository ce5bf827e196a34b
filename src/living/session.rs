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

use super::lock::OutputLock;
use super::watch::{ChangeKind, ChangeSet};
use crate::living::inputs::short_hash;
use crate::pipeline::{
    BuildConfig, BuildError, BuildReport, Prepared, check_inputs, finish, prepare,
};
use crate::report::Renderer;

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
        lock: &OutputLock,
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
        let _ = lock;
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
            prepared.view.edition.inputs = Some(short_hash(&check.inputs));
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
