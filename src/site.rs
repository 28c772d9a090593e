//! The publication newsdesk serves: its name, its front-end's home page and the template of its
//! article pages (API.md §4, v1.1). newsdesk is headless: the page a reader opens lives on the
//! publisher's website, so feeds, the sitemap and `links.canonical` point there.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;

/// The placeholders an article URL template may use.
const PLACEHOLDERS: [&str; 6] = ["slug", "id", "section", "yyyy", "mm", "dd"];

/// One piece of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slug,
    Id,
    Section,
    Year,
    Month,
    Day,
}

/// `NEWSDESK_ARTICLE_URL`, parsed: `https://www.example.cn/{section}/{yyyy}{mm}/{slug}.html`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleUrl {
    pieces: Vec<Piece>,
}

/// What an article's URL is made of.
#[derive(Debug, Clone, Copy)]
pub struct PageOf<'a> {
    pub id: uuid::Uuid,
    pub slug: &'a str,
    pub section: &'a str,
    /// When it was (or, not yet published, would be) published.
    pub published_at: DateTime<Utc>,
}

impl ArticleUrl {
    /// Parses a template; every `{…}` must be one of the placeholders, and `{slug}` or `{id}`
    /// must be among them (else two articles would share a page).
    pub fn parse(template: &str) -> Result<ArticleUrl, String> {
        if !(template.starts_with("http://") || template.starts_with("https://")) {
            return Err(format!("{template:?} must start with http:// or https://"));
        }
        if template.contains(char::is_whitespace) {
            return Err(format!("{template:?} contains white space"));
        }
        let mut pieces = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            if open > 0 {
                pieces.push(Piece::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let close = after
                .find('}')
                .ok_or_else(|| format!("{template:?} has an unclosed {{"))?;
            pieces.push(match &after[..close] {
                "slug" => Piece::Slug,
                "id" => Piece::Id,
                "section" => Piece::Section,
                "yyyy" => Piece::Year,
                "mm" => Piece::Month,
                "dd" => Piece::Day,
                other => {
                    return Err(format!(
                        "{template:?}: unknown placeholder {{{other}}} (known: {})",
                        PLACEHOLDERS.map(|p| format!("{{{p}}}")).join(", ")
                    ))
                }
            });
            rest = &after[close + 1..];
        }
        if rest.contains('}') {
            return Err(format!("{template:?} has a stray }}"));
        }
        if !rest.is_empty() {
            pieces.push(Piece::Text(rest.to_owned()));
        }
        if !pieces.iter().any(|p| matches!(p, Piece::Slug | Piece::Id)) {
            return Err(format!("{template:?} needs {{slug}} or {{id}}"));
        }
        Ok(ArticleUrl { pieces })
    }

    /// The template newsdesk uses when none is configured: its own redirecting permalink.
    pub fn default_for(public_url: &str) -> ArticleUrl {
        ArticleUrl {
            pieces: vec![Piece::Text(format!("{public_url}/articles/")), Piece::Slug],
        }
    }

    /// The URL of one article's page, dates in `tz`.
    pub fn of(&self, page: PageOf<'_>, tz: Tz) -> String {
        let local = page.published_at.with_timezone(&tz);
        let mut url = String::with_capacity(96);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => url.push_str(t),
                Piece::Slug => url.push_str(page.slug),
                Piece::Id => url.push_str(&page.id.to_string()),
                Piece::Section => url.push_str(page.section),
                Piece::Year => url.push_str(&format!("{:04}", local.year())),
                Piece::Month => url.push_str(&format!("{:02}", local.month())),
                Piece::Day => url.push_str(&format!("{:02}", local.day())),
            }
        }
        url
    }
}

/// The publication: `NEWSDESK_SITE_NAME`, `NEWSDESK_SITE_URL`, `NEWSDESK_ARTICLE_URL`,
/// `NEWSDESK_TIMEZONE`, and the API's own `NEWSDESK_PUBLIC_URL`.
#[derive(Debug, Clone)]
pub struct Site {
    /// Where the API is reached (`NEWSDESK_PUBLIC_URL`, no trailing slash).
    pub public_url: String,
    /// The publication's name in feeds and the sitemap (default `newsdesk`).
    pub name: String,
    /// The front-end's home page (default the public URL).
    pub home: String,
    pub article_url: ArticleUrl,
    /// The time zone of the dates in article URLs (default `Asia/Shanghai`).
    pub timezone: Tz,
}

impl Site {
    /// The defaults around `public_url`.
    pub fn new(public_url: &str) -> Site {
        Site {
            public_url: public_url.to_owned(),
            name: "newsdesk".into(),
            home: public_url.to_owned(),
            article_url: ArticleUrl::default_for(public_url),
            timezone: chrono_tz::Asia::Shanghai,
        }
    }

    /// The page a reader opens for this article.
    pub fn article_page(&self, page: PageOf<'_>) -> String {
        self.article_url.of(page, self.timezone)
    }

    /// The feed title of a scope named `name` (`咸宁新闻网 · 嘉鱼`), or of the whole site.
    pub fn title(&self, scope: Option<&str>) -> String {
        match scope {
            Some(n) => format!("{} · {n}", self.name),
            None => self.name.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn page(at: DateTime<Utc>) -> PageOf<'static> {
        PageOf {
            id: uuid::Uuid::nil(),
            slug: "xian-ning-xin-wen",
            section: "jiayu",
            published_at: at,
        }
    }

    #[test]
    fn templates_fill_in_the_local_date() {
        let t = ArticleUrl::parse("https://www.example.cn/{section}/{yyyy}{mm}/{dd}/{slug}.html")
            .unwrap();
        // 16:30 UTC on the last day of the year is already the next year in Shanghai.
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 16, 30, 0).unwrap();
        assert_eq!(
            t.of(page(at), chrono_tz::Asia::Shanghai),
            "https://www.example.cn/jiayu/202701/01/xian-ning-xin-wen.html"
        );
        assert_eq!(
            t.of(page(at), chrono_tz::UTC),
            "https://www.example.cn/jiayu/202612/31/xian-ning-xin-wen.html"
        );
        let by_id = ArticleUrl::parse("https://x.cn/a/{id}").unwrap();
        assert_eq!(
            by_id.of(page(at), chrono_tz::UTC),
            "https://x.cn/a/00000000-0000-0000-0000-000000000000"
        );
        assert_eq!(
            ArticleUrl::default_for("https://news.example.cn").of(page(at), chrono_tz::UTC),
            "https://news.example.cn/articles/xian-ning-xin-wen"
        );
    }

    #[test]
    fn bad_templates_are_refused() {
        for bad in [
            "www.example.cn/{slug}",
            "https://x.cn/{yyyy}/{mm}.html",
            "https://x.cn/{title}.html",
            "https://x.cn/{slug",
            "https://x.cn/slug}",
            "https://x.cn/{slug} .html",
        ] {
            assert!(ArticleUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
