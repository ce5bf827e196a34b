//! The Typst `World` of a brief: project files on disk plus virtual files in memory.
//!
//! Templates may read files of the project only: every path is resolved inside the
//! project root and refused (also through symlinks) when it would leave it. Generated
//! inputs (the view model, figures) are virtual files that shadow the disk.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_kit::diagnostics::DiagnosticWorld;
use typst_kit::fonts::{FontSource, FontStore};

/// Where the common CJK font packages install a Simplified-Chinese-capable font, checked
/// in order; the first file found is loaded. Debian/Ubuntu `fonts-noto-cjk`, Fedora
/// `google-noto-serif-cjk-fonts`/`google-noto-sans-cjk-fonts`, Arch `noto-fonts-cjk`,
/// then the fonts macOS and Windows ship.
pub const SYSTEM_CJK_FONTS: [&str; 12] = [
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-serif-cjk-fonts/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/Supplemental/Songti.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "C:\\Windows\\Fonts\\simsun.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
];

/// Files a template reads from the project (templates, images, data it loads) larger than
/// this are refused: templates and their assets are small, and Typst would hold the whole
/// file in memory (and a huge template would take minutes to parse).
pub const MAX_TEMPLATE_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A character every Simplified Chinese font has ("中"); a font covering it and "文" counts
/// as a CJK font.
const CJK_PROBE: [char; 2] = ['中', '文'];

/// Which fonts a project's world loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FontOptions {
    /// Also load one installed system CJK font ([`SYSTEM_CJK_FONTS`]); off, a build
    /// depends only on the embedded fonts and the project's `fonts/` folder.
    pub system_cjk: bool,
}

impl Default for FontOptions {
    fn default() -> Self {
        FontOptions { system_cjk: true }
    }
}

/// The embedded fonts (Libertinus Serif, New Computer Modern, DejaVu Sans Mono).
fn embedded_fonts() -> &'static Vec<(Font, FontInfo)> {
    static FONTS: OnceLock<Vec<(Font, FontInfo)>> = OnceLock::new();
    FONTS.get_or_init(|| typst_kit::fonts::embedded().collect())
}

/// Fonts of a project: embedded ones, every font in `<root>/fonts/`, then (when `options`
/// allow) one system CJK font.
///
/// A project's own fonts are read once per process. The system CJK collection (~26 MB)
/// is memory-mapped ([`mapped_faces`]): only the tables the font book needs are read at
/// start, and a face is parsed the first time a document sets text in it, so a brief
/// without Chinese text never reads the rest of the file.
pub fn load_fonts(root: &Path, options: FontOptions) -> FontStore {
    let mut store = FontStore::new();
    store.extend(embedded_fonts().iter().cloned());
    let mut paths: Vec<PathBuf> = fs::read_dir(root.join("fonts"))
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| {
        p.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            matches!(
                e.to_ascii_lowercase().as_str(),
                "ttf" | "otf" | "ttc" | "otc"
            )
        })
    });
    paths.sort();
    for path in paths {
        // Read each file once; the fonts share its bytes instead of re-reading on first use.
        // (Not mapped: a user may overwrite a project font in place during `watch`.)
        let Ok(data) = fs::read(&path) else { continue };
        store.extend(Font::iter(Bytes::new(data)).map(|font| {
            let info = font.info().clone();
            (font, info)
        }));
    }
    // One CJK collection is enough for fallback.
    if options.system_cjk
        && let Some(path) = SYSTEM_CJK_FONTS.iter().map(Path::new).find(|p| p.is_file())
    {
        for (face, info) in mapped_faces(path) {
            store.push((face, info));
        }
    }
    store
}

/// One face of a memory-mapped font file, handed to Typst as a [`Font`] the first time a
/// document asks for it (Typst's `FontStore` keeps it from then on).
struct MappedFace {
    /// The whole file, mapped; the faces of a collection share it.
    data: Bytes,
    /// The face's index in the collection.
    index: u32,
}

