//! From the view model to PDF bytes: the Typst world (the project's templates or the
//! built-in ones ([`templates`]), the view model with its figures and formatted
//! references as a virtual file, fonts), compilation with a time limit,
//! located template diagnostics and PDF export.

pub mod templates;
pub mod world;

use std::sync::mpsc;
use std::time::{Duration, Instant};

use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_kit::diagnostics::{DiagnosticFormat, emit, termcolor::Buffer};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::config::{PdfA, PdfConformance};

use crate::data::Project;
use crate::view::BriefView;
use world::BriefWorld;
pub use world::FontOptions;

/// Where the template finds the view model.
pub const VIEW_PATH: &str = "/evbrief/view.json";
/// Where the template finds the fonts it may name (`{"cjk": ["Noto Serif CJK SC", …]}`).
pub const FONTS_PATH: &str = "/evbrief/fonts.json";
pub use crate::view::document::MAIN_TEMPLATE;

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The project root could not be opened.
    #[error("cannot open project root ({0})")]
    Root(String),
    /// Neither `SOURCE_DATE_EPOCH` nor the as-of date gives a representable date.
    #[error("SOURCE_DATE_EPOCH or the as-of date is not a representable date")]
    Timestamp,
    /// The view model could not be serialised.
    #[error("cannot serialise the view model ({0})")]
    View(#[from] serde_json::Error),
    /// The brief holds Chinese text (or is the Chinese edition) and no loaded font can set it.
    #[error(
        "no font for Chinese text: {reason}\n  install one, e.g. the Debian/Ubuntu package fonts-noto-cjk \
         (`sudo apt install fonts-noto-cjk`; Fedora: google-noto-serif-cjk-fonts), \
         or copy a CJK font file (.otf, .ttf or .ttc) into {fonts_dir}"
    )]
    NoCjkFont {
        /// What needs the font ("the zh edition", "text in data/references.bib").
        reason: String,
        /// The project's font folder.
        fonts_dir: String,
    },
    /// Typst refused the chosen PDF standards as a combination (`PdfConformance` admits
    /// only combinations Typst accepts, so this is an internal fault).
    #[error("PDF standards: {0}")]
    Standards(String),
    /// Typst reported errors in a template, each located as `path:line:col`.
    #[error("the template failed to compile:\n{}", .0.render(true))]
    Template(TemplateProblems),
    /// Compiling the template took longer than the time limit (an endless loop?).
    #[error(
        "{template}: compiling did not finish within {} s; does the template loop \
         endlessly? (`evbrief build --template-time-limit SECONDS` sets the limit)",
        limit.as_secs_f64()
    )]
    TimeLimit {
        /// The main template, relative to the project (`templates/brief.typ`).
        template: String,
        /// The limit that was exceeded.
        limit: Duration,
    },
    /// The compiler stopped without a result (it panicked); a fault in evbrief or Typst.
    #[error("the Typst compiler of {template} stopped without a result (an internal fault)")]
    Crashed {
        /// The main template, relative to the project.
        template: String,
    },
}

/// Typst's diagnostics for a template, each as one `path:line:col: error: message` line and
/// a snippet of the source (like [`crate::diagnostic::Problems`] for the data).
#[derive(Debug, Clone, Default)]
pub struct TemplateProblems(pub Vec<TemplateProblem>);

/// One Typst diagnostic (error or warning).
#[derive(Debug, Clone)]
pub struct TemplateProblem {
    /// `path:line:col: error: message` (`path: error: message` when Typst gives no
    /// place; the path is then the template being compiled).
    pub located: String,
    /// The source line underlined, with Typst's hints and call trace.
    pub snippet: String,
}

impl TemplateProblems {
    /// Every diagnostic as its located line, each followed by its snippet when asked.
    pub fn render(&self, with_snippets: bool) -> String {
        let mut out = String::new();
        for p in &self.0 {
            out.push_str(&p.located);
            out.push('\n');
            if with_snippets {
                out.push_str(&p.snippet);
            }
        }
        out
    }
}

