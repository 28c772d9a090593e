//! The credit-line parser: `咸宁新闻网讯 (记者叶和平 通讯员沈荣华)10日,…` into a source, credits
//! (name, role, affiliation) and the text that follows; `编辑:hefan` into the responsible editor.
//! Pure: no database (matching names to correspondents is [`super::queries`]'s).
//!
//! The text is read as a lead (a dateline, credits in parentheses or not, then the body) and as
//! credit lines (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`, a caption's closing `刘建平摄`). Full-width
//! and half-width punctuation are the same to it. Names are told from text by
//! [`super::names`]; a role word or the end of the names ends a credit.

use super::lexicon::{
    is_organisation, Meaning, AGENCIES, PHOTO_MARK, PUBLICATION_ENDINGS, REPORTED, REPORTER_TITLES,
    ROLE_WORDS, SHORT_ROLE_WORDS,
};
use super::names;
use super::Role;

/// One credited person, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub name: String,
    pub role: Role,
    /// The publication or unit printed before the role word (`香城都市报`), if any.
    pub affiliation: Option<String>,
}

/// What a text credits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The dateline's publication (`咸宁新闻网`, `本报`, `新华社`).
    pub source: Option<String>,
    pub credits: Vec<Credit>,
    /// The responsible editor, as printed after 编辑 (`hefan`).
    pub editor: Option<String>,
    /// The text after credits that open it (the body of a lead), else empty.
    pub rest: String,
}

/// Whether `c` is a Chinese character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Full-width and other variants folded to one form, character for character (so positions
/// in the folded text are positions in the original).
fn fold(c: char) -> char {
    match c {
        '（' | '〔' => '(',
        '）' | '〕' => ')',
        '：' => ':',
        '，' | '﹐' => ',',
        '；' => ';',
        '﹑' => '、',
        '／' => '/',
        '•' | '・' | '‧' | '·' => '·',
        '\u{3000}' | '\u{a0}' | '\t' | '\u{2002}' | '\u{2003}' => ' ',
        '\r' => '\n',
        other => other,
    }
}

/// Parses `text`.
pub fn parse(text: &str) -> Parsed {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = original.iter().map(|c| fold(*c)).collect();
    let s = Scanner { c: &folded };
    let mut out = Parsed::default();
    let lines = line_ranges(&folded);
    let mut credit_lines = Vec::new();
    let mut rest_from = None;
    for (k, &(start, end)) in lines.iter().enumerate() {
        // The lead: the first line with text, unless it is all credits.
        if k == first_with_text(&folded, &lines) && s.credit_line(start, end).is_none() {
            if let Some(lead) = s.lead(start, end) {
                out.source = lead.source;
                out.credits.extend(lead.credits);
                if lead.editor.is_some() {
                    out.editor = lead.editor;
                }
                if let Some(at) = lead.rest_at {
                    rest_from = Some((k, at));
                }
                continue;
            }
        }
        if let Some(line) = s.credit_line(start, end) {
            if out.source.is_none() {
                out.source = line.source;
            }
            out.credits.extend(line.credits);
            if line.editor.is_some() {
                out.editor = line.editor;
            }
            credit_lines.push(k);
            continue;
        }
        // A caption closing with its credit: `…村民在纺布。刘建平摄(影像咸宁)。`
        if let Some(from) = s.last_sentence(start, end) {
            if let Some(line) = s.credit_line(from, end) {
                out.credits.extend(line.credits);
            }
        }
    }
    if let Some((k, at)) = rest_from {
        let mut parts: Vec<String> = vec![original[at..lines[k].1].iter().collect()];
        for (j, &(start, end)) in lines.iter().enumerate().skip(k + 1) {
            if !credit_lines.contains(&j) {
                parts.push(original[start..end].iter().collect());
            }
        }
        out.rest = parts.join("\n").trim().to_owned();
    }
    out
}

/// `line` when it is credits and nothing else (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`,
/// `刘建平摄(影像咸宁)`), else `None` — a caption that ends with a credit is not one.
pub fn credit_line(line: &str) -> Option<Parsed> {
    let folded: Vec<char> = line.chars().map(fold).collect();
    let found = Scanner { c: &folded }.credit_line(0, folded.len())?;
    Some(Parsed {
        source: found.source,
        credits: found.credits,
        editor: found.editor,
        rest: String::new(),
    })
}

