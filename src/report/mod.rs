//! From validated data to PDF bytes: view model, Typst world, compilation and export.

pub mod changes;
pub mod forest;
#[cfg(test)]
mod forest_tests;
pub mod journal_club;
pub mod record;
pub mod references;
pub mod risk_of_bias;
pub mod safety;
pub mod sof;
pub mod view;
pub mod words;
pub mod world;

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Datetime, Smart};
use typst_kit::diagnostics::{DiagnosticFormat, emit, termcolor::Buffer};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, Timestamp};

use crate::data::Project;
use view::BriefView;
use world::BriefWorld;
pub use world::FontOptions;

/// The documents evbrief makes from one analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocumentFormat {
    /// The full evidence brief (`templates/brief.typ`).
    #[default]
    Brief,
    /// A two-page journal-club handout (`templates/handout.typ`).
    Handout,
    /// A 16:9 slide deck (`templates/slides.typ`).
    Slides,
}

impl DocumentFormat {
    /// Every format.
    pub const ALL: [DocumentFormat; 3] = [
        DocumentFormat::Brief,
        DocumentFormat::Handout,
        DocumentFormat::Slides,
    ];

    /// The name used on the command line and as the output file's stem.
    pub fn name(self) -> &'static str {
        match self {
            DocumentFormat::Brief => "brief",
            DocumentFormat::Handout => "handout",
            DocumentFormat::Slides => "slides",
        }
    }

    /// The main template, relative to the project root.
    pub fn template(self) -> &'static str {
        match self {
            DocumentFormat::Brief => MAIN_TEMPLATE,
            DocumentFormat::Handout => "/templates/handout.typ",
            DocumentFormat::Slides => "/templates/slides.typ",
        }
    }
}

impl std::str::FromStr for DocumentFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DocumentFormat::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| format!("unknown format `{s}` (expected brief, handout or slides)"))
    }
}

/// Where the template finds the view model.
pub const VIEW_PATH: &str = "/evbrief/view.json";
/// Where the template finds the fonts it may name (`{"cjk": ["Noto Serif CJK SC", …]}`).
pub const FONTS_PATH: &str = "/evbrief/fonts.json";
/// The main template, relative to the project root.
pub const MAIN_TEMPLATE: &str = "/templates/brief.typ";

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
    /// Typst reported errors in a template (already formatted with locations).
    #[error("the template failed to compile:\n{0}")]
    Template(String),
}

/// A rendered PDF and the template warnings met on the way.
pub struct Rendered {
    /// The PDF file's bytes.
    pub pdf: Vec<u8>,
    /// Warnings formatted with their template locations.
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
    world: BriefWorld,
    root: std::path::PathBuf,
}

impl Renderer {
    /// A renderer for the project at `root` (loads its fonts as `fonts` says).
    pub fn new(root: &std::path::Path, fonts: FontOptions) -> Result<Self, RenderError> {
        let placeholder = Datetime::from_ymd(1970, 1, 1).ok_or(RenderError::Timestamp)?;
        let world = BriefWorld::new(root, MAIN_TEMPLATE, placeholder, fonts)
            .map_err(|e| RenderError::Root(e.to_string()))?;
        Ok(Renderer {
            world,
            root: root.to_path_buf(),
        })
    }

    /// Refuses to render Chinese text without a font for it: Typst would print empty
    /// boxes with only a warning. Returns the CJK families to use.
    fn cjk_fonts(
        &self,
        project: &Project,
        view: &BriefView,
        json: &[u8],
    ) -> Result<Vec<String>, RenderError> {
        let families = self.world.cjk_families();
        if !families.is_empty() {
            return Ok(families);
        }
        let language = view.config.language;
        let bib_has_cjk = project
            .bibliography
            .files
            .iter()
            .any(|f| world::has_cjk(&f.file.text));
        let reason = if language.needs_cjk_font() {
            Some(format!(
                "the {} edition is written in Chinese",
                language.code()
            ))
        } else if bib_has_cjk || world::has_cjk(&String::from_utf8_lossy(json)) {
            // Name the first file with Chinese text, so the user knows what needs the font.
            let file = project
                .studies
                .iter()
                .map(|s| &s.file)
                .chain(project.bibliography.files.iter().map(|f| &f.file))
                .find(|f| world::has_cjk(&f.text))
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
        let json = serde_json::to_vec(view)?;
        let cjk = self.cjk_fonts(project, view, &json)?;
        let json = name_cjk_family(json, &cjk);
        let world = &mut self.world;
        world.reset(today);
        world
            .set_main(view.format.template())
            .map_err(|e| RenderError::Root(e.to_string()))?;
        world.set_virtual(VIEW_PATH, json);
        world.set_virtual(
            FONTS_PATH,
            serde_json::to_vec(&serde_json::json!({ "cjk": cjk }))?,
        );
        references::serve(world, project, view.config.language);
        let start = std::time::Instant::now();
        let Warned { output, warnings } = typst::compile::<PagedDocument>(&*world);
        let compiled = start.elapsed();
        let warnings_text = format_diagnostics(world, &warnings);
        let document =
            output.map_err(|errors| RenderError::Template(format_diagnostics(world, &errors)))?;
        let options = PdfOptions {
            ident: Smart::Custom(format!("evbrief/{}", view.config.title)),
            creator: Smart::Custom(Some(view.generator.clone())),
            timestamp: Some(Timestamp::new_utc(today)),
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

    /// Project files (relative paths) the last compilation read from disk: the templates
    /// and anything they load. Part of an edition's input fingerprint.
    pub fn files_read(&self) -> Vec<String> {
        self.world.disk_files_read()
    }
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

fn format_diagnostics(world: &BriefWorld, diagnostics: &[SourceDiagnostic]) -> String {
    let mut buffer = Buffer::no_color();
    if emit(&mut buffer, world, diagnostics, DiagnosticFormat::Human).is_err() {
        return diagnostics
            .iter()
            .map(|d| format!("error: {}\n", d.message))
            .collect();
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

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
