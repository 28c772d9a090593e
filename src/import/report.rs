//! What an import did: counts per file and the first problems, printed as a table.

use std::fmt;

/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 50;

/// What one file did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// The outcome of an import.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<(&'static str, Counts)>,
    /// Byline credits in the `editor` role, left out (编辑 is a staff account here).
    pub editor_credits: usize,
    /// Correspondents created for names printed in bylines.
    pub people_created: usize,
    /// Articles whose printed byline (`byline_text`) credits nobody.
    pub bylines_unread: usize,
    /// Printed editors (`editor_text`, `编辑:`) that match no staff account.
    pub editors_unmatched: usize,
    /// `file:line: problem`, the first few.
    pub problems: Vec<String>,
    pub problem_count: usize,
}

impl Report {
    pub(super) fn problem(&mut self, file: &str, line: usize, message: impl fmt::Display) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(format!("{file}:{line}: {message}"));
        }
    }

    pub fn total(&self) -> Counts {
        self.files
            .iter()
            .fold(Counts::default(), |a, (_, c)| Counts {
                imported: a.imported + c.imported,
                updated: a.updated + c.updated,
                unchanged: a.unchanged + c.unchanged,
                rejected: a.rejected + c.rejected,
            })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        if self.problem_count > self.problems.len() {
            writeln!(
                f,
                "… and {} more problems",
                self.problem_count - self.problems.len()
            )?;
        }
        writeln!(
            f,
            "{:<20} {:>9} {:>9} {:>9} {:>9}",
            "file", "imported", "updated", "unchanged", "rejected"
        )?;
        for (file, c) in &self.files {
            writeln!(
                f,
                "{file:<20} {:>9} {:>9} {:>9} {:>9}",
                c.imported, c.updated, c.unchanged, c.rejected
            )?;
        }
        let t = self.total();
        write!(
            f,
            "{:<20} {:>9} {:>9} {:>9} {:>9}",
            "total", t.imported, t.updated, t.unchanged, t.rejected
        )?;
        if self.people_created > 0 {
            write!(
                f,
                "\n{} correspondents created for names printed in bylines",
                self.people_created
            )?;
        }
        if self.bylines_unread > 0 {
            write!(
                f,
                "\n{} printed bylines credit nobody (left without a byline)",
                self.bylines_unread
            )?;
        }
        if self.editors_unmatched > 0 {
            write!(
                f,
                "\n{} printed editors match no staff account (left without an editor)",
                self.editors_unmatched
            )?;
        }
        if self.editor_credits > 0 {
            write!(f, "\n{} byline credits in the role `editor` were left out: 编辑 is an article's responsible staff editor, not a byline role", self.editor_credits)?;
        }
        Ok(())
    }
}
