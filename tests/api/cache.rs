//! The response cache of public reads: every kind of write is seen by the very next read of
//! every response it changes; hits cost no query; staff never get (or leave) a shared entry;
//! codings and conditional requests; `NEWSDESK_CACHE=off`; two processes stay coherent.

use std::io::Read;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::{Newsroom, TestApp};
use crate::server::Server;

fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// Every public read an article of the newsroom appears in (or links from).
fn reads(n: &Newsroom, a: &Value) -> Vec<String> {
    let (tag, person) = (n.tag.slug.as_str(), n.people[0].slug.as_str());
    vec![
        "/api/v1/articles".into(),
        "/api/v1/articles?limit=5".into(),
        "/api/v1/articles?section=counties".into(),
        "/api/v1/sections/jiayu/articles".into(),
        format!("/api/v1/articles?tag={tag}"),
        format!("/api/v1/articles?correspondent={person}"),
        "/api/v1/articles?q=%E4%BA%A7%E4%B8%9A%E5%9B%AD%E5%8C%BA".into(),
        format!("/api/v1/articles/{}", s(&a["slug"])),
        format!("/api/v1/articles/{}", s(&a["id"])),
        format!("/api/v1/articles/{}/ninjs", s(&a["id"])),
        "/api/v1/feed.rss".into(),
        "/api/v1/sections/counties/feed.atom".into(),
        "/api/v1/sections/jiayu/feed.json".into(),
        format!("/api/v1/tags/{tag}/feed.rss"),
        format!("/api/v1/correspondents/{person}/feed.rss"),
        "/api/v1/sitemap-news.xml".into(),
    ]
}

/// Reads each path twice; the second read must come from the cache (no query).
fn warm(app: &TestApp, paths: &[String]) {
    for p in paths {
        app.get(p).expect(200);
        let before = app.queries.get();
        app.get(p).expect(200);
        assert_eq!(
            app.queries.get(),
            before,
            "{p} is not served from the cache"
        );
    }
}

fn version(a: &Value) -> i64 {
    a["version"].as_i64().unwrap()
}

fn patch(n: &Newsroom, a: &Value, body: Value) -> Value {
    let mut body = body;
    body["version"] = a["version"].clone();
    n.app
        .req("PATCH", &format!("/api/v1/articles/{}", s(&a["id"])))
        .token(&n.admin)
        .json(&body)
        .send()
        .expect(200)
        .json()
}

#[test]
fn an_edit_of_a_published_article_shows_in_every_read_at_once() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("园区招商旧标题"));
    let paths = reads(&n, &a);
    warm(&n.app, &paths);
    let edited = patch(&n, &a, json!({"title": "园区招商新标题"}));
    assert_eq!(version(&edited), version(&a) + 1);
    for p in &paths {
        let body = n.app.get(p).expect(200).body;
        assert!(body.contains("园区招商新标题"), "{p} is stale: {body}");
        assert!(!body.contains("园区招商旧标题"), "{p} is stale");
    }
    // A revision restored is an edit too.
    warm(&n.app, &paths);
    n.app
        .req(
            "POST",
            &format!("/api/v1/articles/{}/revisions/1/restore", s(&a["id"])),
        )
        .token(&n.admin)
        .send()
        .expect(200);
    for p in &paths {
        let body = n.app.get(p).expect(200).body;
        assert!(
            body.contains("园区招商旧标题"),
            "{p} after a restore: {body}"
        );
    }
}