impl std::fmt::Display for TemplateProblems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.0.len();
        write!(f, "{n} template problem{}", if n == 1 { "" } else { "s" })
    }
}

/// How long one compilation of a template may take by default before the build gives up
/// (a template can loop for ever, e.g. nested `for` loops over huge ranges). Generous: the
/// 300-study synthetic brief compiles in about a second (release build).
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(120);

/// Stack of the thread that runs Typst: deeply nested templates recurse deeply.
const COMPILE_STACK_BYTES: usize = 64 * 1024 * 1024;

/// A rendered PDF and the template warnings met on the way.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Warnings located in their templates (see [`TemplateProblems::render`]).
    pub warnings: String,
    /// Time Typst spent compiling (evaluation and layout).
    pub compile: std::time::Duration,
    /// Time spent exporting the laid-out pages to PDF.
    pub export: std::time::Duration,
}

/// The date and time stamped into the PDF: `SOURCE_DATE_EPOCH` when given, else the as-of date.
pub fn pdf_timestamp(view: &BriefView, source_date_epoch: Option<i64>) -> Option<Datetime> {
    if let Some(secs) = source_date_epoch {
        let dt = chrono::DateTime::from_timestamp(secs, 0)?;
        use chrono::{Datelike, Timelike};
        return Datetime::from_ymd_hms(
            dt.year(),
            dt.month() as u8,
            dt.day() as u8,
            dt.hour() as u8,
            dt.minute() as u8,
            dt.second() as u8,
        );
    }
    let date = view.config.as_of.get_ref().date?;
    Datetime::from_ymd(i32::from(date.year), date.month, date.day)
}

/// Compiles briefs of one project, keeping its Typst world (fonts, parsed templates,
/// Typst's memoised layout) alive between compilations so a rebuild redoes only what
/// changed. One-shot builds use it once; `evbrief watch` keeps it.
pub struct Renderer {
    /// `None` after a compilation overran the time limit: that world is still in use by
    /// the abandoned compilation, so the next render starts a new one.
    world: Option<BriefWorld>,
    root: std::path::PathBuf,
    fonts: FontOptions,
    time_limit: Duration,
}

impl Renderer {
    /// A renderer for the project at `root` (loads its fonts as `fonts` says).
    pub fn new(root: &std::path::Path, fonts: FontOptions) -> Result<Self, RenderError> {
        Ok(Renderer {
            world: Some(new_world(root, fonts)?),
            root: root.to_path_buf(),
            fonts,
            time_limit: DEFAULT_TIME_LIMIT,
        })
    }

    /// Gives each compilation at most `limit` (default [`DEFAULT_TIME_LIMIT`]); one that
    /// takes longer fails with [`RenderError::TimeLimit`] and is left to finish unseen.
    pub fn set_time_limit(&mut self, limit: Duration) {
        self.time_limit = limit;
    }

    /// The world, made anew when the last compilation was abandoned.
    fn world(&mut self) -> Result<&mut BriefWorld, RenderError> {
        Ok(match &mut self.world {
            Some(world) => world,
            slot @ None => slot.insert(new_world(&self.root, self.fonts)?),
        })
    }

    /// Refuses to render Chinese text without a font for it: Typst would print empty
    /// boxes with only a warning. Returns the CJK families to use.
    fn cjk_fonts(
        &mut self,
        project: &Project,
        view: &BriefView,
        json: &[u8],
    ) -> Result<Vec<String>, RenderError> {
        let families = self.world()?.cjk_families();
        if !families.is_empty() {
            return Ok(families);
        }
        let language = view.config.language;
        let bib_has_cjk = project
            .bibliography
            .files
            .iter()
            .any(|f| crate::text::has_cjk(&f.file.text));
        let reason = if language.needs_cjk_font() {
            Some(format!(
                "the {} edition is written in Chinese",
                language.code()
            ))
        } else if bib_has_cjk || crate::text::has_cjk(&String::from_utf8_lossy(json)) {
            // Name the first file with Chinese text, so the user knows what needs the font.
            let file = project
                .studies
                .iter()
                .map(|s| &s.file)
                .chain(project.bibliography.files.iter().map(|f| &f.file))
                .find(|f| crate::text::has_cjk(&f.text))
                .map_or("brief.toml", |f| f.name.as_str());
            Some(format!("{file} holds Chinese text"))
        } else {
            None
        };
        match reason {
            None => Ok(families),
            Some(reason) => Err(RenderError::NoCjkFont {
                reason,
                fonts_dir: self.root.join("fonts").display().to_string(),
            }),
        }
    }