impl FontSource for MappedFace {
    fn load(&self) -> Option<Font> {
        Font::new(self.data.clone(), self.index)
    }
}

/// The faces of the font file at `path`, memory-mapped, with the metadata of each (read
/// from the file's tables without parsing the glyphs). An unreadable file gives none.
///
/// Only system fonts are mapped: package managers replace them by renaming a new file into
/// place, so the mapped file never changes under us (a file truncated in place would make
/// reads of the mapping fault).
fn mapped_faces(path: &Path) -> Vec<(MappedFace, FontInfo)> {
    let Ok(file) = fs::File::open(path) else {
        return Vec::new();
    };
    // SAFETY: the mapping is read-only and lives as long as the `Bytes` holding it; the
    // file is a system font, replaced only by rename (see above), never written in place.
    let Ok(map) = (unsafe { memmap2::Mmap::map(&file) }) else {
        return Vec::new();
    };
    let data = Bytes::new(map);
    let count = ttf_parser::fonts_in_collection(data.as_slice()).unwrap_or(1);
    (0..count)
        .filter_map(|index| {
            let info = FontInfo::new(data.as_slice(), index)?;
            Some((
                MappedFace {
                    data: data.clone(),
                    index,
                },
                info,
            ))
        })
        .collect()
}

/// Families of the loaded fonts that can set Simplified Chinese, Simplified-Chinese
/// variants ("… SC") first, each once.
pub fn cjk_families(store: &FontStore) -> Vec<String> {
    let book = store.book();
    let mut families: Vec<String> = Vec::new();
    for index in 0.. {
        let Some(info) = book.info(index) else { break };
        let covers = CJK_PROBE
            .iter()
            .all(|c| info.coverage.contains(u32::from(*c)));
        if covers && !families.contains(&info.family) {
            families.push(info.family.clone());
        }
    }
    // Prefer the Simplified Chinese variants of pan-CJK collections (Noto "… CJK SC").
    families.sort_by_key(|f| !(f.ends_with(" SC") || f.contains(" SC ")));
    families
}

/// A `World` over one brief project, reusable across compilations.
pub struct BriefWorld {
    root: PathBuf,
    canonical_root: PathBuf,
    main: FileId,
    fonts: FontStore,
    library: LazyHash<Library>,
    today: Datetime,
    virtual_files: HashMap<FileId, Bytes>,
    cache: Mutex<HashMap<FileId, FileResult<Bytes>>>,
    /// Parsed sources, kept across compilations: an edited template is reparsed
    /// incrementally, so unchanged parts keep their spans and Typst's memoised results.
    sources: Mutex<HashMap<FileId, Source>>,
}

/// Builds a project-root file id for a path like `/templates/brief.typ`.
pub fn file_id(path: &str) -> Option<FileId> {
    Some(RootedPath::new(VirtualRoot::Project, VirtualPath::new(path).ok()?).intern())
}

impl BriefWorld {
    /// A world rooted at `root` whose main file is `main` (relative to the root).
    ///
    /// `today` is the brief's as-of date, so `datetime.today()` is reproducible.
    pub fn new(
        root: &Path,
        main: &str,
        today: Datetime,
        fonts: FontOptions,
    ) -> Result<Self, FileError> {
        let canonical_root = fs::canonicalize(root).map_err(|e| FileError::from_io(e, root))?;
        let main = file_id(main).ok_or(FileError::AccessDenied)?;
        Ok(BriefWorld {
            root: root.to_path_buf(),
            canonical_root,
            main,
            fonts: load_fonts(root, fonts),
            library: LazyHash::new(Library::builder().build()),
            today,
            virtual_files: HashMap::new(),
            cache: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
        })
    }