fn line_ranges(c: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, ch) in c.iter().enumerate() {
        if *ch == '\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, c.len()));
    out
}

fn first_with_text(c: &[char], lines: &[(usize, usize)]) -> usize {
    lines
        .iter()
        .position(|&(s, e)| c[s..e].iter().any(|ch| !ch.is_whitespace()))
        .unwrap_or(0)
}

/// Credits found in a stretch of text, and where the text after them starts.
#[derive(Debug, Default)]
struct Found {
    source: Option<String>,
    credits: Vec<Credit>,
    editor: Option<String>,
    /// Where the body starts (a lead), `None` when nothing was credited.
    rest_at: Option<usize>,
}

/// Why a run of names ended.
#[derive(Debug, Clone, PartialEq)]
enum Stop {
    /// At a role word (the next credit) or `报道`.
    Role,
    /// At text that names an organisation right before the next role word.
    Affiliation(String, usize),
    /// The names ran into the body at this position.
    Body(usize),
    /// At a parenthesis, the end of the line or punctuation.
    Hard,
}

/// A name, and whether a 摄 after it makes it the photographer's.
type Named = (String, bool);

/// Credits, the editor, and where they end.
type Credited = (Vec<Credit>, Option<String>, usize);

/// A run of Chinese text between separators, and the character after it.
#[derive(Debug, Clone, Copy)]
struct Chunk {
    start: usize,
    end: usize,
    then: Option<char>,
}

struct Scanner<'a> {
    c: &'a [char],
}

