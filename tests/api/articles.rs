//! Articles: create, read, update with versions, the workflow, slugs, sanitising, atomicity.

use diesel::prelude::*;
use newsdesk::editors::Role;
use newsdesk::schema::{article_revisions, articles};
use serde_json::{json, Value};

use crate::helpers::Newsroom;
use crate::wire;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[test]
fn create_makes_a_draft_with_a_pinyin_slug_and_derived_fields() {
    let n = Newsroom::new();
    let mut body = n.article("嘉鱼县：年轻干部一线练兵长才干");
    body["cover_image"] =
        json!({"url": "https://img.example.cn/a.jpg", "caption": "练兵", "credit": "刘建平摄"});
    let r = n
        .app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .expect(201);
    let a: wire::Article = r.typed();
    assert_eq!(
        r.header("location").unwrap(),
        format!("https://news.example.cn/api/v1/articles/{}", a.id)
    );
    assert!(r.header("etag").unwrap().starts_with("\"v1-"));
    assert_eq!(a.status, "draft");
    assert_eq!(a.version, 1);
    assert_eq!(
        a.slug,
        "jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan"
    );
    assert_eq!(
        a.summary,
        "今年以来，嘉鱼县聚焦聚力支点建设。产业园区是县域经济发展的主引擎。"
    );
    assert_eq!(a.char_count, 36);
    assert_eq!(a.reading_minutes, 1);
    assert_eq!(
        a.section,
        wire::SectionRef {
            id: n.jiayu.id,
            slug: "jiayu".into(),
            name: "嘉鱼".into()
        }
    );
    assert_eq!(
        a.tags,
        [wire::TagRef {
            id: n.tag.id,
            slug: n.tag.slug.clone(),
            name: "干部素质提升年".into()
        }]
    );
    let names: Vec<&str> = a.byline.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["夏洋", "洪秀", "周全"]);
    assert_eq!(a.byline[0].role, "correspondent");
    assert_eq!(a.byline[0].affiliation.as_deref(), Some("嘉鱼县委宣传部"));
    assert_eq!(
        a.cover_image.as_ref().and_then(|c| c.credit.as_deref()),
        Some("刘建平摄")
    );
    assert_eq!(a.published_at, None);
    assert_eq!(
        a.links.self_,
        format!("https://news.example.cn/api/v1/articles/{}", a.slug)
    );
    // The same title again gets a suffix.
    let b = n
        .app
        .draft(&n.admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"));
    assert_eq!(
        b["slug"],
        "jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan-2"
    );
    // Revision 1 stored.
    let revs = n.app.rows("article_revisions");
    assert_eq!(revs, 2);
}

#[test]
fn body_html_is_sanitised_on_input() {
    let n = Newsroom::new();
    let mut body = n.article("净化");
    body["body_html"] = json!(
        r#"<p onclick="steal()">正文<script>alert(1)</script><a href="javascript:alert(2)">坏链接</a><a href="https://example.cn/x">好链接</a></p><h2 style="color:red">小标题</h2><img src="https://img.example.cn/x.jpg" alt="图" onerror="x()"><iframe src="https://evil.example"></iframe><ul><li><strong>要点</strong></li></ul><blockquote><em>引文</em></blockquote><figure><img src="https://img.example.cn/y.jpg"><figcaption>图注</figcaption></figure>"#
    );
    let a = n.app.draft(&n.admin, &body);
    let html = a["body_html"].as_str().unwrap();
    for gone in [
        "script",
        "onclick",
        "onerror",
        "javascript:",
        "iframe",
        "style=",
        "alert",
    ] {
        assert!(!html.contains(gone), "{gone} survived: {html}");
    }
    for kept in [
        "<p>",
        "<h2>小标题</h2>",
        r#"<a href="https://example.cn/x">好链接</a>"#,
        r#"<img src="https://img.example.cn/x.jpg" alt="图">"#,
        "<ul><li><strong>要点</strong></li></ul>",
        "<blockquote><em>引文</em></blockquote>",
        "<figcaption>图注</figcaption>",
    ] {
        assert!(html.contains(kept), "{kept} missing: {html}");
    }
    // What is stored is what is returned.
    let stored: String = articles::table
        .select(articles::body_html)
        .first(&mut n.app.conn())
        .unwrap();
    assert_eq!(stored, html);
}

