//! Text into lexemes: Chinese runs as character unigrams and bigrams, Latin text as
//! lower-cased words.

pub(super) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// A run of text of one kind.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Run {
    Cjk(Vec<char>),
    Word(String),
}

pub(super) fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush = |cjk: &mut Vec<char>, word: &mut String, out: &mut Vec<Run>| {
        if !cjk.is_empty() {
            out.push(Run::Cjk(std::mem::take(cjk)));
        }
        if !word.is_empty() {
            out.push(Run::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                flush(&mut cjk, &mut word, &mut out);
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            if !cjk.is_empty() {
                flush(&mut cjk, &mut word, &mut out);
            }
            word.extend(c.to_lowercase());
        } else {
            flush(&mut cjk, &mut word, &mut out);
        }
    }
    flush(&mut cjk, &mut word, &mut out);
    out
}

/// The lexemes a text is indexed under: every Chinese character and every pair of adjacent
/// ones, and every Latin word (lower-cased, at most 64 bytes).
pub fn index_lexemes(text: &str) -> Vec<String> {
    let (cjk, words) = lexemes(&[(text, 1)]);
    let mut out: Vec<String> = cjk
        .iter()
        .map(|(k, _)| cjk_key_chars(*k).collect())
        .chain(words.into_iter().map(|(w, _)| w))
        .collect();
    out.sort_unstable();
    out
}

/// A Latin word with the flags of the texts it is in.
type Flagged = (String, u8);

/// A Chinese lexeme as a number: the first character in the high half, the second (or 0 for a
/// single character) in the low half; numbers sort as the strings do.
fn cjk_key(first: char, second: Option<char>) -> u64 {
    (u64::from(first) << 32) | second.map_or(0, u64::from)
}

pub(super) fn cjk_key_chars(key: u64) -> impl Iterator<Item = char> {
    let first = char::from_u32((key >> 32) as u32);
    let second = char::from_u32((key & 0xffff_ffff) as u32).filter(|c| *c != '\0');
    first.into_iter().chain(second)
}

/// The distinct lexemes of several texts, each with the OR of the flags (at most 3 bits) of
/// the texts it is in: Chinese ones as sorted [`cjk_key`]s, Latin words sorted by their text.
/// Numbers sort far faster than strings, and a Chinese key's flags ride in its lowest bits so
/// that a bulk import sorts plain integers (a county story has thousands of keys).
pub(super) fn lexemes(texts: &[(&str, u8)]) -> (Vec<(u64, u8)>, Vec<Flagged>) {
    let mut packed: Vec<u64> = Vec::new();
    let mut words: Vec<Flagged> = Vec::new();
    for (text, flag) in texts {
        let bits = u64::from(*flag & 0b111);
        for run in runs(text) {
            match run {
                Run::Cjk(chars) => {
                    packed.extend(chars.iter().map(|c| cjk_key(*c, None) << 3 | bits));
                    packed.extend(
                        chars
                            .windows(2)
                            .map(|w| cjk_key(w[0], Some(w[1])) << 3 | bits),
                    );
                }
                Run::Word(w) if w.len() <= 64 => words.push((w, *flag)),
                Run::Word(_) => {}
            }
        }
    }
    packed.sort_unstable();
    let mut cjk: Vec<(u64, u8)> = Vec::with_capacity(packed.len() / 2);
    for p in packed {
        let (key, flag) = (p >> 3, (p & 0b111) as u8);
        match cjk.last_mut() {
            Some(last) if last.0 == key => last.1 |= flag,
            _ => cjk.push((key, flag)),
        }
    }
    merge_flags(&mut words);
    (cjk, words)
}

/// Sorts and keeps one of each lexeme, with the OR of its flags.
fn merge_flags(lexemes: &mut Vec<Flagged>) {
    lexemes.sort_unstable();
    lexemes.dedup_by(|later, kept| {
        later.0 == kept.0 && {
            kept.1 |= later.1;
            true
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexemes_of_chinese_and_latin_text() {
        assert_eq!(
            index_lexemes("嘉鱼县 GDP增长"),
            ["gdp", "县", "嘉", "嘉鱼", "增", "增长", "长", "鱼", "鱼县"]
        );
        assert_eq!(index_lexemes("—，。"), Vec::<String>::new());
    }
}
