//! Reading credits with the scanner: a lead (dateline, credits, the body after them), a line
//! of credits only, and the names after a role word — where they end, and which reading of
//! them makes the most sense.

use super::lexicon::is_han;
use super::lexicon::{Meaning, PHOTO_MARK, REPORTED};
use super::names;
use super::scan::{Chunk, Credit, Credited, Found, Named, Scanner, Stop};
use super::Role;

impl Scanner<'_> {
    /// The lead of `start..end`: credits that open it, and where the body starts.
    pub(super) fn lead(&self, start: usize, end: usize) -> Option<Found> {
        let mut i = self.skip(start, end, |c| c == ' ');
        let mut found = Found::default();
        if let Some((source, after)) = self.dateline_at(i, end) {
            found.source = Some(source);
            i = after;
        }
        i = self.skip(i, end, |c| c == ' ');
        let open = self.at(i) == Some('(');
        if open {
            i += 1;
        }
        let (credits, editor, mut after) = self.credits(i, end, open)?;
        if credits.is_empty() && editor.is_none() && found.source.is_none() {
            return None;
        }
        if open {
            after = self.skip(after, end, |c| c == ' ');
            if self.at(after) == Some(')') {
                after += 1;
            } else if !credits.is_empty() {
                // An unclosed parenthesis: not a credit line we understand.
                return None;
            }
        }
        after = self.skip(after, end, |c| c == ' ');
        if self.starts_with(after, REPORTED) {
            after += 2;
        }
        after = self.skip(after, end, |c| c == ' ' || c == ':');
        found.credits = credits;
        found.editor = editor;
        found.rest_at = Some(after);
        Some(found)
    }

    /// `start..end` as a line of credits only (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`,
    /// `刘建平摄(影像咸宁)`), or `None`.
    pub(super) fn credit_line(&self, start: usize, end: usize) -> Option<Found> {
        let found = self.lead(start, end)?;
        let at = found.rest_at.unwrap_or(end);
        let left: String = self.c[at.min(end)..end].iter().collect();
        let left = left.trim_matches(|c: char| c == ' ' || c == '。' || c == '.' || c == ')');
        // A photo's column after its credit: `刘建平摄(影像咸宁)`.
        let left_ok = left.is_empty()
            || (left.starts_with('(') && left.ends_with(')') && left.chars().count() <= 12)
            || (left.starts_with('(') && !left.contains(')') && left.chars().count() <= 12);
        (left_ok && (!found.credits.is_empty() || found.editor.is_some())).then_some(found)
    }

    /// Credits from `i`: role words and the names after them, affiliations before role words,
    /// the responsible editor. `None` when the text is prose (a role word with no name after it,
    /// as in `记者在现场看到`).
    pub(super) fn credits(&self, mut i: usize, end: usize, in_parens: bool) -> Option<Credited> {
        let mut credits: Vec<Credit> = Vec::new();
        let mut editor = None;
        let mut affiliation: Option<String> = None;
        let mut short = true;
        loop {
            i = self.skip(i, end, |c| matches!(c, ' ' | ',' | '、' | ';'));
            if i >= end || (in_parens && self.at(i) == Some(')')) {
                return Some((credits, editor, i));
            }
            if let Some((meanings, len)) = self.role_at(i, short) {
                let start_of_role = i;
                i += len;
                i = self.skip(i, end, |c| matches!(c, ' ' | ':' | '/' | '|'));
                if meanings == [Meaning::Editor] {
                    // `编辑:hefan`, `责任编辑 王芳`; not `编辑部收到…`.
                    let delimited = i > start_of_role + len;
                    let (name, after) = self.editor_name(i, end);
                    let chars: Vec<char> = name.chars().collect();
                    if name.is_empty() || !(delimited || names::is_name(&chars)) {
                        return if credits.is_empty() {
                            None
                        } else {
                            Some((credits, editor, start_of_role))
                        };
                    }
                    editor = Some(name);
                    i = after;
                    continue;
                }
                let roles: Vec<Role> = meanings
                    .iter()
                    .filter_map(|m| match m {
                        Meaning::Credit(r) => Some(*r),
                        Meaning::Editor => None,
                    })
                    .collect();
                let (named, after, stop) = self.names(i, end, in_parens);
                if named.is_empty() {
                    // A role word followed by no name is prose, unless credits came before.
                    return if credits.is_empty() {
                        None
                    } else {
                        Some((credits, editor, i - len))
                    };
                }
                for (name, photo) in named {
                    let own: &[Role] = if photo { &[Role::Photographer] } else { &roles };
                    for role in own {
                        credits.push(Credit {
                            name: name.clone(),
                            role: *role,
                            affiliation: affiliation.clone(),
                        });
                    }
                }
                affiliation = None;
                short = true;
                match stop {
                    Stop::Role => i = after,
                    Stop::Affiliation(aff, at) => {
                        affiliation = Some(aff);
                        i = at;
                    }
                    Stop::Body(at) => return Some((credits, editor, at)),
                    Stop::Hard => i = after,
                }
                continue;
            }
            if affiliation.is_none() {
                if let Some((aff, at)) = self.affiliation(i, end) {
                    affiliation = Some(aff);
                    i = at;
                    short = false;
                    continue;
                }
            }
            // `刘建平摄`: a name and the photo mark, no role word before.
            if credits.is_empty() {
                if let Some((name, after)) = self.photo_credit(i, end) {
                    credits.push(Credit {
                        name,
                        role: Role::Photographer,
                        affiliation: affiliation.take(),
                    });
                    return Some((credits, editor, after));
                }
            }
            return if credits.is_empty() && editor.is_none() && affiliation.is_some() {
                None
            } else {
                Some((credits, editor, i))
            };
        }
    }

    /// The names after a role word, to the next role word, parenthesis, line end or body.
    pub(super) fn names(
        &self,
        mut i: usize,
        end: usize,
        in_parens: bool,
    ) -> (Vec<Named>, usize, Stop) {
        let mut chunks: Vec<Chunk> = Vec::new();
        let stop;
        loop {
            if i >= end {
                stop = Stop::Hard;
                break;
            }
            if self.role_at(i, true).is_some() || self.starts_with(i, REPORTED) {
                stop = Stop::Role;
                break;
            }
            let start = i;
            while i < end && is_han(self.c[i]) {
                if i > start && (self.role_at(i, false).is_some() || self.starts_with(i, REPORTED))
                {
                    break;
                }
                i += 1;
            }
            if i == start {
                stop = Stop::Hard;
                break;
            }
            let after = self.at(i).filter(|_| i < end);
            chunks.push(Chunk {
                start,
                end: i,
                then: after,
            });
            match after {
                Some(' ' | '、' | ',' | ';') => {
                    i = self.skip(i, end, |c| matches!(c, ' ' | '、' | ',' | ';'));
                }
                Some(c) if is_han(c) => {
                    // A role word or 报道 follows directly.
                    stop = Stop::Role;
                    break;
                }
                _ => {
                    stop = Stop::Hard;
                    break;
                }
            }
        }
        self.interpret(&chunks, i, stop, in_parens)
    }

    /// Chunks of text between separators, read as names; outside parentheses the names may run
    /// into the body, and the reading that makes the most sense of both wins.
    pub(super) fn interpret(
        &self,
        chunks: &[Chunk],
        end: usize,
        stop: Stop,
        in_parens: bool,
    ) -> (Vec<Named>, usize, Stop) {
        let mut named: Vec<Named> = Vec::new();
        let mut k = 0;
        while k < chunks.len() {
            let Chunk {
                start: s,
                end: e,
                then,
            } = chunks[k];
            let chunk = &self.c[s..e];
            let last = k + 1 == chunks.len();
            if chunk.len() == 1 {
                // `刘建平 摄`: the mark makes the name before it the photographer's.
                if chunk[0] == PHOTO_MARK && !named.is_empty() {
                    if let Some(prev) = named.last_mut() {
                        prev.1 = true;
                    }
                    k += 1;
                    continue;
                }
                // `王 芳`: a surname and one character, set apart by a padding space.
                if let (Some(' '), Some(next)) = (then, chunks.get(k + 1)) {
                    let pair = [chunk[0], self.c[next.start]];
                    if next.end == next.start + 1 && names::is_name(&pair) {
                        named.push((pair.iter().collect(), false));
                        k += 2;
                        continue;
                    }
                }
                return (named, s, Stop::Hard);
            }
            // The organisation that the role word right after it belongs to.
            if last && stop == Stop::Role && self.is_affiliation(chunk) {
                return (named, s, Stop::Affiliation(self.text(s, e), e));
            }
            // `刘建平摄`.
            if chunk.len() >= 3
                && chunk[chunk.len() - 1] == PHOTO_MARK
                && names::is_name(&chunk[..chunk.len() - 1])
            {
                named.push((chunk[..chunk.len() - 1].iter().collect(), true));
                k += 1;
                continue;
            }
            let whole = names::split_scored(chunk);
            // Where the names are bounded (parentheses, a role word or a name separator after
            // them), the chunk is names or nothing.
            let bounded = in_parens
                || (last && stop == Stop::Role)
                || (!last && matches!(then, Some(' ' | '、')))
                || (last && !self.runs_on(e) && !matches!(then, Some(',' | ';')));
            if bounded {
                match whole {
                    Some((names, _)) => named.extend(names.into_iter().map(|n| (n, false))),
                    None => return (named, s, Stop::Hard),
                }
                k += 1;
                continue;
            }
            // The names may run on into the body here: a name and then text, if that reads
            // better than names alone (`王旦|一根…`, `罗图强|日前…`).
            let first_after_role = k == 0;
            let body = names::leading_name(chunk)
                .filter(|l| l.len < chunk.len())
                .filter(|l| first_after_role || l.follows >= 0.8);
            match (whole, body) {
                (Some((_, w)), Some(b)) if b.score > w => {
                    named.push((chunk[..b.len].iter().collect(), false));
                    return (named, s + b.len, Stop::Body(s + b.len));
                }
                (Some((names, _)), _) => named.extend(names.into_iter().map(|n| (n, false))),
                (None, Some(b)) => {
                    named.push((chunk[..b.len].iter().collect(), false));
                    return (named, s + b.len, Stop::Body(s + b.len));
                }
                (None, None) => return (named, s, Stop::Body(s)),
            }
            k += 1;
        }
        // Names that end where digits or text follow without a separator: the body starts.
        match (stop, chunks.last()) {
            (Stop::Hard, Some(c)) if !in_parens && self.runs_on(c.end) => {
                (named, c.end, Stop::Body(c.end))
            }
            (stop, _) => (named, end, stop),
        }
    }
}