    /// Prepares the world for the next compilation: a new date for `datetime.today()`,
    /// no virtual files, and a cleared disk cache so edited templates are read again.
    /// Fonts stay loaded; Typst's memoisation reuses whatever did not change.
    pub fn reset(&mut self, today: Datetime) {
        self.today = today;
        self.virtual_files.clear();
        if let Ok(cache) = self.cache.get_mut() {
            cache.clear();
        }
    }

    /// Makes `path` (e.g. `/templates/handout.typ`) the file compiled next.
    pub fn set_main(&mut self, path: &str) -> Result<(), FileError> {
        self.main = file_id(path).ok_or(FileError::AccessDenied)?;
        Ok(())
    }

    /// Families of the loaded fonts that can set Chinese (see [`cjk_families`]).
    pub fn cjk_families(&self) -> Vec<String> {
        cjk_families(&self.fonts)
    }

    /// Project files (paths relative to the root, `/` separated) read from disk since the
    /// last [`reset`](Self::reset), sorted; failed reads are left out.
    pub fn disk_files_read(&self) -> Vec<String> {
        let Ok(cache) = self.cache.lock() else {
            return Vec::new();
        };
        let mut files: Vec<String> = cache
            .iter()
            .filter(|(_, result)| result.is_ok())
            .map(|(id, _)| id.get().vpath().get_without_slash().to_owned())
            .collect();
        files.sort();
        files
    }

    /// Serves `data` at `path` instead of the disk (view model, font list).
    pub fn set_virtual(&mut self, path: &str, data: Vec<u8>) {
        if let Some(id) = file_id(path) {
            self.virtual_files.insert(id, Bytes::new(data));
        }
    }

    fn read(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(bytes) = self.virtual_files.get(&id) {
            return Ok(bytes.clone());
        }
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|cache| cache.get(&id).cloned());
        let result = cached.unwrap_or_else(|| {
            let result = self.read_disk(id);
            if let Ok(mut cache) = self.cache.lock() {
                cache.insert(id, result.clone());
            }
            result
        });
        // The project has no file of a built-in template's name: the built-in one (the
        // cache keeps the disk's answer, so it is not listed among the files read).
        if matches!(result, Err(FileError::NotFound(_)))
            && let Some(builtin) = builtin_template(id)
        {
            return Ok(builtin);
        }
        result
    }

    fn read_disk(&self, id: FileId) -> FileResult<Bytes> {
        let rooted = id.get();
        if !matches!(rooted.root(), VirtualRoot::Project) {
            return Err(FileError::Other(Some(
                "packages are not available to evbrief templates".into(),
            )));
        }
        let path = rooted
            .vpath()
            .realize(&self.root)
            .map_err(FileError::Realize)?;
        let real = fs::canonicalize(&path).map_err(|e| FileError::from_io(e, &path))?;
        if !real.starts_with(&self.canonical_root) {
            return Err(FileError::AccessDenied);
        }
        let meta = fs::metadata(&real).map_err(|e| FileError::from_io(e, &path))?;
        if meta.is_dir() {
            return Err(FileError::IsDirectory);
        }
        if meta.len() > MAX_TEMPLATE_FILE_BYTES {
            return Err(too_large(rooted.vpath().get_without_slash(), meta.len()));
        }
        fs::read(&real)
            .map(Bytes::new)
            .map_err(|e| FileError::from_io(e, &path))
    }
}

/// The built-in template a project path like `/templates/brief.typ` stands for.
fn builtin_template(id: FileId) -> Option<Bytes> {
    let rooted = id.get();
    if !matches!(rooted.root(), VirtualRoot::Project) {
        return None;
    }
    super::templates::builtin_at(rooted.vpath().get_with_slash())
        .map(|t| Bytes::new(t.text.as_bytes()))
}

/// The error for a project file (`name`, relative to the root) over the size limit.
fn too_large(name: &str, len: u64) -> FileError {
    FileError::Other(Some(
        format!(
            "{name} is {len} bytes; files a template reads may have at most \
             {MAX_TEMPLATE_FILE_BYTES} bytes"
        )
        .into(),
    ))
}