#[test]
fn invalid_articles_are_422_and_write_nothing() {
    let n = Newsroom::new();
    let cases = [
        ("title", json!("  ")),
        ("section_id", json!("00000000-0000-0000-0000-000000000000")),
        ("slug", json!("Not A Slug")),
        (
            "byline",
            json!([{"correspondent_id": "00000000-0000-0000-0000-000000000000", "role": "correspondent"}]),
        ),
        (
            "byline",
            json!([{"correspondent_id": n.people[0].id, "role": "boss"}]),
        ),
        ("tag_ids", json!(["00000000-0000-0000-0000-000000000000"])),
        ("editor_id", json!("00000000-0000-0000-0000-000000000000")),
        ("cover_image", json!({"url": "javascript:alert(1)"})),
    ];
    for (field, value) in cases {
        let mut body = n.article("标题");
        body[field] = value.clone();
        let v = n
            .app
            .req("POST", "/api/v1/articles")
            .token(&n.admin)
            .json(&body)
            .send()
            .problem(422, "validation_failed");
        assert!(
            v["errors"][0]["field"].as_str().unwrap().starts_with(field),
            "{field}: {v}"
        );
    }
    let count = n.app.rows("articles");
    assert_eq!(count, 0);
    // Wrong types and unknown fields are 400.
    let mut body = n.article("标题");
    body["byline"] = json!("夏洋");
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .problem(400, "malformed_request");
    let mut body = n.article("标题");
    body["status"] = json!("published");
    let v = n
        .app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .problem(400, "unknown_field");
    assert_eq!(v["errors"][0]["field"], "status");
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .raw("{\"title\": ", "application/json")
        .send()
        .problem(400, "malformed_json");
    let count = n.app.rows("articles");
    assert_eq!(count, 0);
}

#[test]
fn patch_needs_the_current_version() {
    let n = Newsroom::new();
    let a = n.app.draft(&n.admin, &n.article("版本"));
    let path = format!("/api/v1/articles/{}", id(&a));
    n.app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"title": "无版本"}))
        .send()
        .problem(428, "version_required");
    let r = n
        .app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"title": "第二版", "version": 1}))
        .send()
        .expect(200);
    assert_eq!(r.json()["version"], 2);
    let v = n
        .app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"title": "过期", "version": 1}))
        .send()
        .problem(412, "stale_version");
    assert_eq!(v["current_version"], 2);
    // If-Match with the ETag from GET.
    let etag = n
        .app
        .req("GET", &path)
        .token(&n.admin)
        .send()
        .expect(200)
        .header("etag")
        .unwrap()
        .to_owned();
    assert!(etag.starts_with("\"v2-"));
    let r = n
        .app
        .req("PATCH", &path)
        .token(&n.admin)
        .header("If-Match", &etag)
        .json(&json!({"subtitle": "副题"}))
        .send()
        .expect(200);
    assert_eq!(r.json()["subtitle"], "副题");
    n.app
        .req("PATCH", &path)
        .token(&n.admin)
        .header("If-Match", &etag)
        .json(&json!({"subtitle": "再改"}))
        .send()
        .problem(412, "stale_version");
    let title: String = articles::table
        .select(articles::title)
        .first(&mut n.app.conn())
        .unwrap();
    assert_eq!(title, "第二版");
}

#[test]
fn patch_is_partial_and_records_what_changed() {
    let n = Newsroom::new();
    let a = n.app.draft(&n.admin, &n.article("部分更新"));
    let path = format!("/api/v1/articles/{}", id(&a));
    let other = n.app.person(&n.admin, "叶和平");
    let r = n
        .app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"version": 1, "byline": [{"correspondent_id": other["id"], "role": "reporter"}], "summary": "编辑写的摘要", "tag_ids": []}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["title"], "部分更新");
    assert_eq!(r["summary"], "编辑写的摘要");
    assert_eq!(
        r["byline"],
        json!([{"correspondent_id": other["id"], "name": "叶和平", "role": "reporter", "affiliation": "嘉鱼县委宣传部"}])
    );
    assert_eq!(r["tags"], json!([]));
    // summary: null derives it again from the body.
    let r = n
        .app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"version": 2, "summary": null, "body_html": "<p>新的正文。</p>"}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["summary"], "新的正文。");
    let changed: Vec<Vec<Option<String>>> = article_revisions::table
        .order(article_revisions::number)
        .select(article_revisions::changed)
        .load(&mut n.app.conn())
        .unwrap();
    assert_eq!(changed.len(), 3);
    let names = |i: usize| changed[i].iter().flatten().cloned().collect::<Vec<_>>();
    assert_eq!(names(1), ["summary", "byline", "tag_ids"]);
    assert_eq!(names(2), ["summary", "body_html"]);
}

