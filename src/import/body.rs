//! An archive's plain text into an article: one paragraph a line, a short line without closing
//! punctuation a sub-heading (`<h2>`); the credit lines that close it (`(通讯员 夏洋 洪秀 周全)`,
//! `编辑:hefan`) and the page furniture after them (上一篇, 下一篇, 相关新闻) are not body.

use crate::bylines;

/// Lines longer than this are paragraphs whatever their ending.
const MAX_HEADING_CHARS: usize = 30;

/// Where a page's own furniture starts: nothing from this line on is the story.
const FURNITURE: [&str; 6] = [
    "上一篇",
    "下一篇",
    "相关新闻",
    "相关阅读",
    "相关链接",
    "【相关",
];

/// What the plain text of a story holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Story {
    pub body_html: String,
    /// Credits found in the text (a lead that opens with them, or closing credit lines), as
    /// they would be sent in `byline_text`.
    pub credits: Vec<bylines::Credit>,
    /// The dateline's source, when the lead opens with one.
    pub source: Option<String>,
    /// The editor of a closing `编辑:` line.
    pub editor: Option<String>,
}

fn closes(line: &str) -> bool {
    line.ends_with(|c: char| {
        matches!(
            c,
            '。' | '！'
                | '？'
                | '!'
                | '?'
                | '；'
                | ';'
                | '…'
                | '”'
                | '"'
                | '’'
                | '」'
                | '』'
                | '.'
                | ':'
                | '：'
                | ')'
                | '）'
        )
    })
}

fn escape(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

/// Reads the plain text of a story.
pub fn story(text: &str) -> Story {
    let mut out = Story::default();
    let mut blocks: Vec<String> = Vec::new();
    let mut first = true;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if FURNITURE.iter().any(|f| line.starts_with(f)) {
            break;
        }
        // A line that is credits only (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`).
        if let Some(credits) = bylines::credit_line(line) {
            out.credits.extend(credits.credits);
            if credits.editor.is_some() {
                out.editor = credits.editor;
            }
            first = false;
            continue;
        }
        // A lead that opens with its credits: the rest is the first paragraph.
        let lead = if first {
            Some(bylines::parse(line)).filter(|p| !p.credits.is_empty() && !p.rest.is_empty())
        } else {
            None
        };
        let line = match lead {
            Some(p) => {
                out.credits.extend(p.credits);
                out.source = p.source;
                p.rest
            }
            None => line.to_owned(),
        };
        first = false;
        let heading = line.chars().count() <= MAX_HEADING_CHARS && !closes(&line);
        blocks.push(if heading {
            format!("<h2>{}</h2>", escape(&line))
        } else {
            format!("<p>{}</p>", escape(&line))
        });
    }
    out.body_html = blocks.join("\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_headings_credits_and_furniture() {
        let s = story(
            "今年以来,嘉鱼县聚焦聚力支点建设。\n“走下去”园区磨炼,战区实践强能力\n产业园区是县域经济发展的“主引擎”。\n(通讯员 夏洋 洪秀 周全)\n编辑:hefan\n上一篇:\n别的稿件",
        );
        assert_eq!(
            s.body_html,
            "<p>今年以来,嘉鱼县聚焦聚力支点建设。</p>\n<h2>“走下去”园区磨炼,战区实践强能力</h2>\n<p>产业园区是县域经济发展的“主引擎”。</p>"
        );
        let names: Vec<&str> = s.credits.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["夏洋", "洪秀", "周全"]);
        assert_eq!(s.editor.as_deref(), Some("hefan"));
    }

    #[test]
    fn a_lead_gives_its_credits_and_source() {
        let s = story("咸宁新闻网讯 (记者叶和平 通讯员沈荣华)10日,记者在项目现场看到<机车>。");
        assert_eq!(s.source.as_deref(), Some("咸宁新闻网"));
        assert_eq!(s.credits.len(), 2);
        assert_eq!(s.body_html, "<p>10日,记者在项目现场看到&lt;机车&gt;。</p>");
    }
}
