//! The templates built into evbrief, and the schema check of a project's own copies.
//!
//! The repository's `templates/*.typ` are compiled into the binary. A project uses them
//! unless it has its own `templates/NAME.typ`, file by file (as mdBook themes work): the
//! world serves a built-in template wherever the project has no file of that name.
//!
//! Each template starts with `// evbrief-schema: N`, the version of the view model it is
//! written for ([`VIEW_SCHEMA`], also in the view model as `schema`). A project's own
//! template with another number, or without the line, is refused before Typst runs, with
//! a message naming the file, both numbers and how to update, instead of a Typst error
//! deep inside the template.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

pub use crate::view::document::VIEW_SCHEMA;

use super::{TemplateProblem, TemplateProblems};

/// The folder of a project's own templates, relative to its root.
pub const TEMPLATE_DIR: &str = "templates";

/// The marker of the schema line: `// evbrief-schema: 1`.
pub const SCHEMA_MARKER: &str = "// evbrief-schema:";

/// How much of a project template is read to find its schema line (it is among the first
/// lines; a 50 MB template is not read whole here).
const HEAD_BYTES: u64 = 8 * 1024;

/// One template built into the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinTemplate {
    /// The file name (`brief.typ`).
    pub name: &'static str,
    /// What it is for, for `evbrief templates` listings.
    pub purpose: &'static str,
    /// Its text.
    pub text: &'static str,
}

/// Every built-in template, in the order they are listed.
pub const BUILTIN: [BuiltinTemplate; 7] = [
    BuiltinTemplate {
        name: "brief.typ",
        purpose: "the evidence brief",
        text: include_str!("../../templates/brief.typ"),
    },
    BuiltinTemplate {
        name: "handout.typ",
        purpose: "the two-page journal-club handout",
        text: include_str!("../../templates/handout.typ"),
    },
    BuiltinTemplate {
        name: "slides.typ",
        purpose: "the 16:9 slide deck",
        text: include_str!("../../templates/slides.typ"),
    },
    BuiltinTemplate {
        name: "common.typ",
        purpose: "pieces every format shares",
        text: include_str!("../../templates/common.typ"),
    },
    BuiltinTemplate {
        name: "forest.typ",
        purpose: "the forest plot",
        text: include_str!("../../templates/forest.typ"),
    },
    BuiltinTemplate {
        name: "analyses.typ",
        purpose: "the analyses beyond the comparisons",
        text: include_str!("../../templates/analyses.typ"),
    },
    BuiltinTemplate {
        name: "prisma.typ",
        purpose: "the PRISMA flow diagram",
        text: include_str!("../../templates/prisma.typ"),
    },
];

/// The built-in template called `name` (`brief.typ`, or `brief` without the ending).
pub fn builtin(name: &str) -> Option<&'static BuiltinTemplate> {
    BUILTIN
        .iter()
        .find(|t| t.name == name || t.name.strip_suffix(".typ") == Some(name))
}

/// The built-in template a world path such as `/templates/brief.typ` stands for.
pub fn builtin_at(vpath: &str) -> Option<&'static BuiltinTemplate> {
    let name = vpath
        .trim_start_matches('/')
        .strip_prefix(TEMPLATE_DIR)?
        .strip_prefix('/')?;
    BUILTIN.iter().find(|t| t.name == name)
}

/// What a template's schema line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaLine {
    /// `// evbrief-schema: N` on line `line` (1-based).
    Found {
        /// The schema number.
        schema: u32,
        /// Its line.
        line: usize,
    },
    /// A schema line whose number cannot be read.
    Unreadable {
        /// What follows the marker.
        text: String,
        /// Its line.
        line: usize,
    },
    /// No schema line among the template's leading comment lines.
    Missing,
}