#[test]
fn workflow_and_roles() {
    let n = Newsroom::new();
    let app = &n.app;
    let (_, editor) = app.staff(Role::Editor);
    let (_, writer) = app.staff(Role::Contributor);
    let (_, other_writer) = app.staff(Role::Contributor);
    let a = app.draft(&writer, &n.article("来稿"));
    let path = format!("/api/v1/articles/{}", id(&a));
    let t = format!("{path}/transition");
    // Anonymous cannot see a draft (404, not 403); the author and the desk can.
    app.get(&path).problem(404, "not_found");
    app.req("GET", &path).token(&writer).send().expect(200);
    app.req("GET", &path).token(&editor).send().expect(200);
    app.req("GET", &path)
        .token(&other_writer)
        .send()
        .problem(404, "not_found");
    // Another contributor can't touch it.
    app.req("PATCH", &path)
        .token(&other_writer)
        .json(&json!({"title": "x", "version": 1}))
        .send()
        .problem(403, "forbidden");
    app.req("POST", &t)
        .token(&other_writer)
        .json(&json!({"to": "in_review"}))
        .send()
        .problem(403, "forbidden");
    // The author can't publish or set an editor, but submits.
    app.req("POST", &t)
        .token(&writer)
        .json(&json!({"to": "published"}))
        .send()
        .problem(409, "illegal_transition");
    let (editor_id, _) = app.staff(Role::Editor);
    app.req("PATCH", &path)
        .token(&writer)
        .json(&json!({"editor_id": editor_id, "version": 1}))
        .send()
        .problem(403, "forbidden");
    let r = app.move_to(&writer, &id(&a), "in_review");
    assert_eq!(r["status"], "in_review");
    assert_eq!(r["version"], 2);
    app.req("POST", &t)
        .token(&writer)
        .json(&json!({"to": "published"}))
        .send()
        .problem(403, "forbidden");
    // Illegal move lists the allowed ones.
    let v = app
        .req("POST", &t)
        .token(&editor)
        .json(&json!({"to": "archived"}))
        .send()
        .problem(409, "illegal_transition");
    assert_eq!(v["allowed"], json!(["draft", "scheduled", "published"]));
    // Sent back with a note, resubmitted, published.
    app.req("POST", &t)
        .token(&editor)
        .json(&json!({"to": "draft", "note": "请补充数据"}))
        .send()
        .expect(200);
    let note: Option<String> = article_revisions::table
        .filter(article_revisions::number.eq(3))
        .select(article_revisions::note)
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(note.as_deref(), Some("请补充数据"));
    app.move_to(&writer, &id(&a), "in_review");
    let p = app.move_to(&editor, &id(&a), "published");
    let first_published = p["published_at"].as_str().unwrap().to_owned();
    assert_eq!(p["status"], "published");
    app.get(&path).expect(200);
    // The author can no longer edit it.
    app.req("PATCH", &path)
        .token(&writer)
        .json(&json!({"title": "x", "version": 5}))
        .send()
        .problem(403, "forbidden");
    // Archived vanishes from public reads; re-publication keeps published_at.
    app.move_to(&editor, &id(&a), "archived");
    app.get(&path).problem(404, "not_found");
    assert_eq!(
        app.get("/api/v1/articles").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let again = app.move_to(&editor, &id(&a), "published");
    assert_eq!(again["published_at"].as_str().unwrap(), first_published);
    // Every write stored a revision: create, submit, back, submit, publish, archive, publish.
    let revs = app.rows("article_revisions");
    assert_eq!(revs, 7);
    // Delete: contributors never; published must be archived first.
    app.req("DELETE", &path)
        .token(&writer)
        .send()
        .problem(403, "forbidden");
    app.req("DELETE", &path)
        .token(&editor)
        .send()
        .problem(409, "article_published");
    app.move_to(&editor, &id(&a), "archived");
    app.req("DELETE", &path).token(&editor).send().expect(204);
    app.req("GET", &path)
        .token(&editor)
        .send()
        .problem(404, "not_found");
    let revs = app.rows("article_revisions");
    assert_eq!(revs, 0, "revisions go with the deleted article");
}

#[test]
fn scheduling_publishes_when_due() {
    let n = Newsroom::new();
    let a = n.app.draft(&n.admin, &n.article("定时发布"));
    let t = format!("/api/v1/articles/{}/transition", id(&a));
    n.app
        .req("POST", &t)
        .token(&n.admin)
        .json(&json!({"to": "scheduled"}))
        .send()
        .problem(422, "validation_failed");
    n.app
        .req("POST", &t)
        .token(&n.admin)
        .json(&json!({"to": "scheduled", "publish_at": "2020-01-01T00:00:00+08:00"}))
        .send()
        .problem(422, "validation_failed");
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let s = n
        .app
        .req("POST", &t)
        .token(&n.admin)
        .json(&json!({"to": "scheduled", "publish_at": at}))
        .send()
        .expect(200)
        .json();
    assert_eq!(s["status"], "scheduled");
    n.app
        .get(&format!("/api/v1/articles/{}", id(&a)))
        .problem(404, "not_found");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let r = n.app.get(&format!("/api/v1/articles/{}", id(&a)));
        if r.status == 200 {
            let v = r.json();
            assert_eq!(v["status"], "published");
            assert_eq!(v["published_at"], v["publish_at"]);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "not published within 8 s of publish_at"
        );
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
}

#[test]
fn changing_a_published_slug_keeps_the_old_one_as_a_redirect() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("改名前"));
    let old = a["slug"].as_str().unwrap().to_owned();
    let r = n
        .app
        .req("PATCH", &format!("/api/v1/articles/{}", id(&a)))
        .token(&n.admin)
        .json(&json!({"slug": "new-slug", "version": a["version"]}))
        .send()
        .expect(200);
    assert_eq!(r.json()["slug"], "new-slug");
    let moved = n.app.get(&format!("/api/v1/articles/{old}")).expect(301);
    assert_eq!(
        moved.header("location"),
        Some("https://news.example.cn/api/v1/articles/new-slug")
    );
    n.app.get("/api/v1/articles/new-slug").expect(200);
    // Its ninjs form moves with it.
    let ninjs = n
        .app
        .get(&format!("/api/v1/articles/{old}/ninjs"))
        .expect(301);
    assert_eq!(
        ninjs.header("location"),
        Some("https://news.example.cn/api/v1/articles/new-slug/ninjs")
    );
    n.app.get("/api/v1/articles/nothing-here/ninjs").expect(404);
    // Another article may not take the old slug; this one may take it back.
    let mut body = n.article("别的稿件");
    body["slug"] = json!(old);
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .problem(409, "article_slug_taken");
    n.app
        .req("PATCH", &format!("/api/v1/articles/{}", id(&a)))
        .token(&n.admin)
        .json(&json!({"slug": old, "version": a["version"].as_i64().unwrap() + 1}))
        .send()
        .expect(200);
    n.app.get(&format!("/api/v1/articles/{old}")).expect(200);
    n.app.get("/api/v1/articles/new-slug").expect(301);
}