impl World for BriefWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        let bytes = self.read(id)?;
        let text = std::str::from_utf8(&bytes).map_err(|_| FileError::InvalidUtf8)?;
        let Ok(mut sources) = self.sources.lock() else {
            return Ok(Source::new(id, text.to_owned()));
        };
        let source = sources
            .entry(id)
            .and_modify(|s| {
                if s.text() != text {
                    s.replace(text);
                }
            })
            .or_insert_with(|| Source::new(id, text.to_owned()));
        Ok(source.clone())
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.read(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}

/// A file's path relative to the project root, as diagnostics show it.
pub fn file_name(id: FileId) -> String {
    id.get().vpath().get_without_slash().to_owned()
}

impl DiagnosticWorld for BriefWorld {
    fn name(&self, id: FileId) -> String {
        file_name(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_outside_the_project() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        fs::write(dir.path().join("templates/a.typ"), "hi").unwrap();
        let world = BriefWorld::new(
            dir.path(),
            "/templates/a.typ",
            Datetime::from_ymd(2026, 1, 1).unwrap(),
            FontOptions::default(),
        )
        .unwrap();
        assert!(world.file(file_id("/templates/a.typ").unwrap()).is_ok());
        // `..` cannot climb above the virtual root; absolute paths stay inside it.
        let outside = file_id("/../../etc/passwd").map(|id| world.file(id));
        assert!(!matches!(outside, Some(Ok(_))));
        assert!(world.file(file_id("/etc/passwd").unwrap()).is_err());
    }

    #[test]
    fn refuses_files_over_the_size_limit_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("templates")).unwrap();
        fs::write(dir.path().join("templates/a.typ"), "hi").unwrap();
        // A sparse file: its length is over the limit, yet it takes no space on disk.
        let big = fs::File::create(dir.path().join("big.csv")).unwrap();
        big.set_len(MAX_TEMPLATE_FILE_BYTES + 1).unwrap();
        let at_limit = fs::File::create(dir.path().join("ok.csv")).unwrap();
        at_limit.set_len(MAX_TEMPLATE_FILE_BYTES).unwrap();
        let world = BriefWorld::new(
            dir.path(),
            "/templates/a.typ",
            Datetime::from_ymd(2026, 1, 1).unwrap(),
            FontOptions { system_cjk: false },
        )
        .unwrap();
        let Err(FileError::Other(Some(message))) = world.file(file_id("/big.csv").unwrap()) else {
            panic!("a file over the limit must be refused");
        };
        assert_eq!(
            message.as_str(),
            format!(
                "big.csv is {} bytes; files a template reads may have at most {MAX_TEMPLATE_FILE_BYTES} bytes",
                MAX_TEMPLATE_FILE_BYTES + 1
            )
        );
        assert!(world.file(file_id("/ok.csv").unwrap()).is_ok());
    }
}

#[cfg(test)]
mod font_tests {
    use super::*;

    #[test]
    fn a_mapped_font_file_gives_the_same_faces_and_loads_them_on_demand() {
        let dir = tempfile::tempdir().unwrap();
        let (font, info) = &embedded_fonts()[0];
        let path = dir.path().join("face.otf");
        std::fs::write(&path, font.data().as_slice()).unwrap();
        let faces = mapped_faces(&path);
        assert_eq!(faces.len(), 1);
        assert_eq!(faces[0].1.family, info.family);
        let loaded = faces[0].0.load().expect("the face parses");
        assert_eq!(loaded.info().family, info.family);
        assert_eq!(loaded.data().as_slice(), font.data().as_slice());
        assert!(mapped_faces(&dir.path().join("missing.ttc")).is_empty());
    }

    #[test]
    fn without_system_fonts_an_empty_project_has_no_cjk_family() {
        let dir = tempfile::tempdir().unwrap();
        let store = load_fonts(dir.path(), FontOptions { system_cjk: false });
        assert!(cjk_families(&store).is_empty());
    }
}
