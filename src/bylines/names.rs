//! Person names in a run of Chinese text: how name-like a string is (a surname, a given name of
//! one or two characters), how a run of names printed without separators splits, and where a
//! name ends when the lead runs straight into the body (`王旦一根1.65米长的竹蔸`) — decided with
//! jieba's dictionary and the surname list, not a fixed length.

use std::sync::OnceLock;

use jieba_rs::Jieba;

use super::lexicon::{surname_weight, COMPOUND_SURNAMES, NOT_IN_GIVEN_NAMES};

/// The segmenter and its dictionary, loaded once (about a third of a second).
fn jieba() -> &'static Jieba {
    static JIEBA: OnceLock<Jieba> = OnceLock::new();
    JIEBA.get_or_init(Jieba::new)
}

/// Loads the dictionary now rather than on the first parse.
pub fn warm_up() {
    jieba();
}

/// The surname that starts `name` (two characters for a compound surname), if any.
pub fn surname_of(name: &[char]) -> Option<usize> {
    if name.len() >= 3 {
        let two: String = name[..2].iter().collect();
        if COMPOUND_SURNAMES.contains(&two.as_str()) {
            return Some(2);
        }
    }
    let first = name.first()?.to_string();
    (surname_weight(&first) > 0.0).then_some(1)
}

/// How name-like `name` is: `None` when it cannot be a name (no surname, a given name of none or
/// more than two characters); otherwise higher for common surnames and dictionary given names.
pub fn score(name: &[char]) -> Option<f64> {
    let s = surname_of(name)?;
    let given = name.len() - s;
    if !(1..=2).contains(&given) {
        return None;
    }
    let surname: String = name[..s].iter().collect();
    let mut score = surname_weight(&surname) * 3.0;
    score += if given == 2 { 1.0 } else { 0.9 };
    let given_text: String = name[s..].iter().collect();
    if given == 2 && jieba().has_word(&given_text) {
        // 叶和平, 沈荣华: the given name is a word of its own.
        score += 0.5;
    }
    if name[s..].iter().any(|c| NOT_IN_GIVEN_NAMES.contains(*c)) {
        score -= 2.0;
    }
    Some(score)
}

/// Whether `chunk` reads as one person's name.
pub fn is_name(chunk: &[char]) -> bool {
    score(chunk).is_some()
}

/// Splits a run printed without separators (`夏洋洪秀周全`) into names, the most likely way;
/// `None` when it does not split into names at all.
pub fn split(chunk: &[char]) -> Option<Vec<String>> {
    split_scored(chunk).map(|(names, _)| names)
}

/// [`split`] with the reading's score: each name's [`score`], less one a name (of two readings,
/// the one with fewer, likelier names wins).
pub fn split_scored(chunk: &[char]) -> Option<(Vec<String>, f64)> {
    let n = chunk.len();
    // best[i]: the best score of chunk[i..] split into names, and the first name's length.
    let mut best: Vec<Option<(f64, usize)>> = vec![None; n + 1];
    best[n] = Some((0.0, 0));
    for i in (0..n).rev() {
        for len in 2..=4 {
            if i + len > n {
                break;
            }
            let (Some(s), Some((rest, _))) = (score(&chunk[i..i + len]), best[i + len]) else {
                continue;
            };
            let total = s - 1.0 + rest;
            if best[i].is_none_or(|(b, _)| total > b) {
                best[i] = Some((total, len));
            }
        }
    }
    let (total, _) = best[0]?;
    let mut names = Vec::new();
    let mut i = 0;
    while i < n {
        let (_, len) = best[i]?;
        names.push(chunk[i..i + len].iter().collect());
        i += len;
    }
    Some((names, total))
}

/// The name that opens `text` when the text runs on into the body after it: each possible
/// length is weighed by how name-like it is and by how well what follows reads as text
/// (`王旦|一根` beats `王旦一|根`). Returns the length, the reading's score (comparable with
/// [`split_scored`]'s) and the score of what follows alone; `None` when no name opens it.
pub fn leading_name(text: &[char]) -> Option<Leading> {
    let s = surname_of(text)?;
    let mut best: Option<Leading> = None;
    for given in 1..=2 {
        let len = s + given;
        if len > text.len() {
            break;
        }
        let Some(name_score) = score(&text[..len]) else {
            continue;
        };
        let follows = continuation(&text[len..]);
        let total = name_score - 1.0 + follows;
        if best.is_none_or(|b| total > b.score) {
            best = Some(Leading {
                len,
                score: total,
                follows,
            });
        }
    }
    best
}

/// A name at the start of running text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leading {
    pub len: usize,
    pub score: f64,
    /// How well the text after the name reads (1.5 a dictionary word, 0.8 a common opener).
    pub follows: f64,
}

/// How well `after` reads as the start of ordinary text: a dictionary word of two or more
/// characters first is good; a lone character that often opens a sentence (a number, 在, 近…)
/// is fair; anything else poor.
fn continuation(after: &[char]) -> f64 {
    let Some(first) = after.first() else {
        return 1.5;
    };
    if !super::lexicon::is_han(*first) {
        return 1.5;
    }
    let sample: String = after.iter().take(12).collect();
    let words = jieba().cut(&sample, false);
    match words.first() {
        Some(w) if w.chars().count() >= 2 => 1.5,
        Some(w) if OPENERS.contains(w) => 0.8,
        _ => 0.0,
    }
}

/// Characters that often open the body right after a credit.
const OPENERS: [&str; 12] = [
    "一", "二", "三", "在", "从", "据", "近", "今", "昨", "日", "为", "随",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn names_need_a_surname_and_a_short_given_name() {
        assert!(is_name(&chars("夏洋")) && is_name(&chars("叶和平")));
        assert!(is_name(&chars("欧阳娜娜")) && is_name(&chars("司马光")));
        assert!(!is_name(&chars("在现场")) && !is_name(&chars("王")));
        assert!(!is_name(&chars("王小二三")));
    }

    #[test]
    fn runs_without_separators_split_into_names() {
        assert_eq!(
            split(&chars("夏洋洪秀周全")).unwrap(),
            ["夏洋", "洪秀", "周全"]
        );
        assert_eq!(split(&chars("叶和平沈荣华")).unwrap(), ["叶和平", "沈荣华"]);
        assert_eq!(
            split(&chars("王芳李明张伟")).unwrap(),
            ["王芳", "李明", "张伟"]
        );
        assert_eq!(split(&chars("现场看到")), None);
    }

    #[test]
    fn a_name_ends_where_the_body_begins() {
        let len = |s: &str| leading_name(&chars(s)).map(|l| l.len);
        assert_eq!(len("王旦一根"), Some(2));
        assert_eq!(len("张三近日从市教育局获悉"), Some(2));
        assert_eq!(len("马丽娅"), Some(3));
        assert_eq!(len("罗图强日前"), Some(3));
        assert_eq!(len("在现场看到"), None);
    }
}