#[test]
fn previous_and_next_follow_publication_in_the_section() {
    let n = Newsroom::new();
    let first = n.app.published(
        &n.admin,
        &n.article("【央媒省媒看咸宁】全国九座在建大桥缆索“嘉鱼造”"),
    );
    let middle = n
        .app
        .published(&n.admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"));
    let last = n
        .app
        .published(&n.admin, &n.article("嘉鱼渡普镇人大服务特色产业发展"));
    let elsewhere = n.app.section(&n.admin, "other", "其他", None);
    let mut body = n.article("别的栏目");
    body["section_id"] = elsewhere["id"].clone();
    n.app.published(&n.admin, &body);
    let v = n
        .app
        .get(&format!(
            "/api/v1/articles/{}",
            middle["slug"].as_str().unwrap()
        ))
        .expect(200)
        .json();
    assert_eq!(
        v["links"]["previous"],
        json!({"slug": first["slug"], "title": first["title"]})
    );
    assert_eq!(
        v["links"]["next"],
        json!({"slug": last["slug"], "title": last["title"]})
    );
    let v = n
        .app
        .get(&format!(
            "/api/v1/articles/{}",
            first["id"].as_str().unwrap()
        ))
        .expect(200)
        .json();
    assert_eq!(v["links"]["previous"], Value::Null);
}