#[test]
fn publish_archive_and_neighbours_are_seen_at_once() {
    let n = Newsroom::new();
    let first = n.app.published(&n.admin, &n.article("第一篇"));
    let second = n.app.published(&n.admin, &n.article("第二篇"));
    let second_page = format!("/api/v1/articles/{}", s(&second["slug"]));
    let mut paths = reads(&n, &second);
    paths.push(format!("/api/v1/articles/{}", s(&first["slug"])));
    warm(&n.app, &paths);
    assert!(n.app.get(&second_page).json()["links"]["next"].is_null());

    let third = n.app.published(&n.admin, &n.article("第三篇"));
    assert_eq!(
        n.app.get(&second_page).json()["links"]["next"]["title"],
        "第三篇",
        "the neighbour's 下一篇"
    );
    for p in paths.iter().filter(|p| !p.contains("/articles/")) {
        assert!(
            n.app.get(p).body.contains("第三篇"),
            "{p} misses the new story"
        );
    }

    warm(&n.app, &paths);
    n.app.move_to(&n.admin, s(&third["id"]), "archived");
    assert!(n.app.get(&second_page).json()["links"]["next"].is_null());
    for p in &paths {
        assert!(!n.app.get(p).body.contains("第三篇"), "{p} still shows it");
    }
    n.app
        .get(&format!("/api/v1/articles/{}", s(&third["slug"])))
        .expect(404);

    // Archiving the middle story joins its neighbours.
    warm(&n.app, &paths);
    n.app.move_to(&n.admin, s(&second["id"]), "archived");
    let first_page = n
        .app
        .get(&format!("/api/v1/articles/{}", s(&first["slug"])))
        .json();
    assert!(first_page["links"]["next"].is_null(), "{first_page}");
}

#[test]
fn moving_an_article_to_another_section_updates_both() {
    let n = Newsroom::new();
    let city = n.app.section(&n.admin, "city", "市区", None);
    let a = n.app.published(&n.admin, &n.article("搬家的稿件"));
    let paths: Vec<String> = [
        "/api/v1/sections/jiayu/articles",
        "/api/v1/sections/counties/articles",
        "/api/v1/sections/city/articles",
        "/api/v1/sections/city/feed.rss",
    ]
    .map(String::from)
    .to_vec();
    warm(&n.app, &paths);
    patch(&n, &a, json!({"section_id": city["id"]}));
    let has = |p: &str| n.app.get(p).body.contains("搬家的稿件");
    assert!(!has("/api/v1/sections/jiayu/articles"));
    assert!(!has("/api/v1/sections/counties/articles"));
    assert!(has("/api/v1/sections/city/articles"));
    assert!(has("/api/v1/sections/city/feed.rss"));
}

/// Renames the section, tag or correspondent at `path`.
fn rename(n: &Newsroom, path: &str, name: &str) {
    n.app
        .req("PATCH", path)
        .token(&n.admin)
        .json(&json!({ "name": name }))
        .send()
        .expect(200);
}

#[test]
fn renaming_a_section_tag_or_correspondent_shows_in_articles() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("改名测试"));
    let page = format!("/api/v1/articles/{}", s(&a["slug"]));
    let renames = [
        (
            format!("/api/v1/sections/{}", &n.jiayu.id.to_string()),
            "嘉鱼县",
        ),
        (
            format!("/api/v1/tags/{}", &n.tag.id.to_string()),
            "干部素质提升",
        ),
        (
            format!("/api/v1/correspondents/{}", &n.people[0].id.to_string()),
            "夏洋洋",
        ),
    ];
    for (path, name) in renames {
        warm(&n.app, &[page.clone(), path.clone()]);
        rename(&n, &path, name);
        assert!(n.app.get(&page).body.contains(name), "{path}");
        assert!(n.app.get(&path).body.contains(name), "{path}");
    }
}

