//! `evbrief screen` and `evbrief exclude`: reading the inbox, and taking records out of it
//! with a reason.

use crate::data::LoadError;
use crate::data::excluded::Stage;
use crate::inbox::InboxError;
use crate::inbox::screen::{ScreenItem, awaiting, exclude};
use crate::text::{display_width, wrap_columns};

use super::inbox::report_inbox_error;
use super::*;

/// Width the listing is wrapped to.
const WIDTH: usize = 88;
/// Abstract lines shown per record.
const ABSTRACT_LINES: usize = 3;

pub(super) fn run_screen(args: &ScreenArgs) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            false,
        );
    }
    match awaiting(root) {
        Ok(items) => {
            print!("{}", listing(&items));
            0
        }
        Err(e) => report_inbox_error(&e, false),
    }
}

pub(super) fn run_exclude(args: &ExcludeArgs, quiet: bool) -> i32 {
    let root = &args.project.project;
    if !root.join("brief.toml").is_file() {
        return report_inbox_error(
            &InboxError::Load(LoadError::NotAProject(root.clone())),
            quiet,
        );
    }
    let stage = match args.stage {
        StageArg::TitleAbstract => Stage::TitleAbstract,
        StageArg::FullText => Stage::FullText,
    };
    match exclude(root, &args.keys, &args.reason, stage, today()) {
        Ok(done) => {
            if !quiet {
                for d in &done {
                    let file = d.file.strip_prefix(root).unwrap_or(&d.file);
                    println!(
                        "excluded {} at {} screening → {}",
                        d.key,
                        stage.name(),
                        file.display()
                    );
                }
            }
            0
        }
        Err(e) => report_inbox_error(&e, quiet),
    }
}

/// The screening list as printed: a count, then one block per record.
fn listing(items: &[ScreenItem]) -> String {
    let mut out = String::new();
    if items.is_empty() {
        out.push_str("the inbox is empty: no records await assessment\n");
        return out;
    }
    let noun = if items.len() == 1 {
        "record awaits"
    } else {
        "records await"
    };
    out.push_str(&format!(
        "{} {noun} assessment in {} (include: evbrief new-study KEY; exclude: evbrief exclude KEY --reason TEXT)\n",
        items.len(),
        crate::data::INBOX_DIR
    ));
    let key_width = items
        .iter()
        .map(|i| display_width(&i.key))
        .max()
        .unwrap_or(0)
        .max(8);
    let indent = " ".repeat(key_width + 2);
    for item in items {
        out.push('\n');
        let year = item
            .year
            .map_or_else(|| "n.d.".to_owned(), |y| y.to_string());
        let year_width = year.chars().count() + 2;
        let mut lines = wrap_columns(&item.title, WIDTH - indent.len() - year_width).into_iter();
        out.push_str(&format!(
            "{:<key_width$}  {year}  {}\n",
            item.key,
            lines.next().unwrap_or_default()
        ));
        for l in lines {
            out.push_str(&format!("{indent}{}{l}\n", " ".repeat(year_width)));
        }
        let mut about = Vec::new();
        if let Some(j) = &item.journal {
            about.push(j.clone());
        }
        about.push(item.origin_text());
        for l in wrap_columns(&about.join(" · "), WIDTH - indent.len()) {
            out.push_str(&format!("{indent}{l}\n"));
        }
        match &item.abstract_text {
            Some(a) => {
                let lines = wrap_columns(a, WIDTH - indent.len());
                let more = lines.len() > ABSTRACT_LINES;
                for (i, l) in lines.into_iter().take(ABSTRACT_LINES).enumerate() {
                    let end = if more && i + 1 == ABSTRACT_LINES {
                        " …"
                    } else {
                        ""
                    };
                    out.push_str(&format!("{indent}| {l}{end}\n"));
                }
            }
            None => out.push_str(&format!("{indent}| (no abstract)\n")),
        }
    }
    out
}
