//! `evbrief templates eject` and `evbrief templates diff`: a project's own copies of the
//! built-in templates ([`crate::render::templates`]), written for customising and
//! compared with the built-in ones.

use std::path::{Path, PathBuf};

use similar::TextDiff;

use crate::render::templates::{BUILTIN, BuiltinTemplate, TEMPLATE_DIR, builtin};

/// Why a templates command could not do its work (each is bad usage: exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum TemplatesError {
    /// The folder holds no `brief.toml`.
    #[error("{} is not a brief project (no brief.toml); create one with `evbrief init DIR`", .0.display())]
    NotAProject(PathBuf),
    /// Names that are no built-in template.
    #[error("no built-in template called {}; the built-in templates are {}", quoted(.0), names())]
    Unknown(Vec<String>),
    /// Files that eject would overwrite.
    #[error("{} already exist{}; nothing was written (`--force` replaces {}, losing your changes)",
            .0.join(", "), if .0.len() == 1 { "s" } else { "" }, if .0.len() == 1 { "it" } else { "them" })]
    Exists(Vec<String>),
    /// A file could not be written or read.
    #[error("cannot {action} {} ({source})", .path.display())]
    Io {
        /// "write" or "read".
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn names() -> String {
    BUILTIN
        .iter()
        .map(|t| t.name.trim_end_matches(".typ"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The built-in templates `names` asks for (`brief` or `brief.typ`), every one when it is
/// empty; unknown names are an error listing them all.
pub fn select(names: &[String]) -> Result<Vec<&'static BuiltinTemplate>, TemplatesError> {
    if names.is_empty() {
        return Ok(BUILTIN.iter().collect());
    }
    let unknown: Vec<String> = names
        .iter()
        .filter(|n| builtin(n).is_none())
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(TemplatesError::Unknown(unknown));
    }
    let mut chosen: Vec<&'static BuiltinTemplate> = Vec::new();
    for t in names.iter().filter_map(|n| builtin(n)) {
        if !chosen.contains(&t) {
            chosen.push(t);
        }
    }
    Ok(chosen)
}

fn ensure_project(root: &Path) -> Result<(), TemplatesError> {
    if root.join("brief.toml").is_file() {
        Ok(())
    } else {
        Err(TemplatesError::NotAProject(root.to_path_buf()))
    }
}

/// The project-relative path of a template (`templates/brief.typ`).
pub fn project_path(t: &BuiltinTemplate) -> String {
    format!("{TEMPLATE_DIR}/{}", t.name)
}

/// Copies the built-in templates `names` (all when empty) into the project's `templates/`
/// for customising. Refuses, writing nothing, when one exists already, unless `force`.
/// Returns the project-relative paths written.
pub fn eject(root: &Path, names: &[String], force: bool) -> Result<Vec<String>, TemplatesError> {
    ensure_project(root)?;
    let chosen = select(names)?;
    if !force {
        let existing: Vec<String> = chosen
            .iter()
            .map(|t| project_path(t))
            .filter(|rel| root.join(rel).exists())
            .collect();
        if !existing.is_empty() {
            return Err(TemplatesError::Exists(existing));
        }
    }
    let mut written = Vec::new();
    for t in chosen {
        let rel = project_path(t);
        let path = root.join(&rel);
        crate::store::write_atomically(&path, t.text.as_bytes()).map_err(|source| {
            TemplatesError::Io {
                action: "write",
                path,
                source,
            }
        })?;
        written.push(rel);
    }
    Ok(written)
}

/// How a project's template compares with the built-in one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateDiff {
    /// The project has no copy: the built-in template is used.
    BuiltIn(String),
    /// The project's copy is the built-in template, byte for byte.
    Same(String),
    /// The project's copy differs: a unified diff from the built-in one to it.
    Differs {
        /// `templates/NAME.typ`.
        path: String,
        /// The unified diff (`--- built-in/NAME.typ`, `+++ templates/NAME.typ`).
        diff: String,
    },
}

/// Compares the project's copies of `names` (all when empty) with the built-in templates.
pub fn diff(root: &Path, names: &[String]) -> Result<Vec<TemplateDiff>, TemplatesError> {
    ensure_project(root)?;
    let mut out = Vec::new();
    for t in select(names)? {
        let rel = project_path(t);
        let path = root.join(&rel);
        if !path.exists() {
            out.push(TemplateDiff::BuiltIn(rel));
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|source| TemplatesError::Io {
            action: "read",
            path: path.clone(),
            source,
        })?;
        let ours = String::from_utf8_lossy(&bytes);
        if ours == t.text {
            out.push(TemplateDiff::Same(rel));
            continue;
        }
        let builtin_name = format!("built-in/{}", t.name);
        let diff = TextDiff::from_lines(t.text, ours.as_ref())
            .unified_diff()
            .context_radius(3)
            .header(&builtin_name, &rel)
            .to_string();
        out.push(TemplateDiff::Differs { path: rel, diff });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("brief.toml"), "").unwrap();
        dir
    }

    #[test]
    fn eject_writes_the_built_in_text_and_refuses_to_overwrite_without_force() {
        let dir = project();
        let written = eject(dir.path(), &["brief".into(), "forest.typ".into()], false).unwrap();
        assert_eq!(written, ["templates/brief.typ", "templates/forest.typ"]);
        let brief = dir.path().join("templates/brief.typ");
        assert_eq!(
            std::fs::read_to_string(&brief).unwrap(),
            builtin("brief").unwrap().text
        );
        std::fs::write(&brief, "mine").unwrap();
        let err = eject(dir.path(), &[], false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "templates/brief.typ, templates/forest.typ already exist; nothing was written \
             (`--force` replaces them, losing your changes)"
        );
        assert_eq!(std::fs::read_to_string(&brief).unwrap(), "mine");
        assert!(!dir.path().join("templates/common.typ").exists());
        eject(dir.path(), &["brief".into()], true).unwrap();
        assert_ne!(std::fs::read_to_string(&brief).unwrap(), "mine");
    }

    #[test]
    fn unknown_names_are_listed_with_the_known_ones() {
        let dir = project();
        let err = eject(dir.path(), &["breif".into(), "x".into()], false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "no built-in template called `breif`, `x`; the built-in templates are brief, \
             handout, slides, common, forest, analyses, prisma"
        );
        assert!(!dir.path().join("templates").exists());
    }

    #[test]
    fn diff_says_which_templates_are_built_in_same_or_changed() {
        let dir = project();
        eject(dir.path(), &["brief".into(), "common".into()], false).unwrap();
        let common = dir.path().join("templates/common.typ");
        let text = std::fs::read_to_string(&common)
            .unwrap()
            .replace("#let cjk-fonts", "#let cjk-fonts-renamed");
        std::fs::write(&common, text).unwrap();
        let diffs = diff(dir.path(), &[]).unwrap();
        assert_eq!(diffs[0], TemplateDiff::Same("templates/brief.typ".into()));
        assert_eq!(
            diffs[1],
            TemplateDiff::BuiltIn("templates/handout.typ".into())
        );
        let TemplateDiff::Differs { path, diff } = &diffs[3] else {
            panic!("{:?}", diffs[3]);
        };
        assert_eq!(path, "templates/common.typ");
        assert!(diff.starts_with("--- built-in/common.typ\n+++ templates/common.typ\n@@ "));
        assert!(diff.contains("\n-#let cjk-fonts = "), "{diff}");
        assert!(diff.contains("\n+#let cjk-fonts-renamed = "), "{diff}");
    }

    #[test]
    fn a_folder_without_brief_toml_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            eject(dir.path(), &[], false),
            Err(TemplatesError::NotAProject(_))
        ));
    }
}