#[test]
fn a_scheduled_publication_reaches_the_cache() {
    let n = Newsroom::new();
    let a = n.app.draft(&n.admin, &n.article("定时发布的稿件"));
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    n.app
        .req(
            "POST",
            &format!("/api/v1/articles/{}/transition", s(&a["id"])),
        )
        .token(&n.admin)
        .json(&json!({"to": "scheduled", "publish_at": at}))
        .send()
        .expect(200);
    let paths = ["/api/v1/articles".to_owned(), "/api/v1/feed.rss".to_owned()];
    warm(&n.app, &paths);
    let deadline = Instant::now() + Duration::from_secs(10);
    for p in &paths {
        while !n.app.get(p).body.contains("定时发布的稿件") {
            assert!(Instant::now() < deadline, "{p} never showed it");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

#[test]
fn writes_evict_only_what_they_change() {
    let n = Newsroom::new();
    let other = n.app.section(&n.admin, "city", "市区", None);
    let mut body = n.article("别处的稿件");
    body["section_id"] = other["id"].clone();
    body["byline"] = json!([]);
    body["tag_ids"] = json!([]);
    let elsewhere = n.app.published(&n.admin, &body);
    let kept = vec![
        format!("/api/v1/articles/{}", s(&elsewhere["slug"])),
        "/api/v1/sections/city/articles".to_owned(),
        "/api/v1/sections/city/feed.rss".to_owned(),
    ];
    warm(&n.app, &kept);
    let list = vec!["/api/v1/articles".to_owned()];
    warm(&n.app, &list);
    // A draft changes nothing public.
    let draft = n.app.draft(&n.admin, &n.article("草稿"));
    let before = n.app.queries.get();
    for p in kept.iter().chain(&list) {
        n.app.get(p).expect(200);
    }
    assert_eq!(n.app.queries.get(), before, "a draft evicted public reads");
    // Publishing in 嘉鱼 leaves 市区's pages alone, and evicts the site-wide list.
    n.app.move_to(&n.admin, s(&draft["id"]), "in_review");
    n.app.move_to(&n.admin, s(&draft["id"]), "published");
    let before = n.app.queries.get();
    for p in &kept {
        n.app.get(p).expect(200);
    }
    assert_eq!(n.app.queries.get(), before, "unrelated pages were evicted");
    assert!(n.app.get("/api/v1/articles").body.contains("草稿"));
}

#[test]
fn staff_neither_read_nor_fill_shared_entries() {
    let n = Newsroom::new();
    n.app.published(&n.admin, &n.article("公开稿件"));
    let draft = n.app.draft(&n.admin, &n.article("内部草稿"));
    warm(&n.app, &["/api/v1/articles".to_owned()]);
    let staff = n
        .app
        .req("GET", "/api/v1/articles")
        .token(&n.admin)
        .send()
        .expect(200);
    assert!(staff.body.contains("内部草稿"), "staff see the desk's view");
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
    let public = n.app.get("/api/v1/articles").expect(200);
    assert!(!public.body.contains("内部草稿"));
    assert!(public
        .header("cache-control")
        .unwrap()
        .starts_with("public"));
    // A staff read of a draft first does not leave it for anonymous callers.
    let path = format!("/api/v1/articles/{}", s(&draft["id"]));
    n.app.req("GET", &path).token(&n.admin).send().expect(200);
    n.app.get(&path).expect(404);
    // Nor does a bad token get the shared entry: it is refused.
    n.app
        .req("GET", "/api/v1/articles")
        .token("not-a-token")
        .send()
        .expect(401);
}

/// The ETag of `path` with `Accept-Encoding: coding` (and the status, with `If-None-Match`).
fn etag_in(app: &TestApp, path: &str, coding: &str, if_none_match: Option<&str>) -> (u16, String) {
    let mut r = ureq::get(&format!("{}{path}", app.address)).set("Accept-Encoding", coding);
    if let Some(tag) = if_none_match {
        r = r.set("If-None-Match", tag);
    }
    let r = r.call().unwrap();
    (r.status(), r.header("etag").unwrap().to_owned())
}

#[test]
fn each_content_coding_has_its_own_strong_etag() {
    let n = Newsroom::new();
    n.app.published(&n.admin, &n.article("编码各有标签"));
    for path in ["/api/v1/articles", "/api/v1/feed.rss"] {
        let (_, identity) = etag_in(&n.app, path, "identity", None);
        let (_, gzip) = etag_in(&n.app, path, "gzip", None);
        let (_, br) = etag_in(&n.app, path, "br, gzip", None);
        assert!(!identity.starts_with("W/"), "{identity}");
        assert!(
            identity != gzip && gzip != br && identity != br,
            "{path}: {identity} {gzip} {br}"
        );
        // Any of them says the client's copy is current; the 304 names the client's form.
        for (coding, mine) in [("identity", &identity), ("gzip", &gzip), ("br", &br)] {
            for held in [&identity, &gzip, &br] {
                assert_eq!(
                    etag_in(&n.app, path, coding, Some(held)),
                    (304, mine.clone()),
                    "{path} {coding} holding {held}"
                );
            }
        }
    }
}

/// Reads `path` raw with `Accept-Encoding: coding`.
fn raw(app: &TestApp, path: &str, coding: &str) -> (Option<String>, Option<String>, Vec<u8>) {
    let r = ureq::get(&format!("{}{path}", app.address))
        .set("Accept-Encoding", coding)
        .call()
        .unwrap();
    let encoding = r.header("content-encoding").map(str::to_owned);
    let vary = r.header("vary").map(str::to_owned);
    let mut body = Vec::new();
    r.into_reader().read_to_end(&mut body).unwrap();
    (encoding, vary, body)
}

#[test]
fn bodies_come_gzip_or_brotli_and_conditional_requests_are_answered() {
    let n = Newsroom::new();
    for i in 0..5 {
        n.app
            .published(&n.admin, &n.article(&format!("压缩测试{i}")));
    }
    for path in ["/api/v1/articles", "/api/v1/feed.rss"] {
        let (none, vary, plain) = raw(&n.app, path, "identity");
        assert_eq!(none, None);
        assert!(vary.unwrap().contains("Accept-Encoding"));
        let (enc, _, gz) = raw(&n.app, path, "gzip, deflate");
        assert_eq!(enc.as_deref(), Some("gzip"));
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, plain, "{path} gzip");
        let (enc, _, br) = raw(&n.app, path, "gzip, br");
        assert_eq!(enc.as_deref(), Some("br"));
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, plain, "{path} brotli");
        assert!(
            br.len() < plain.len() / 2,
            "{path}: {} of {}",
            br.len(),
            plain.len()
        );

        let first = n.app.get(path).expect(200);
        let etag = first.header("etag").unwrap().to_owned();
        let before = n.app.queries.get();
        let r = n
            .app
            .req("GET", path)
            .header("If-None-Match", &etag)
            .send()
            .expect(304);
        assert!(r.body.is_empty());
        assert_eq!(r.header("etag"), Some(etag.as_str()));
        assert_eq!(n.app.queries.get(), before, "a 304 from the cache");
    }
    // A conditional request that misses the cache is answered from what it renders.
    let path = "/api/v1/articles?limit=3";
    let etag = n.app.get(path).header("etag").unwrap().to_owned();
    n.app.published(&n.admin, &n.article("新的一篇"));
    n.app
        .req("GET", path)
        .header("If-None-Match", &etag)
        .send()
        .expect(200);
}

#[test]
fn with_the_cache_off_every_read_renders() {
    let n = Newsroom::with(TestApp::spawn_with(|c| c.cache = false));
    n.app.published(&n.admin, &n.article("不缓存"));
    for path in ["/api/v1/articles", "/api/v1/feed.rss"] {
        n.app.get(path).expect(200);
        let before = n.app.queries.get();
        n.app.get(path).expect(200);
        assert!(n.app.queries.get() > before, "{path} came from a cache");
    }
}

#[test]
fn two_processes_on_one_database_stay_coherent() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("两个进程"));
    let servers = [
        Server::on_database(n.app.database_url()),
        Server::on_database(n.app.database_url()),
    ];
    let page = format!("/api/v1/articles/{}", s(&a["slug"]));
    let paths = [page.as_str(), "/api/v1/articles", "/api/v1/feed.rss"];
    let read = |server: &Server, path: &str| {
        ureq::get(&format!("{}{path}", server.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    for server in &servers {
        for p in paths {
            assert!(read(server, p).contains("两个进程"));
        }
    }
    // A write through the test's own server: the other two hear of it by NOTIFY.
    patch(&n, &a, json!({"title": "两个进程改过"}));
    let written = Instant::now();
    for server in &servers {
        for p in paths {
            while !read(server, p).contains("两个进程改过") {
                assert!(
                    written.elapsed() < Duration::from_secs(1),
                    "{p} stale after 1 s"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
    println!("coherent after {:?}", written.elapsed());
    for server in servers {
        server.stop();
    }
}

/// The directory (section tree, names of correspondents and tags) lives in memory whatever
/// `NEWSDESK_CACHE` says: a new child section, renames and a move are seen by the very next
/// read, here and (by NOTIFY) in another process.
#[test]
fn the_directory_in_memory_follows_section_correspondent_and_tag_writes() {
    let n = Newsroom::with(TestApp::spawn_with(|c| c.cache = false));
    let other = Server::on_database(n.app.database_url());
    let on_other = |path: &str| match ureq::get(&format!("{}{path}", other.base)).call() {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{path}: {e}"),
    };
    // Both processes know the tree before the writes.
    n.app.get("/api/v1/sections/jiayu/articles").expect(200);
    assert_eq!(on_other("/api/v1/sections/jiayu/articles"), 200);
    let town = n
        .app
        .req("POST", "/api/v1/sections")
        .token(&n.admin)
        .json(&json!({"slug": "panzhouwan", "name": "簰洲湾镇", "parent_id": n.jiayu.id}))
        .send()
        .expect(201)
        .json();
    let mut req = n.article("簰洲湾镇的新稿件");
    req["section_id"] = town["id"].clone();
    let a = n.app.published(&n.admin, &req);
    let has = |p: &str| n.app.get(p).body.contains("簰洲湾镇的新稿件");
    assert!(has("/api/v1/sections/panzhouwan/articles"));
    // The parent's lists and feeds take in the child's articles.
    assert!(has("/api/v1/sections/jiayu/articles"));
    assert!(has("/api/v1/sections/jiayu/feed.rss"));
    let written = Instant::now();
    while on_other("/api/v1/sections/panzhouwan/articles") != 200 {
        assert!(
            written.elapsed() < Duration::from_secs(1),
            "the other process does not know the new section after 1 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    n.app
        .req("PATCH", &format!("/api/v1/sections/{}", s(&town["id"])))
        .token(&n.admin)
        .json(&json!({"name": "簰洲湾", "parent_id": null}))
        .send()
        .expect(200);
    let page = format!("/api/v1/articles/{}", s(&a["slug"]));
    let shown = n.app.get(&page).body;
    assert!(shown.contains("\"name\":\"簰洲湾\""), "{shown}");
    assert!(!has("/api/v1/sections/jiayu/articles"), "moved out of 嘉鱼");
    // Names: both processes have shown the byline and the tag; then both are renamed.
    let other_page = |path: &str| {
        ureq::get(&format!("{}{path}", other.base))
            .call()
            .unwrap()
            .into_string()
            .unwrap()
    };
    assert!(other_page(&page).contains(n.people[0].name.as_str()));
    let renames = [
        (
            format!("/api/v1/correspondents/{}", &n.people[0].id.to_string()),
            "夏洋洋",
        ),
        (
            format!("/api/v1/tags/{}", &n.tag.id.to_string()),
            "干部素质提升",
        ),
    ];
    for (path, name) in renames {
        rename(&n, &path, name);
        assert!(n.app.get(&page).body.contains(name), "{path}");
        let written = Instant::now();
        while !other_page(&page).contains(name) {
            assert!(
                written.elapsed() < Duration::from_secs(1),
                "{path}: the other process shows the old name after 1 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    other.stop();
}
