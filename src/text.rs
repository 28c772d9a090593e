//! Body HTML: the allow-list sanitiser, plain-text extraction, character counts and the derived
//! summary.

use std::sync::OnceLock;

use ammonia::Builder;

fn sanitizer() -> &'static Builder<'static> {
    static SANITIZER: OnceLock<Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut b = Builder::empty();
        b.add_tags([
            "p",
            "h2",
            "h3",
            "h4",
            "strong",
            "em",
            "a",
            "ul",
            "ol",
            "li",
            "blockquote",
            "figure",
            "figcaption",
            "img",
        ])
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("img", ["src", "alt"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(None)
        .strip_comments(true);
        b
    })
}

/// A character XML 1.0 cannot carry: a C0 control other than tab, LF and CR, or the
/// noncharacters U+FFFE and U+FFFF. Stored text never holds one, so no feed or sitemap breaks.
pub fn xml_unsafe(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// The first character of `text` that XML cannot carry, as `U+000B at character 3`.
pub fn first_xml_unsafe(text: &str) -> Option<String> {
    text.chars()
        .enumerate()
        .find(|(_, c)| xml_unsafe(*c))
        .map(|(i, c)| format!("U+{:04X} at character {}", u32::from(c), i + 1))
}

/// `text` without the characters XML cannot carry.
pub fn strip_xml_unsafe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().any(xml_unsafe) {
        text.chars()
            .filter(|c| !xml_unsafe(*c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Cleans `html` to the allow-list: p, h2–h4, strong, em, a[href], ul/ol/li, blockquote,
/// figure/figcaption, img[src,alt]. Scripts, styles, event handlers and `javascript:` URLs go.
///
/// The result is a fixed point (cleaning it again changes nothing), so an article read and saved
/// back unchanged stays unchanged: when the first pass altered the input, the HTML parser may
/// still re-nest what it produced (`<p><h2>` becomes `<p></p><h2>`), so a second pass settles it.
///
/// Characters XML cannot carry go too, raw or as references (`&#11;` is decoded by the parser
/// and would be written raw): they are dropped before and after cleaning.
pub fn sanitize_html(html: &str) -> String {
    let input = strip_xml_unsafe(html);
    let once = strip_xml_unsafe(&sanitizer().clean(&input).to_string()).into_owned();
    if once == html {
        return once;
    }
    strip_xml_unsafe(&sanitizer().clean(&once).to_string()).into_owned()
}

/// One block of body text: its text and whether it is a heading.
#[derive(Debug, PartialEq)]
struct Block {
    text: String,
    heading: bool,
}

/// Splits (sanitised) HTML into blocks of decoded text at block-level tags.
fn blocks(html: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut heading = false;
    let mut rest = html;
    let mut push = |text: &mut String, heading: bool| {
        let t = html_escape::decode_html_entities(text.trim())
            .trim()
            .to_owned();
        if !t.is_empty() {
            out.push(Block { text: t, heading });
        }
        text.clear();
    };
    while let Some(lt) = rest.find('<') {
        text.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = "";
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if matches!(
            name.as_str(),
            "p" | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "li"
                | "ul"
                | "ol"
                | "blockquote"
                | "figure"
                | "figcaption"
                | "br"
                | "div"
        ) {
            push(&mut text, heading);
            heading = !tag.starts_with('/') && name.starts_with('h') && name.len() == 2;
        }
        rest = &rest[lt + gt + 1..];
    }
    text.push_str(rest);
    push(&mut text, heading);
    out
}

/// The body as plain text, one block per line.
pub fn plain_text(html: &str) -> String {
    blocks(html)
        .into_iter()
        .map(|b| b.text)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Non-whitespace characters of the body text (a Chinese character or punctuation mark is one).
pub fn char_count(html: &str) -> i32 {
    let n = blocks(html)
        .iter()
        .map(|b| b.text.chars().filter(|c| !c.is_whitespace()).count())
        .sum::<usize>();
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Minutes to read `char_count` characters at 400 a minute, rounded up.
pub fn reading_minutes(char_count: i32) -> i32 {
    (char_count.max(0) + 399) / 400
}

const SUMMARY_MAX: usize = 160;
const SUMMARY_CUT: usize = 120;

fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        cur.push(c);
        let ends = matches!(c, '。' | '！' | '？' | '!' | '?' | '；' | '…')
            || (c == '.' && chars.peek().is_none_or(|n| n.is_whitespace()));
        if ends {
            // Closing quotes and brackets stay with their sentence.
            while let Some(&n) = chars.peek() {
                if matches!(n, '”' | '’' | '」' | '』' | '）' | ')' | '"' | '\'') {
                    cur.push(n);
                    chars.next();
                } else {
                    break;
                }
            }
            out.push(std::mem::take(&mut cur).trim().to_owned());
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_owned());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// The summary derived from the body: whole sentences up to 160 characters; when the first
/// sentence alone is longer, its first 120 characters followed by `…`. Headings are skipped.
pub fn derive_summary(html: &str) -> String {
    let text = blocks(html)
        .into_iter()
        .filter(|b| !b.heading)
        .map(|b| b.text)
        .collect::<Vec<_>>()
        .join(" ");
    let mut summary = String::new();
    let mut len = 0;
    for s in sentences(&text) {
        let n = s.chars().count();
        if summary.is_empty() && n > SUMMARY_MAX {
            return s.chars().take(SUMMARY_CUT).collect::<String>() + "…";
        }
        let sep = usize::from(!summary.is_empty() && needs_space(&summary, &s));
        if len + sep + n > SUMMARY_MAX {
            break;
        }
        if sep == 1 {
            summary.push(' ');
        }
        summary.push_str(&s);
        len += sep + n;
    }
    summary
}

/// Latin sentences are joined with a space; Chinese ones are not.
fn needs_space(before: &str, next: &str) -> bool {
    let last = before.chars().last().unwrap_or(' ');
    let first = next.chars().next().unwrap_or(' ');
    last.is_ascii() && first.is_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizer_keeps_the_allow_list_and_drops_the_rest() {
        let dirty = r#"<p onclick="x()">a<script>alert(1)</script><strong>b</strong></p><h2 style="x">h</h2><a href="javascript:alert(1)">j</a><a href="https://e.cn/x" target="_blank">k</a><img src="https://e.cn/i.jpg" alt="t" onerror="y"><iframe src="https://e.cn"></iframe><h1>big</h1>"#;
        let clean = sanitize_html(dirty);
        assert_eq!(
            clean,
            r#"<p>a<strong>b</strong></p><h2>h</h2><a>j</a><a href="https://e.cn/x">k</a><img src="https://e.cn/i.jpg" alt="t">big"#
        );
    }

    #[test]
    fn counts_and_text() {
        let html = "<p>嘉鱼县，&amp; 今年。</p><h2>标 题</h2>";
        assert_eq!(plain_text(html), "嘉鱼县，& 今年。\n标 题");
        assert_eq!(char_count(html), 10);
        assert_eq!(reading_minutes(0), 0);
        assert_eq!(reading_minutes(400), 1);
        assert_eq!(reading_minutes(401), 2);
    }

    #[test]
    fn summary_takes_whole_sentences_up_to_160() {
        let s1 = "甲".repeat(100) + "。";
        let s2 = "乙".repeat(50) + "。";
        let s3 = "丙".repeat(20) + "。";
        let html = format!("<h2>标题</h2><p>{s1}{s2}</p><p>{s3}</p>");
        assert_eq!(derive_summary(&html), format!("{s1}{s2}"));
    }

    #[test]
    fn summary_cuts_a_long_first_sentence() {
        let html = format!("<p>{}。</p>", "长".repeat(200));
        let s = derive_summary(&html);
        assert_eq!(s.chars().count(), 121);
        assert!(s.ends_with('…'));
    }

    #[test]
    fn summary_of_latin_text() {
        assert_eq!(
            derive_summary("<p>One. Two! Three?</p>"),
            "One. Two! Three?"
        );
    }
}
