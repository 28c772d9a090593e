//! Text XML cannot carry (API.md §7): refused with 422 naming the field, dropped from
//! `body_html`; whatever the API accepts, every feed and the sitemap stay well-formed.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{json, Value};

use crate::helpers::{Newsroom, TestApp};

/// The one field a 422 names.
#[track_caller]
fn refused(app: &TestApp, method: &'static str, path: &str, token: &str, body: &Value) -> String {
    let v = app
        .req(method, path)
        .token(token)
        .json(body)
        .send()
        .problem(422, "validation_failed");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert!(
        errors[0]["message"].as_str().unwrap().contains("XML"),
        "{v}"
    );
    errors[0]["field"].as_str().unwrap().to_owned()
}

#[test]
fn control_characters_are_refused_naming_the_field() {
    let n = Newsroom::new();
    let (app, t) = (&n.app, n.admin.as_str());
    let before: Vec<i64> = ["articles", "tags", "correspondents", "sections"]
        .iter()
        .map(|table| app.rows(table))
        .collect();
    let mut a = n.article("垂直\u{b}制表");
    assert_eq!(refused(app, "POST", "/api/v1/articles", t, &a), "title");
    a = n.article("正常标题");
    a["summary"] = json!("开头\u{1}摘要");
    assert_eq!(refused(app, "POST", "/api/v1/articles", t, &a), "summary");
    a = n.article("正常标题");
    a["subtitle"] = json!("非字符\u{fffe}");
    assert_eq!(refused(app, "POST", "/api/v1/articles", t, &a), "subtitle");
    let person = json!({"name": "夏\u{1f}洋"});
    assert_eq!(
        refused(app, "POST", "/api/v1/correspondents", t, &person),
        "name"
    );
    let tag = json!({"name": "专题\u{8}"});
    assert_eq!(refused(app, "POST", "/api/v1/tags", t, &tag), "name");
    let section = json!({"slug": "ffff", "name": "栏目\u{ffff}"});
    assert_eq!(
        refused(app, "POST", "/api/v1/sections", t, &section),
        "name"
    );
    let after: Vec<i64> = ["articles", "tags", "correspondents", "sections"]
        .iter()
        .map(|table| app.rows(table))
        .collect();
    assert_eq!(before, after, "a refused request stored something");
    // Edits and moves too.
    let draft = app.draft(t, &n.article("草稿"));
    let path = format!("/api/v1/articles/{}", draft["id"].as_str().unwrap());
    let patch = json!({"version": draft["version"], "source": "来\u{c}源"});
    assert_eq!(refused(app, "PATCH", &path, t, &patch), "source");
    let tag_path = format!("/api/v1/tags/{}", n.tag.id);
    assert_eq!(
        refused(app, "PATCH", &tag_path, t, &json!({"name": "改\u{7}名"})),
        "name"
    );
    let note = json!({"to": "in_review", "note": "请审\u{0}核"});
    assert_eq!(
        refused(app, "POST", &format!("{path}/transition"), t, &note),
        "note"
    );
    // Tab, LF and CR are text.
    let mut fine = n.article("制表\t换行");
    fine["summary"] = json!("第一行\n第二行\r\n第三行");
    app.draft(t, &fine);
}

#[test]
fn the_sanitiser_drops_them_from_body_html() {
    let n = Newsroom::new();
    let mut a = n.article("正文里的控制符");
    a["body_html"] = json!("<p>甲\u{b}乙&#11;丙&#xFFFF;丁&#1;</p><p>戊\u{ffff}</p>");
    let created = n.app.draft(&n.admin, &a);
    assert_eq!(created["body_html"], "<p>甲乙丙丁</p><p>戊</p>");
}

/// Text as a hostile or careless client sends it: Chinese, markup, entities, controls.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("咸宁".to_owned()),
        Just("<b>".to_owned()),
        Just("]]>".to_owned()),
        Just("&amp;".to_owned()),
        Just("&#11;".to_owned()),
        Just("\"'".to_owned()),
        any::<char>().prop_map(String::from),
        (0u32..0x20).prop_map(|c| char::from_u32(c).unwrap().to_string()),
        Just("\u{fffe}\u{ffff}".to_owned()),
    ];
    proptest::collection::vec(piece, 1..8).prop_map(|p| p.concat())
}

/// Parses with a strict XML parser (roxmltree refuses characters XML cannot carry).
#[track_caller]
fn well_formed(what: &str, xml: &str) {
    if let Err(e) = roxmltree::Document::parse(xml) {
        panic!("{what} is not well-formed XML: {e}\n{xml}");
    }
}

#[test]
fn whatever_the_api_accepts_every_feed_parses() {
    let n = Newsroom::new();
    let (app, t) = (&n.app, n.admin.as_str());
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (text(), text(), text(), text(), text());
    runner
        .run(&strategy, |(title, summary, person, tag, body)| {
            let p = app
                .req("POST", "/api/v1/correspondents")
                .token(t)
                .json(&json!({"name": person, "affiliation": summary}))
                .send();
            let g = app
                .req("POST", "/api/v1/tags")
                .token(t)
                .json(&json!({"name": tag}))
                .send();
            let mut a = n.article(&title);
            a["summary"] = json!(summary);
            a["body_html"] = json!(format!("<p>{body}</p>"));
            if p.status == 201 {
                a["byline"] = json!([{"correspondent_id": p.json()["id"], "role": "reporter"}]);
            }
            if g.status == 201 {
                a["tag_ids"] = json!([g.json()["id"]]);
            }
            let r = app.req("POST", "/api/v1/articles").token(t).json(&a).send();
            prop_assert!([201, 422].contains(&r.status), "{} {}", r.status, r.body);
            if r.status == 201 {
                let id = r.json()["id"].as_str().unwrap().to_owned();
                app.move_to(t, &id, "in_review");
                app.move_to(t, &id, "published");
            }
            for path in [
                "/api/v1/feed.rss",
                "/api/v1/feed.atom",
                "/api/v1/sections/counties/feed.rss",
                "/api/v1/sitemap-news.xml",
            ] {
                let feed = app.get(path).expect(200);
                well_formed(path, &feed.body);
            }
            if g.status == 201 {
                let slug = g.json()["slug"].as_str().unwrap().to_owned();
                well_formed(
                    "tag feed",
                    &app.get(&format!("/api/v1/tags/{slug}/feed.atom"))
                        .expect(200)
                        .body,
                );
            }
            Ok(())
        })
        .unwrap();
    // Some cases were stored, or the property proved nothing.
    assert!(app.rows("articles") > 0);
}