    /// Compiles `view` (made from `project`) to PDF. Template files are read afresh from
    /// disk, so edits since the last call are seen.
    pub fn render(
        &mut self,
        project: &Project,
        view: &BriefView,
        source_date_epoch: Option<i64>,
    ) -> Result<Rendered, RenderError> {
        let today = pdf_timestamp(view, source_date_epoch).ok_or(RenderError::Timestamp)?;
        // A project's own template written for another view model is refused before Typst
        // would fail somewhere inside it.
        let outdated = templates::check_project_templates(&self.root);
        if !outdated.0.is_empty() {
            return Err(RenderError::Template(outdated));
        }
        let json = serde_json::to_vec(view)?;
        let cjk = self.cjk_fonts(project, view, &json)?;
        let json = name_cjk_family(json, &cjk);
        let template = view.format.template();
        let world = self.world()?;
        world.reset(today);
        world
            .set_main(view.format.template())
            .map_err(|e| RenderError::Root(e.to_string()))?;
        world.set_virtual(VIEW_PATH, json);
        world.set_virtual(
            FONTS_PATH,
            serde_json::to_vec(&serde_json::json!({ "cjk": cjk }))?,
        );
        // A main template that cannot be loaded (missing, too large, not UTF-8) is a
        // problem of the whole file, located at its start like a data file's.
        if let Err(e) = typst::World::source(&*world, typst::World::main(&*world)) {
            let name = template.trim_start_matches('/');
            return Err(RenderError::Template(TemplateProblems(vec![
                TemplateProblem {
                    located: format!("{name}:1:1: error: {e}"),
                    snippet: String::new(),
                },
            ])));
        }
        let start = Instant::now();
        let (world, Warned { output, warnings }) = self.compile(template)?;
        let compiled = start.elapsed();
        let warnings_text = format_diagnostics(world, &warnings).render(true);
        let document =
            output.map_err(|errors| RenderError::Template(format_diagnostics(world, &errors)))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("evbrief/{}", view.config.title)),
            creator: Smart::Custom(Some(view.generator.clone())),
            timestamp: Some(Timestamp::new_utc(today)),
            standards: pdf_standards(view.config.pdf_standards).map_err(RenderError::Standards)?,
            // Tagged whatever the standards: structure, reading order, alt text.
            tagged: true,
            ..PdfOptions::default()
        };
        let pdf = typst_pdf::pdf(&document, &options)
            .map_err(|errors| RenderError::Template(format_diagnostics(world, &errors)))?;
        Ok(Rendered {
            pdf,
            warnings: warnings_text,
            compile: compiled,
            export: start.elapsed() - compiled,
        })
    }

    /// Compiles the prepared world on a thread of its own, waiting at most the time
    /// limit. On time, returns the world (kept for the next compilation) and Typst's result.
    fn compile(&mut self, template: &str) -> Result<(&BriefWorld, Compiled), RenderError> {
        let name = template.trim_start_matches('/').to_owned();
        let world = self.world.take().ok_or_else(|| RenderError::Crashed {
            template: name.clone(),
        })?;
        let (tx, rx) = mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("typst".into())
            .stack_size(COMPILE_STACK_BYTES)
            .spawn(move || {
                let warned = typst::compile::<PagedDocument>(&world);
                // The receiver is gone when the build gave up waiting: nothing to report.
                let _ = tx.send((world, warned));
            });
        if spawned.is_err() {
            return Err(RenderError::Crashed { template: name });
        }
        match rx.recv_timeout(self.time_limit) {
            Ok((world, warned)) => Ok((self.world.insert(world), warned)),
            Err(mpsc::RecvTimeoutError::Timeout) => Err(RenderError::TimeLimit {
                template: name,
                limit: self.time_limit,
            }),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(RenderError::Crashed { template: name })
            }
        }
    }

    /// Project files (relative paths) the last compilation read from disk: the templates
    /// and anything they load. Part of an edition's input fingerprint.
    pub fn files_read(&self) -> Vec<String> {
        self.world
            .as_ref()
            .map(BriefWorld::disk_files_read)
            .unwrap_or_default()
    }
}

