//! The scanner under the parser: the folded characters of a text, and what stands at a
//! position — role words (with their titles), datelines, an affiliation, a photo credit, an
//! editor's name.

use super::lexicon::{
    is_han, is_organisation, Meaning, AGENCIES, PHOTO_MARK, PUBLICATION_ENDINGS, REPORTER_TITLES,
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

/// Full-width and other variants folded to one form, character for character (so positions
/// in the folded text are positions in the original).
pub fn fold(c: char) -> char {
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

/// Credits found in a stretch of text, and where the text after them starts.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub source: Option<String>,
    pub credits: Vec<Credit>,
    pub editor: Option<String>,
    /// Where the body starts (a lead), `None` when nothing was credited.
    pub rest_at: Option<usize>,
}

/// Why a run of names ended.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Stop {
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
pub(super) type Named = (String, bool);

/// Credits, the editor, and where they end.
pub(super) type Credited = (Vec<Credit>, Option<String>, usize);

/// A run of Chinese text between separators, and the character after it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk {
    pub start: usize,
    pub end: usize,
    pub then: Option<char>,
}

pub(super) struct Scanner<'a> {
    pub c: &'a [char],
}

impl Scanner<'_> {
    pub(super) fn at(&self, i: usize) -> Option<char> {
        self.c.get(i).copied()
    }

    pub(super) fn starts_with(&self, i: usize, word: &str) -> bool {
        (i..).zip(word.chars()).all(|(k, w)| self.at(k) == Some(w))
    }

    pub(super) fn skip(&self, mut i: usize, end: usize, what: impl Fn(char) -> bool) -> usize {
        while i < end && what(self.c[i]) {
            i += 1;
        }
        i
    }

    pub(super) fn text(&self, from: usize, to: usize) -> String {
        self.c[from..to].iter().filter(|c| **c != ' ').collect()
    }

    /// The role word at `i`: its meanings (several for `文/图`) and length. One-character role
    /// words count only where `short` allows and a delimiter follows.
    pub(super) fn role_at(&self, i: usize, short: bool) -> Option<(Vec<Meaning>, usize)> {
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

    pub(super) fn single_role_at(&self, i: usize, short: bool) -> Option<(Meaning, usize)> {
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
    pub(super) fn dateline_at(&self, i: usize, end: usize) -> Option<(String, usize)> {
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

    /// Where the last sentence of `start..end` begins, when there is more than one.
    pub(super) fn last_sentence(&self, start: usize, end: usize) -> Option<usize> {
        let mut e = end;
        while e > start && matches!(self.c[e - 1], '。' | ' ' | '.') {
            e -= 1;
        }
        (start..e)
            .rev()
            .find(|k| matches!(self.c[*k], '。' | '！' | '？' | '!' | '?'))
            .map(|k| k + 1)
    }

    /// The editor's name after 编辑: up to the next space, parenthesis or line end.
    pub(super) fn editor_name(&self, i: usize, end: usize) -> (String, usize) {
        let stop = (i..end)
            .find(|k| matches!(self.c[*k], ' ' | ')' | '(' | ',' | '、' | ';' | '。'))
            .unwrap_or(end);
        (self.c[i..stop].iter().collect(), stop)
    }

    /// Text right before a role word that is not a name: the credit's affiliation
    /// (`香城都市报`, `咸宁日报` of `咸宁日报全媒体记者`).
    pub(super) fn affiliation(&self, i: usize, end: usize) -> Option<(String, usize)> {
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
    pub(super) fn photo_credit(&self, i: usize, end: usize) -> Option<(String, usize)> {
        let stop = self.skip(i, end, |c| is_han(c) || c == ' ');
        let run: Vec<char> = self.c[i..stop]
            .iter()
            .copied()
            .filter(|c| *c != ' ')
            .collect();
        let (last, name) = run.split_last()?;
        (*last == PHOTO_MARK && names::is_name(name)).then(|| (name.iter().collect(), stop))
    }

    /// Whether a lead's text reads on after `e` (Chinese text or a number follows, not a
    /// parenthesis, separator or the line's end).
    pub(super) fn runs_on(&self, e: usize) -> bool {
        matches!(self.at(e), Some(c) if is_han(c) || c.is_ascii_digit())
    }

    pub(super) fn is_affiliation(&self, chunk: &[char]) -> bool {
        let text: String = chunk.iter().collect();
        // A short run that starts with a common surname is more likely a name (`王会`).
        let name_like = chunk.len() <= 3 && names::is_name(chunk);
        is_organisation(&text) && !name_like || chunk.len() > 4 && names::split(chunk).is_none()
    }
}