/// Finds the schema line among the leading comment and blank lines of `text`.
pub fn schema_line(text: &str) -> SchemaLine {
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix(SCHEMA_MARKER) {
            let rest = rest.trim();
            return match rest.parse() {
                Ok(schema) => SchemaLine::Found {
                    schema,
                    line: i + 1,
                },
                Err(_) => SchemaLine::Unreadable {
                    text: rest.to_owned(),
                    line: i + 1,
                },
            };
        }
        if !(line.is_empty() || line.starts_with("//")) {
            break;
        }
    }
    SchemaLine::Missing
}

/// The project's own copies of built-in templates (`templates/NAME.typ` with a built-in
/// NAME) that are written for another schema, or say none: one located problem each, with
/// how to update. Files that cannot be read are left to the compiler to report.
pub fn check_project_templates(root: &Path) -> TemplateProblems {
    let mut problems = Vec::new();
    for template in &BUILTIN {
        let rel = format!("{TEMPLATE_DIR}/{}", template.name);
        let Some(head) = read_head(&root.join(&rel)) else {
            continue;
        };
        if let Some(problem) = schema_problem(&rel, template, &head) {
            problems.push(problem);
        }
    }
    TemplateProblems(problems)
}

/// The first [`HEAD_BYTES`] of a file as text (a cut character at the end dropped), or
/// `None` when it cannot be read.
fn read_head(path: &Path) -> Option<String> {
    let file = std::fs::File::open(path).ok()?;
    if !file.metadata().ok()?.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(HEAD_BYTES).read_to_end(&mut bytes).ok()?;
    Some(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            String::from_utf8_lossy(&e.into_bytes()[..valid]).into_owned()
        }
    })
}

/// What changed from schema 1 to 2, for a template written for schema 1.
const SCHEMA_1_TO_2: &str = "  = help: schema 2 prints citations and references as evbrief formats them: \
     `cite(label(k))` becomes `cite-key(k)`, `bibliography(...)` becomes \
     `reference-list(d.references)`, `cite(label(k), form: \"full\")` becomes \
     `show-runs(a.text)` for each `a` of `d.references.awaiting` (all from `common.typ`)\n";

/// The problem of the project template `rel` (a copy of `template`) whose text begins
/// with `head`, if it is not written for [`VIEW_SCHEMA`].
fn schema_problem(rel: &str, template: &BuiltinTemplate, head: &str) -> Option<TemplateProblem> {
    let version = env!("CARGO_PKG_VERSION");
    let (line, what) = match schema_line(head) {
        SchemaLine::Found { schema, .. } if schema == VIEW_SCHEMA => return None,
        SchemaLine::Found { schema, line } => (
            line,
            format!(
                "this template is written for view-model schema {schema}, but evbrief \
                 {version} gives schema {VIEW_SCHEMA}"
            ),
        ),
        SchemaLine::Unreadable { text, line } => (
            line,
            format!(
                "`{text}` is not a schema number; evbrief {version} gives view-model \
                 schema {VIEW_SCHEMA}"
            ),
        ),
        SchemaLine::Missing => (
            1,
            format!(
                "this template has no `{SCHEMA_MARKER} N` line, so it may be written for \
                 another view model; evbrief {version} gives schema {VIEW_SCHEMA}"
            ),
        ),
    };
    let stem = template.name.trim_end_matches(".typ");
    let mut snippet = format!(
        "  = help: see how it differs from the built-in template: `evbrief templates diff {stem}`\n"
    );
    if matches!(schema_line(head), SchemaLine::Found { schema: 1, .. }) {
        snippet.push_str(SCHEMA_1_TO_2);
    }
    snippet.push_str(&format!(
        "  = help: then bring it up to date and set `{SCHEMA_MARKER} {VIEW_SCHEMA}`, or replace it \
         with the built-in one (your changes are lost): `evbrief templates eject --force {stem}`\n\n"
    ));
    Some(TemplateProblem {
        located: format!("{rel}:{line}:1: error: {what}"),
        snippet,
    })
}

