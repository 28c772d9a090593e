//! Slugs: validation of the `[a-z0-9]+(-[a-z0-9]+)*` form and generation from Chinese or Latin
//! text (Chinese characters are transliterated to toneless pinyin, one syllable per word).

use pinyin::ToPinyin;

/// Longest slug accepted for sections, tags and correspondents.
pub const MAX_SLUG_LEN: usize = 64;
/// Longest slug accepted for articles (pinyin of a long headline is long).
pub const MAX_ARTICLE_SLUG_LEN: usize = 128;
/// Generated slugs are cut at a word boundary at this length, leaving room for a suffix.
const GENERATED_LEN: usize = 80;

/// Whether `s` is a well-formed slug of at most `max` characters.
pub fn is_valid(s: &str, max: usize) -> bool {
    !s.is_empty()
        && s.len() <= max
        && s.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// Makes a slug from `text`: ASCII letters and digits kept (lower-cased), Chinese characters as
/// pinyin syllables, everything else a separator. Empty when nothing usable remains.
pub fn slugify(text: &str, max: usize) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, words: &mut Vec<String>| {
        if !current.is_empty() {
            words.push(std::mem::take(current));
        }
    };
    for ch in text.chars() {
        // Full-width ASCII (Ａ, １) folds to its half-width form.
        let ch = match ch as u32 {
            0xFF01..=0xFF5E => char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch),
            _ => ch,
        };
        if ch.is_ascii_alphanumeric() {
            current.push(ch.to_ascii_lowercase());
        } else if let Some(py) = ch.to_pinyin() {
            flush(&mut current, &mut words);
            // ü is written v, as on every pinyin keyboard (绿 → lv).
            words.push(py.plain().replace('ü', "v"));
        } else {
            flush(&mut current, &mut words);
        }
    }
    flush(&mut current, &mut words);
    let limit = max.min(GENERATED_LEN);
    let mut out = String::new();
    for w in words {
        let w = if w.len() > limit {
            w[..limit].to_owned()
        } else {
            w
        };
        let extra = if out.is_empty() { w.len() } else { w.len() + 1 };
        if out.len() + extra > limit {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&w);
    }
    out
}

/// `base`, or `base-2`, `base-3`, … : the first candidate that `taken` says is free.
pub fn dedupe<E>(
    base: &str,
    max: usize,
    mut taken: impl FnMut(&str) -> Result<bool, E>,
) -> Result<String, E> {
    if !taken(base)? {
        return Ok(base.to_owned());
    }
    for n in 2.. {
        let suffix = format!("-{n}");
        let mut stem = base.to_owned();
        while stem.len() + suffix.len() > max {
            stem.pop();
        }
        let candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
        if !taken(&candidate)? {
            return Ok(candidate);
        }
    }
    Ok(base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_title_becomes_pinyin() {
        assert_eq!(
            slugify("嘉鱼县：年轻干部一线练兵长才干", 128),
            "jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan"
        );
        assert_eq!(slugify("县市区", 64), "xian-shi-qu");
    }

    #[test]
    fn latin_digits_and_fullwidth() {
        assert_eq!(slugify("Hello, World 2026!", 64), "hello-world-2026");
        assert_eq!(slugify("ＧＤＰ增长５％", 64), "gdp-zeng-zhang-5");
        assert_eq!(slugify("—— ！", 64), "");
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let s = slugify(&"嘉鱼".repeat(40), 128);
        assert!(s.len() <= 80 && is_valid(&s, 128), "{s}");
        assert!(!s.ends_with('-'));
    }

    #[test]
    fn u_umlaut_becomes_v() {
        assert_eq!(slugify("绿色女子旅游", 64), "lv-se-nv-zi-lv-you");
    }

    #[test]
    fn validation() {
        assert!(is_valid("jiayu", 64));
        assert!(is_valid("a-1-b", 64));
        for bad in ["", "-a", "a-", "a--b", "A", "a_b", "嘉鱼", "a b"] {
            assert!(!is_valid(bad, 64), "{bad}");
        }
        assert!(!is_valid(&"a".repeat(65), 64));
    }

    #[test]
    fn dedupe_adds_suffix() {
        let taken = ["x", "x-2"];
        let check = |s: &str| Ok::<_, ()>(taken.contains(&s));
        assert_eq!(dedupe("x", 64, check), Ok("x-3".into()));
        assert_eq!(dedupe("y", 64, check), Ok("y".into()));
        assert_eq!(
            dedupe("abcd", 5, |s| Ok::<_, ()>(s == "abcd")),
            Ok("abc-2".into())
        );
    }
}
