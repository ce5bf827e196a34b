//! `evbrief screen` and `evbrief exclude`: reading the inbox, and taking records out of it
//! with a reason.

use crate::data::LoadError;
use crate::data::excluded::Stage;
use crate::inbox::InboxError;
use crate::inbox::screen::{ScreenItem, awaiting, exclude};

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
        .map(|i| i.key.chars().count())
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
        let mut lines = wrap(&item.title, WIDTH - indent.len() - year_width).into_iter();
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
        for l in wrap(&about.join(" · "), WIDTH - indent.len()) {
            out.push_str(&format!("{indent}{l}\n"));
        }
        match &item.abstract_text {
            Some(a) => {
                let lines = wrap(a, WIDTH - indent.len());
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

/// Greedy word wrap at `width` characters (CJK text, which has no spaces, is cut by
/// characters).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(20);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_words_and_lines_are_wrapped() {
        assert_eq!(wrap("a bb ccc", 20), ["a bb ccc"]);
        let long = "x".repeat(45);
        assert_eq!(wrap(&long, 20).len(), 3);
        let text = "word ".repeat(10);
        assert!(wrap(&text, 20).iter().all(|l| l.chars().count() <= 20));
    }
}