/// True when the project at `root` uses at least one built-in template (has no file of
/// its name in `templates/`).
pub fn uses_builtin(root: &Path) -> bool {
    BUILTIN
        .iter()
        .any(|t| !root.join(TEMPLATE_DIR).join(t.name).is_file())
}

/// SHA-256 (hex) of every built-in template: part of the input fingerprint of a project
/// that uses them, so a new evbrief with new templates makes a new edition.
pub fn builtin_hash() -> String {
    let mut hasher = Sha256::new();
    for t in &BUILTIN {
        hasher.update(format!("{}\0{}\0", t.name, t.text.len()).as_bytes());
        hasher.update(t.text.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_template_is_written_for_the_current_schema() {
        for t in &BUILTIN {
            assert!(
                matches!(schema_line(t.text), SchemaLine::Found { schema, line: 1 } if schema == VIEW_SCHEMA),
                "{}",
                t.name
            );
        }
    }

    #[test]
    fn every_template_of_the_repository_is_built_in() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(TEMPLATE_DIR);
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".typ"))
            .collect();
        names.sort();
        let mut builtin: Vec<&str> = BUILTIN.iter().map(|t| t.name).collect();
        builtin.sort();
        assert_eq!(names, builtin, "add a new template to BUILTIN");
    }

    #[test]
    fn finds_names_with_and_without_the_ending() {
        assert_eq!(builtin("brief").unwrap().name, "brief.typ");
        assert_eq!(builtin("forest.typ").unwrap().name, "forest.typ");
        assert!(builtin("brief.toml").is_none());
        assert_eq!(
            builtin_at("/templates/common.typ").unwrap().name,
            "common.typ"
        );
        assert!(builtin_at("/templates/parts/common.typ").is_none());
        assert!(builtin_at("/common.typ").is_none());
    }

    #[test]
    fn reads_the_schema_line_among_the_leading_comments_only() {
        assert_eq!(
            schema_line("// my brief\n\n// evbrief-schema: 7\n= Hi"),
            SchemaLine::Found { schema: 7, line: 3 }
        );
        assert_eq!(
            schema_line("= Hi\n// evbrief-schema: 1\n"),
            SchemaLine::Missing
        );
        assert_eq!(
            schema_line("// evbrief-schema: one\n"),
            SchemaLine::Unreadable {
                text: "one".into(),
                line: 1
            }
        );
    }

    #[test]
    fn a_project_template_of_another_schema_is_located_with_the_way_to_update() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("templates/brief.typ"), "= Old\n").unwrap();
        std::fs::write(
            dir.path().join("templates/forest.typ"),
            "// forest\n// evbrief-schema: 0\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("templates/handout.typ"),
            format!("// evbrief-schema: {VIEW_SCHEMA}\n"),
        )
        .unwrap();
        // Not a built-in name: the project's own part, not checked.
        std::fs::write(dir.path().join("templates/parts.typ"), "= Parts\n").unwrap();
        let problems = check_project_templates(dir.path());
        let located: Vec<&str> = problems.0.iter().map(|p| p.located.as_str()).collect();
        let version = env!("CARGO_PKG_VERSION");
        assert_eq!(
            located,
            [
                format!(
                    "templates/brief.typ:1:1: error: this template has no `// evbrief-schema: N` \
                     line, so it may be written for another view model; evbrief {version} gives \
                     schema {VIEW_SCHEMA}"
                ),
                format!(
                    "templates/forest.typ:2:1: error: this template is written for view-model \
                     schema 0, but evbrief {version} gives schema {VIEW_SCHEMA}"
                ),
            ]
        );
        assert!(
            problems.0[0]
                .snippet
                .contains("`evbrief templates eject --force brief`")
        );
        assert!(
            problems.0[1]
                .snippet
                .contains("`evbrief templates diff forest`")
        );
        assert!(uses_builtin(dir.path()));
    }
}
