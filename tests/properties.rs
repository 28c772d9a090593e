//! Bounded property tests (proptest) for every parser of untrusted text: the HTML sanitiser,
//! cursors, slugs, JWT handling and search queries. They must never panic, and what they let
//! through must be safe.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that meets an error fails"
)]

use newsdesk::auth::jwt::JwtKeys;
use newsdesk::config::Secret;
use newsdesk::pagination::Cursor;
use newsdesk::search::{highlight, SearchQuery};
use newsdesk::{slug, text};
use proptest::prelude::*;

/// The `(name, value)` attributes of a tag's inside (`a href="x"`), quotes respected.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag
        .split_once(char::is_whitespace)
        .map_or("", |(_, r)| r)
        .trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_owned();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            if let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') {
                let body = &after[1..];
                let end = body.find(q).unwrap_or(body.len());
                value = body[..end].to_owned();
                rest = body.get(end + 1..).unwrap_or("").trim_start();
            } else {
                let end = after.find(char::is_whitespace).unwrap_or(after.len());
                value = after[..end].to_owned();
                rest = after[end..].trim_start();
            }
        } else if rest.starts_with('/') {
            rest = rest[1..].trim_start();
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

/// Text that looks like hostile HTML: tags, attributes, schemes, entities, Chinese.
fn html_like() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "<script>",
        "</script>",
        "<p>",
        "</p>",
        "<a href=\"",
        "javascript:",
        "JaVaScRiPt:",
        "\">",
        "<img src=x onerror=",
        "<svg onload=",
        "<h2 style=\"x\">",
        "<iframe ",
        "&lt;",
        "&#106;avascript:",
        "<!--",
        "-->",
        "<",
        ">",
        "\"",
        "'",
        "嘉鱼",
        "园区",
        " ",
        "onclick=",
        "<style>",
        "data:text/html,",
        "<object>",
        "<base href=",
        "<form action=",
    ]);
    prop::collection::vec(
        prop_oneof![pieces.prop_map(str::to_owned), "[a-z0-9 ]{0,8}"],
        0..40,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn sanitised_html_is_safe_and_stable(input in html_like()) {
        let clean = text::sanitize_html(&input);
        // Text cannot hold a raw `<` (it is escaped), so everything between `<` and `>` is a tag.
        for tag in clean.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default().to_lowercase()) {
            let name = tag.trim_start_matches('/').split(|c: char| !c.is_ascii_alphanumeric()).next().unwrap_or_default().to_owned();
            let allowed = ["p", "h2", "h3", "h4", "strong", "em", "a", "ul", "ol", "li", "blockquote", "figure", "figcaption", "img"];
            prop_assert!(allowed.contains(&name.as_str()), "tag {tag:?} in {clean:?} from {input:?}");
            for (attr, value) in attributes(&tag) {
                prop_assert!(["href", "src", "alt"].contains(&attr.as_str()), "attribute {attr:?} in {tag:?} from {input:?}");
                let v = html_escape::decode_html_entities(&value).trim().to_lowercase();
                if attr != "alt" {
                    for scheme in ["javascript:", "data:", "vbscript:"] {
                        prop_assert!(!v.starts_with(scheme), "{attr}={v:?} from {input:?}");
                    }
                }
            }
        }
        prop_assert_eq!(text::sanitize_html(&clean), clean.clone());
        // The derived fields never panic either.
        let _ = (text::char_count(&clean), text::derive_summary(&clean), text::plain_text(&clean));
    }

    #[test]
    fn any_string_is_a_cursor_or_a_clean_refusal(raw in ".{0,80}") {
        if let Ok(c) = Cursor::decode(&raw, 'p') {
            prop_assert_eq!(Cursor::decode(&c.encode(), 'p').ok(), Some(c));
        }
    }

    #[test]
    fn cursors_round_trip(micros in -60_000_000_000_000_000i64..250_000_000_000_000_000i64, key in proptest::option::of(".{1,20}"), id in any::<u128>()) {
        let c = Cursor { kind: 'p', at: chrono::DateTime::from_timestamp_micros(micros), key, id: uuid::Uuid::from_u128(id) };
        let decoded = Cursor::decode(&c.encode(), 'p');
        let in_range = c.at.is_none_or(|t| (1..=9999).contains(&chrono::Datelike::year(&t)));
        prop_assert_eq!(decoded.is_ok(), in_range);
        if in_range {
            prop_assert_eq!(decoded.ok(), Some(c));
        }
    }

    #[test]
    fn generated_slugs_are_valid_or_empty(title in ".{0,120}") {
        let s = slug::slugify(&title, slug::MAX_ARTICLE_SLUG_LEN);
        prop_assert!(s.is_empty() || slug::is_valid(&s, slug::MAX_ARTICLE_SLUG_LEN), "{s:?} from {title:?}");
    }

    #[test]
    fn tokens_from_anywhere_are_refused(token in ".{0,300}") {
        let keys = JwtKeys::new(&Secret::new(vec![9u8; 32]));
        prop_assert!(keys.verify(&token).is_none());
    }

    #[test]
    fn search_queries_never_smuggle_syntax(q in ".{0,120}") {
        if let Ok(Some(parsed)) = SearchQuery::parse(&q) {
            prop_assert!(!parsed.words.is_empty());
            for w in &parsed.words {
                prop_assert!(!w.is_empty() && !w.chars().any(|c| c.is_whitespace() || c.is_ascii_punctuation() || c.is_control()), "{w:?}");
            }
            // Every lexeme is a quoted literal joined by &.
            for part in parsed.tsquery.split(" & ") {
                prop_assert!(part.starts_with('\'') && part.ends_with('\''), "{part:?}");
            }
            let _ = highlight(&q, &parsed.words);
        }
    }
}