impl Scanner<'_> {
    fn at(&self, i: usize) -> Option<char> {
        self.c.get(i).copied()
    }

    fn starts_with(&self, i: usize, word: &str) -> bool {
        (i..).zip(word.chars()).all(|(k, w)| self.at(k) == Some(w))
    }

    fn skip(&self, mut i: usize, end: usize, what: impl Fn(char) -> bool) -> usize {
        while i < end && what(self.c[i]) {
            i += 1;
        }
        i
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.c[from..to].iter().filter(|c| **c != ' ').collect()
    }

    /// The role word at `i`: its meanings (several for `文/图`) and length. One-character role
    /// words count only where `short` allows and a delimiter follows.
    fn role_at(&self, i: usize, short: bool) -> Option<(Vec<Meaning>, usize)> {
        let (first, len) = self.single_role_at(i, short)?;
        let mut meanings = vec![first];
        let mut k = i + len;
        // `文/图`, `图·文`, `文/记者`: roles joined by a slash or a dot.
        while matches!(self.at(k), Some('/' | '·')) {
            match self.single_role_at(k + 1, true) {
                Some((m, l)) if !matches!(m, Meaning::Editor) => {
                    meanings.push(m);
                    k += 1 + l;
                }
                _ => break,
            }
        }
        Some((meanings, k - i))
    }

    fn single_role_at(&self, i: usize, short: bool) -> Option<(Meaning, usize)> {
        // Titles before 记者 (and before 通讯员, 摄影记者): `咸宁日报全媒体记者`.
        let mut k = i;
        'titles: loop {
            for t in REPORTER_TITLES {
                if self.starts_with(k, t) {
                    k += t.chars().count();
                    continue 'titles;
                }
            }
            break;
        }
        let titled = k > i;
        for (word, meaning) in ROLE_WORDS {
            if self.starts_with(k, word) && (!titled || matches!(meaning, Meaning::Credit(_))) {
                return Some((meaning, k - i + word.chars().count()));
            }
        }
        if titled || !short {
            return None;
        }
        let c = self.at(i)?;
        let (_, role) = SHORT_ROLE_WORDS.iter().find(|(w, _)| *w == c)?;
        // `图文` / `文图` followed by a delimiter is both.
        let delimited = |k: usize| matches!(self.at(k), None | Some('/' | '·' | ':' | ' ' | '\n'));
        if delimited(i + 1) {
            return Some((Meaning::Credit(*role), 1));
        }
        None
    }

    /// A dateline at `i`: `咸宁新闻网讯`, `本报讯` (→ `本报`), `新华社武汉4月9日电` (→ `新华社`).
    fn dateline_at(&self, i: usize, end: usize) -> Option<(String, usize)> {
        // X讯, X a publication.
        for k in i + 2..(i + 16).min(end) {
            let ch = self.c[k];
            if !is_han(ch) {
                break;
            }
            if ch == '讯' && PUBLICATION_ENDINGS.contains(&self.c[k - 1]) {
                return Some((self.text(i, k), k + 1));
            }
        }
        // Agency + place + date + 电.
        let agency = AGENCIES
            .iter()
            .find(|a| self.starts_with(i, a))
            .map(|a| a.chars().count())
            .or_else(|| {
                (i + 2..(i + 7).min(end))
                    .take_while(|k| is_han(self.c[*k - 1]))
                    .find(|k| PUBLICATION_ENDINGS.contains(&self.c[*k - 1]))
                    .map(|k| k - i)
            })?;
        let mut k = i + agency;
        while k < end.min(i + agency + 16) {
            let ch = self.c[k];
            if ch == '电' {
                let follows = self.at(k + 1);
                let clean =
                    follows.is_none_or(|f| !is_han(f) || self.role_at(k + 1, true).is_some());
                return clean.then(|| (self.text(i, i + agency), k + 1));
            }
            if !(is_han(ch) || ch.is_ascii_digit()) {
                return None;
            }
            k += 1;
        }
        None
    }

    /// The lead of `start..end`: credits that open it, and where the body starts.
    fn lead(&self, start: usize, end: usize) -> Option<Found> {
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
    fn credit_line(&self, start: usize, end: usize) -> Option<Found> {
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

    /// Where the last sentence of `start..end` begins, when there is more than one.
    fn last_sentence(&self, start: usize, end: usize) -> Option<usize> {
        let mut e = end;
        while e > start && matches!(self.c[e - 1], '。' | ' ' | '.') {
            e -= 1;
        }
        (start..e)
            .rev()
            .find(|k| matches!(self.c[*k], '。' | '！' | '？' | '!' | '?'))
            .map(|k| k + 1)
    }

    /// Credits from `i`: role words and the names after them, affiliations before role words,
    /// the responsible editor. `None` when the text is prose (a role word with no name after it,
    /// as in `记者在现场看到`).
    fn credits(&self, mut i: usize, end: usize, in_parens: bool) -> Option<Credited> {
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

    /// The editor's name after 编辑: up to the next space, parenthesis or line end.
    fn editor_name(&self, i: usize, end: usize) -> (String, usize) {
        let stop = (i..end)
            .find(|k| matches!(self.c[*k], ' ' | ')' | '(' | ',' | '、' | ';' | '。'))
            .unwrap_or(end);
        (self.c[i..stop].iter().collect(), stop)
    }

    /// Text right before a role word that is not a name: the credit's affiliation
    /// (`香城都市报`, `咸宁日报` of `咸宁日报全媒体记者`).
    fn affiliation(&self, i: usize, end: usize) -> Option<(String, usize)> {
        let mut k = i;
        while k < end && k < i + 20 && is_han(self.c[k]) {
            if k > i + 1 && self.role_at(k, false).is_some() {
                return Some((self.text(i, k), k));
            }
            k += 1;
        }
        None
    }

    /// `刘建平摄` at `i`: the name and where the credit ends.
    fn photo_credit(&self, i: usize, end: usize) -> Option<(String, usize)> {
        let stop = self.skip(i, end, |c| is_han(c) || c == ' ');
        let run: Vec<char> = self.c[i..stop]
            .iter()
            .copied()
            .filter(|c| *c != ' ')
            .collect();
        let (last, name) = run.split_last()?;
        (*last == PHOTO_MARK && names::is_name(name)).then(|| (name.iter().collect(), stop))
    }

    /// The names after a role word, to the next role word, parenthesis, line end or body.
    fn names(&self, mut i: usize, end: usize, in_parens: bool) -> (Vec<Named>, usize, Stop) {
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
    fn interpret(
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

    /// Whether a lead's text reads on after `e` (Chinese text or a number follows, not a
    /// parenthesis, separator or the line's end).
    fn runs_on(&self, e: usize) -> bool {
        matches!(self.at(e), Some(c) if is_han(c) || c.is_ascii_digit())
    }

    fn is_affiliation(&self, chunk: &[char]) -> bool {
        let text: String = chunk.iter().collect();
        // A short run that starts with a common surname is more likely a name (`王会`).
        let name_like = chunk.len() <= 3 && names::is_name(chunk);
        is_organisation(&text) && !name_like || chunk.len() > 4 && names::split(chunk).is_none()
    }
}
