//! The extract shown with a hit: HTML-escaped, every hit in `<mark>`.

const SNIPPET_BEFORE: usize = 30;
const SNIPPET_LEN: usize = 110;

/// A short extract of `text` around the first hit, HTML-escaped, with every hit in `<mark>`.
/// `None` when no word occurs in `text`.
pub fn highlight(text: &str, words: &[String]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    if lower.len() != chars.len() {
        // Case folding changed the length (rare letters): match on the text as it is.
        return highlight_exact(&chars, &chars, words);
    }
    highlight_exact(&chars, &lower, words)
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

fn highlight_exact(chars: &[char], hay: &[char], words: &[String]) -> Option<String> {
    let needles: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    let first = needles.iter().filter_map(|n| find(hay, n, 0)).min()?;
    let start = first.saturating_sub(SNIPPET_BEFORE);
    let end = (start + SNIPPET_LEN).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut i = start;
    while i < end {
        let hit = needles
            .iter()
            .filter(|n| hay[i..].starts_with(n))
            .map(Vec::len)
            .max();
        match hit {
            Some(len) => {
                let stop = (i + len).min(chars.len());
                out.push_str("<mark>");
                out.push_str(&html_escape::encode_text(
                    &chars[i..stop].iter().collect::<String>(),
                ));
                out.push_str("</mark>");
                i = stop;
            }
            None => {
                out.push_str(&html_escape::encode_text(&chars[i].to_string()));
                i += 1;
            }
        }
    }
    if end < chars.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlights_mark_every_hit_and_escape_the_rest() {
        let h = highlight("嘉鱼县<b>产业园区</b>是园区经济", &["园区".to_owned()]).unwrap();
        assert_eq!(
            h,
            "嘉鱼县&lt;b&gt;产业<mark>园区</mark>&lt;/b&gt;是<mark>园区</mark>经济"
        );
        let long = format!("{}园区{}", "甲".repeat(50), "乙".repeat(200));
        let h = highlight(&long, &["园区".to_owned()]).unwrap();
        assert!(h.starts_with('…') && h.ends_with('…'));
        assert!(h.contains("<mark>园区</mark>"));
        assert_eq!(
            highlight("Park and PARK", &["park".to_owned()]).unwrap(),
            "<mark>Park</mark> and <mark>PARK</mark>"
        );
        assert_eq!(highlight("无关", &["园区".to_owned()]), None);
    }
}
