//! Public reads: filters, keyset pagination, Link, ETag/304, Cache-Control, bounded queries.

use newsdesk::editors::Role;
use serde_json::{json, Value};

use crate::builders::ArticleBuilder;
use crate::helpers::{slugs, Newsroom};

#[test]
fn list_items_and_default_order() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("第一篇"));
    let b = n.app.published(&n.admin, &n.article("第二篇"));
    n.app.draft(&n.admin, &n.article("草稿"));
    let r = n.app.get("/api/v1/articles").expect(200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    let v = r.json();
    assert_eq!(
        slugs(&v),
        [b["slug"].as_str().unwrap(), a["slug"].as_str().unwrap()]
    );
    let item = &v["data"][0];
    assert!(
        item.get("body_html").is_none() && item.get("links").is_none(),
        "{item}"
    );
    for field in [
        "id",
        "slug",
        "title",
        "subtitle",
        "summary",
        "section",
        "tags",
        "byline",
        "editor",
        "source",
        "cover_image",
        "status",
        "publish_at",
        "published_at",
        "created_at",
        "updated_at",
        "version",
        "char_count",
        "reading_minutes",
    ] {
        assert!(item.get(field).is_some(), "{field} missing");
    }
    assert_eq!(v["page"], json!({"limit": 20, "next_cursor": null}));
    // Staff see drafts too; anonymous status filters never reveal them.
    let staff = n
        .app
        .req("GET", "/api/v1/articles")
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(staff["data"].as_array().unwrap().len(), 3);
    assert_eq!(staff["data"][0]["status"], "draft", "unpublished first");
    assert_eq!(
        n.app
            .get("/api/v1/articles?status=draft")
            .expect(200)
            .json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let drafts = n
        .app
        .req("GET", "/api/v1/articles?status=draft")
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(drafts["data"].as_array().unwrap().len(), 1);
    n.app
        .get("/api/v1/articles?status=gone")
        .problem(400, "invalid_parameter");
    n.app
        .get("/api/v1/articles?sort=updated_at")
        .problem(401, "unauthorized");
    let by_update = n
        .app
        .req("GET", "/api/v1/articles?sort=updated_at")
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(by_update["data"].as_array().unwrap().len(), 3);
    // A contributor sees published articles and its own drafts only.
    let (_, writer) = n.app.staff(Role::Contributor);
    n.app.draft(&writer, &n.article("我的草稿"));
    let mine = n
        .app
        .req("GET", "/api/v1/articles")
        .token(&writer)
        .send()
        .expect(200)
        .json();
    assert_eq!(mine["data"].as_array().unwrap().len(), 3);
}

#[test]
fn filters_by_section_with_children_tag_correspondent_and_dates() {
    let n = Newsroom::new();
    let app = &n.app;
    let in_child = app.published(&n.admin, &n.article("嘉鱼稿"));
    let mut body = n.article("县市区稿");
    body["section_id"] = json!(n.counties.id);
    body["tag_ids"] = json!([]);
    body["byline"] = json!([{"correspondent_id": n.people[2].id, "role": "photographer"}]);
    let in_parent = app.published(&n.admin, &body);
    let other = app.section(&n.admin, "wenlv", "文旅", None);
    let mut body = n.article("文旅稿");
    body["section_id"] = other["id"].clone();
    body["byline"] = json!([]);
    let elsewhere = app.published(&n.admin, &body);
    let s = |v: &Value| v["slug"].as_str().unwrap().to_owned();
    assert_eq!(
        slugs(
            &app.get("/api/v1/articles?section=counties")
                .expect(200)
                .json()
        ),
        [s(&in_parent), s(&in_child)]
    );
    assert_eq!(
        slugs(&app.get("/api/v1/articles?section=jiayu").expect(200).json()),
        [s(&in_child)]
    );
    assert_eq!(
        slugs(
            &app.get("/api/v1/sections/counties/articles")
                .expect(200)
                .json()
        ),
        [s(&in_parent), s(&in_child)]
    );
    app.get("/api/v1/sections/nope/articles")
        .problem(404, "not_found");
    assert_eq!(
        slugs(&app.get("/api/v1/articles?section=nope").expect(200).json()),
        Vec::<String>::new()
    );
    let tag = n.tag.slug.as_str();
    assert_eq!(
        slugs(
            &app.get(&format!("/api/v1/articles?tag={tag}"))
                .expect(200)
                .json()
        ),
        [s(&elsewhere), s(&in_child)]
    );
    let person = &n.people[2];
    assert_eq!(
        slugs(
            &app.get(&format!(
                "/api/v1/articles?correspondent={}",
                person.slug.as_str()
            ))
            .expect(200)
            .json()
        ),
        [s(&in_parent), s(&in_child)]
    );
    assert_eq!(
        slugs(
            &app.get(&format!(
                "/api/v1/articles?correspondent={}",
                &person.id.to_string()
            ))
            .expect(200)
            .json()
        )
        .len(),
        2
    );
    assert_eq!(
        slugs(
            &app.get(&format!(
                "/api/v1/articles?correspondent={}&section=wenlv",
                person.slug.as_str()
            ))
            .expect(200)
            .json()
        )
        .len(),
        0
    );
    let t = in_parent["published_at"].as_str().unwrap();
    let enc = t.replace('+', "%2B").replace(':', "%3A");
    assert_eq!(
        slugs(
            &app.get(&format!("/api/v1/articles?published_after={enc}"))
                .expect(200)
                .json()
        ),
        [s(&elsewhere), s(&in_parent)]
    );
    assert_eq!(
        slugs(
            &app.get(&format!("/api/v1/articles?published_before={enc}"))
                .expect(200)
                .json()
        ),
        [s(&in_child)]
    );
    app.get("/api/v1/articles?published_after=yesterday")
        .problem(400, "invalid_parameter");
    let counted = app
        .get("/api/v1/articles?count=true&section=counties")
        .expect(200)
        .json();
    assert_eq!(counted["page"]["total"], 2);
}

#[test]
fn keyset_pagination_is_stable_while_articles_are_added() {
    let n = Newsroom::new();
    let mut conn = n.app.conn();
    let mut expected: Vec<String> = (0..7)
        .map(|i| {
            ArticleBuilder::new(&format!("稿件{i}"), &n.jiayu)
                .by(&n.people[0], "reporter")
                .tagged(&n.tag)
                .published()
                .insert(&mut conn)
                .slug
        })
        .collect();
    expected.reverse();
    let first = n
        .app
        .get("/api/v1/articles?limit=3&section=jiayu")
        .expect(200);
    let link = first.header("link").unwrap().to_owned();
    let v = first.json();
    assert_eq!(slugs(&v), expected[..3]);
    let cursor = v["page"]["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(link, format!("<https://news.example.cn/api/v1/articles?limit=3&section=jiayu&cursor={cursor}>; rel=\"next\""));
    // New stories arrive between page requests: the pages after the cursor don't shift.
    for title in ["插入一", "插入二"] {
        ArticleBuilder::new(title, &n.jiayu)
            .published()
            .insert(&mut conn);
    }
    let v = n
        .app
        .get(&format!(
            "/api/v1/articles?limit=3&section=jiayu&cursor={cursor}"
        ))
        .expect(200)
        .json();
    assert_eq!(slugs(&v), expected[3..6]);
    let cursor = v["page"]["next_cursor"].as_str().unwrap().to_owned();
    let r = n
        .app
        .get(&format!(
            "/api/v1/articles?limit=3&section=jiayu&cursor={cursor}"
        ))
        .expect(200);
    assert!(r.header("link").is_none());
    let v = r.json();
    assert_eq!(slugs(&v), expected[6..]);
    assert_eq!(v["page"]["next_cursor"], Value::Null);
    // A cursor of another ordering is refused.
    n.app
        .req(
            "GET",
            &format!("/api/v1/articles?sort=updated_at&cursor={cursor}"),
        )
        .token(&n.admin)
        .send()
        .problem(400, "invalid_cursor");
}

#[test]
fn etag_304_and_cache_control() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("缓存"));
    for path in [
        "/api/v1/articles",
        &format!("/api/v1/articles/{}", a["slug"].as_str().unwrap()),
        "/api/v1/sections",
        "/api/v1/sections/jiayu",
        "/api/v1/tags",
        "/api/v1/correspondents",
        "/api/v1/correspondents/xia-yang",
    ] {
        let r = n.app.get(path).expect(200);
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=60, stale-while-revalidate=300"),
            "{path}"
        );
        let etag = r
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"))
            .to_owned();
        let again = n
            .app
            .req("GET", path)
            .header("If-None-Match", &etag)
            .send()
            .expect(304);
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        assert!(again.body.is_empty());
        n.app
            .req("GET", path)
            .header("If-None-Match", "\"other\"")
            .send()
            .expect(200);
        let staff = n.app.req("GET", path).token(&n.admin).send().expect(200);
        assert_eq!(
            staff.header("cache-control"),
            Some("private, no-store"),
            "{path}"
        );
    }
    // A change to the article changes its ETag.
    let path = format!("/api/v1/articles/{}", a["id"].as_str().unwrap());
    let before = n.app.get(&path).header("etag").unwrap().to_owned();
    n.app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"subtitle": "新", "version": a["version"]}))
        .send()
        .expect(200);
    n.app
        .req("GET", &path)
        .header("If-None-Match", &before)
        .send()
        .expect(200);
}

#[test]
fn a_page_of_100_costs_as_many_queries_as_a_page_of_2() {
    let n = Newsroom::new();
    for i in 0..2 {
        n.app.published(&n.admin, &n.article(&format!("稿{i}")));
    }
    let measure = |limit: u32| {
        let before = n.app.queries.get();
        let v = n
            .app
            .get(&format!("/api/v1/articles?limit={limit}"))
            .expect(200)
            .json();
        (
            n.app.queries.get() - before,
            v["data"].as_array().unwrap().len(),
        )
    };
    let (small, got) = measure(100);
    assert_eq!(got, 2);
    for i in 0..40 {
        n.app.published(&n.admin, &n.article(&format!("更多{i}")));
    }
    let (large, got) = measure(100);
    assert_eq!(got, 42);
    assert_eq!(small, large, "queries grew with the page");
    assert!(large <= 6, "{large} queries for one list");
}