/// What Typst's compilation gives: the document or errors, and warnings.
type Compiled = Warned<typst::diag::SourceResult<PagedDocument>>;

/// A world for the project at `root` (its date is set by each render).
fn new_world(root: &std::path::Path, fonts: FontOptions) -> Result<BriefWorld, RenderError> {
    let placeholder = Datetime::from_ymd(1970, 1, 1).ok_or(RenderError::Timestamp)?;
    BriefWorld::new(root, MAIN_TEMPLATE, placeholder, fonts)
        .map_err(|e| RenderError::Root(e.to_string()))
}

/// Writes the first loaded CJK family into the figures' Chinese SVG text, which names
/// [`crate::plot::CJK_FAMILY_SLOT`] because the view is built before the fonts are known.
fn name_cjk_family(json: Vec<u8>, families: &[String]) -> Vec<u8> {
    let slot = crate::plot::CJK_FAMILY_SLOT;
    let Some(family) = families.first() else {
        return json;
    };
    // serde_json writes UTF-8; anything else is passed through untouched.
    match String::from_utf8(json) {
        Ok(text) if text.contains(slot) => text.replace(slot, family).into_bytes(),
        Ok(text) => text.into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

/// Typst's hints that do not apply to evbrief (it has no `--root` argument).
const FOREIGN_HINTS: [&str; 1] = ["--root"];

/// Each diagnostic as a `path:line:col: severity: message` line (the main template's
/// path alone when Typst gives no place) and a snippet.
fn format_diagnostics(world: &BriefWorld, diagnostics: &[SourceDiagnostic]) -> TemplateProblems {
    let main = world::file_name(typst::World::main(world));
    let problems = diagnostics.iter().map(|d| {
        let mut d = d.clone();
        d.hints = d
            .hints
            .iter()
            .filter(|h| !FOREIGN_HINTS.iter().any(|f| h.v.contains(f)))
            .cloned()
            .collect();
        let emitted = |format| {
            let mut buffer = Buffer::no_color();
            emit(&mut buffer, world, std::iter::once(&d), format)
                .ok()
                .map(|()| String::from_utf8_lossy(buffer.as_slice()).into_owned())
        };
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let located = emitted(DiagnosticFormat::Short)
            .map(|short| short.trim_end().to_owned())
            .filter(|short| !short.starts_with(&format!("{severity}: ")))
            .unwrap_or_else(|| format!("{main}: {severity}: {}", d.message));
        let snippet = emitted(DiagnosticFormat::Human).unwrap_or_default();
        TemplateProblem { located, snippet }
    });
    TemplateProblems(problems.collect())
}

/// Typst's form of the chosen standards. `PdfConformance` admits only combinations
/// Typst accepts (a unit test checks every one), so the error is not expected.
fn pdf_standards(c: PdfConformance) -> Result<PdfStandards, String> {
    let list: Vec<PdfStandard> = c
        .archival
        .map(|level| match level {
            PdfA::A2b => PdfStandard::A_2b,
            PdfA::A2u => PdfStandard::A_2u,
            PdfA::A2a => PdfStandard::A_2a,
            PdfA::A3b => PdfStandard::A_3b,
            PdfA::A3u => PdfStandard::A_3u,
            PdfA::A3a => PdfStandard::A_3a,
            PdfA::A4 => PdfStandard::A_4,
        })
        .into_iter()
        .chain(c.universal_access.then_some(PdfStandard::Ua_1))
        .collect();
    PdfStandards::new(&list).map_err(|e| e.message().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A renderer over a project whose only file is `templates/brief.typ` = `template`.
    fn renderer_with(template: &str) -> (tempfile::TempDir, Renderer) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/brief.typ"), template).unwrap();
        let renderer = Renderer::new(dir.path(), FontOptions { system_cjk: false }).unwrap();
        (dir, renderer)
    }

    #[test]
    fn template_errors_are_located_without_foreign_hints() {
        let (_dir, mut renderer) = renderer_with("= Hi\n#read(\"../../etc/passwd\")\n");
        let (world, compiled) = renderer.compile(MAIN_TEMPLATE).unwrap();
        let Err(errors) = compiled.output else {
            panic!("reading outside the project must fail");
        };
        let problems = format_diagnostics(world, &errors);
        assert_eq!(
            problems.render(false),
            "templates/brief.typ:2:6: error: path `\"../../etc/passwd\"` would escape the project root\n"
        );
        let full = problems.render(true);
        assert!(full.contains("cannot access files outside of the project sandbox"));
        assert!(!full.contains("--root"), "{full}");
    }

    #[test]
    fn a_compilation_past_the_time_limit_is_abandoned_and_the_next_starts_afresh() {
        // About three million iterations: seconds in a debug build, far over the limit.
        let (dir, mut renderer) =
            renderer_with("#for i in range(2000) { for j in range(1500) {} }\n");
        renderer.set_time_limit(Duration::from_millis(100));
        let Err(RenderError::TimeLimit { template, limit }) = renderer.compile(MAIN_TEMPLATE)
        else {
            panic!("the loop must overrun the limit");
        };
        assert_eq!(template, "templates/brief.typ");
        assert_eq!(limit, Duration::from_millis(100));
        assert!(renderer.files_read().is_empty());
        std::fs::write(dir.path().join("templates/brief.typ"), "Hello").unwrap();
        renderer.set_time_limit(DEFAULT_TIME_LIMIT);
        renderer.world().unwrap();
        let (_, compiled) = renderer.compile(MAIN_TEMPLATE).unwrap();
        assert!(compiled.output.is_ok());
        assert_eq!(renderer.files_read(), ["templates/brief.typ"]);
    }

    #[test]
    fn pdf_conformance_admits_exactly_the_combinations_typst_accepts() {
        let typst_standard = |name: &str| {
            serde_json::from_value::<PdfStandard>(serde_json::Value::String(name.into())).unwrap()
        };
        let names = PdfConformance::names();
        let mut lists: Vec<Vec<&str>> = vec![vec![]];
        for a in &names {
            lists.push(vec![a]);
            for b in &names {
                lists.push(vec![a, b]);
            }
        }
        for list in lists {
            let ours = PdfConformance::from_names(&list);
            let mut typst: Vec<PdfStandard> = list.iter().map(|n| typst_standard(n)).collect();
            // A repeated name means the standard once.
            typst.dedup();
            let theirs = PdfStandards::new(&typst);
            assert_eq!(ours.is_ok(), theirs.is_ok(), "{list:?}: {ours:?}");
            if let Ok(ours) = ours {
                assert!(pdf_standards(ours).is_ok(), "{list:?}");
            }
        }
    }

    #[test]
    fn chinese_svg_text_gets_the_loaded_cjk_family() {
        let json = format!(
            r#"{{"svg":"<text font-family=\"{}\">有利于</text>"}}"#,
            crate::plot::CJK_FAMILY_SLOT
        );
        let named = name_cjk_family(json.clone().into_bytes(), &["Noto Serif CJK SC".to_owned()]);
        let named = String::from_utf8(named).unwrap();
        assert!(
            named.contains(r#"font-family=\"Noto Serif CJK SC\""#),
            "{named}"
        );
        assert!(!named.contains(crate::plot::CJK_FAMILY_SLOT));
        assert_eq!(
            name_cjk_family(json.clone().into_bytes(), &[]),
            json.into_bytes()
        );
    }
}
