//! The editorial workflow beyond single moves: revisions and restore, the audit log,
//! concurrent editing, scheduled publication (catch-up and several processes).

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use newsdesk::editors::Role;
use newsdesk::schema::{article_revisions, articles, audit_log};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Newsroom, TestApp, TestDb};
use crate::server::Server;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

#[test]
fn revisions_list_show_and_restore() {
    let n = Newsroom::new();
    let app = &n.app;
    let a = app.draft(&n.admin, &n.article("第一稿"));
    let path = format!("/api/v1/articles/{}", id(&a));
    app.req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"title": "第二稿", "version": 1}))
        .send()
        .expect(200);
    app.req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"slug": "di-san-gao", "body_html": "<p>改写。</p>", "version": 2}))
        .send()
        .expect(200);
    let list = app
        .req("GET", &format!("{path}/revisions"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    let numbers: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    let newest = &list["data"][0];
    assert_eq!(newest["action"], "update");
    assert_eq!(newest["changed"], json!(["slug", "summary", "body_html"]));
    assert_eq!(newest["snapshot"]["slug"], "di-san-gao");
    assert!(newest["editor"]["display_name"]
        .as_str()
        .unwrap()
        .starts_with("admin"));
    let first = app
        .req("GET", &format!("{path}/revisions/1"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(first["action"], "create");
    assert_eq!(first["snapshot"]["title"], "第一稿");
    assert_eq!(first["snapshot"]["byline"].as_array().unwrap().len(), 3);
    app.req("GET", &format!("{path}/revisions/9"))
        .token(&n.admin)
        .send()
        .problem(404, "not_found");
    app.get(&format!("{path}/revisions"))
        .problem(401, "unauthorized");
    // Paging.
    let page = app
        .req("GET", &format!("{path}/revisions?limit=2"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    let cursor = page["page"]["next_cursor"].as_str().unwrap();
    let rest = app
        .req("GET", &format!("{path}/revisions?limit=2&cursor={cursor}"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(rest["data"][0]["number"], 1);
    // Restore revision 1: a new version 4 with revision 1's fields.
    let restored = app
        .req("POST", &format!("{path}/revisions/1/restore"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(restored["version"], 4);
    assert_eq!(restored["title"], "第一稿");
    assert_eq!(restored["slug"], a["slug"]);
    assert_eq!(restored["body_html"], a["body_html"]);
    let r4 = app
        .req("GET", &format!("{path}/revisions/4"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(r4["action"], "restore");
    assert_eq!(r4["note"], "restored revision 1");
    // A stale version is refused.
    app.req("POST", &format!("{path}/revisions/2/restore"))
        .token(&n.admin)
        .json(&json!({"version": 3}))
        .send()
        .problem(412, "stale_version");
    // Contributors see the history of their own articles only.
    let (_, writer) = app.staff(Role::Contributor);
    app.req("GET", &format!("{path}/revisions"))
        .token(&writer)
        .send()
        .problem(404, "not_found");
    let mine = app.draft(&writer, &n.article("我的稿"));
    app.req("GET", &format!("/api/v1/articles/{}/revisions", id(&mine)))
        .token(&writer)
        .send()
        .expect(200);
}

#[test]
fn revisions_survive_slug_changes() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("改名"));
    let path = format!("/api/v1/articles/{}", id(&a));
    n.app
        .req("PATCH", &path)
        .token(&n.admin)
        .json(&json!({"slug": "gai-ming-hou", "version": a["version"]}))
        .send()
        .expect(200);
    let list = n
        .app
        .req("GET", &format!("{path}/revisions"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(list["data"].as_array().unwrap().len(), 4);
    assert_eq!(list["data"][3]["snapshot"]["slug"], a["slug"]);
}

#[test]
fn the_audit_log_is_for_admins_and_filters() {
    let n = Newsroom::new();
    let app = &n.app;
    // Something the admin did through the API before the editor came.
    app.tag(&n.admin, "审计前");
    let (editor_id, editor) = app.staff(Role::Editor);
    let before = Utc::now();
    let a = app.draft(&editor, &n.article("审计"));
    app.move_to(&editor, &id(&a), "in_review");
    app.req("GET", "/api/v1/audit")
        .token(&editor)
        .send()
        .problem(403, "forbidden");
    app.get("/api/v1/audit").problem(401, "unauthorized");
    let all = app
        .req("GET", "/api/v1/audit?limit=100")
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    let actions: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(&actions[..3], ["submit", "create", "login"]);
    assert!(actions.contains(&"create") && actions.iter().filter(|a| **a == "login").count() >= 2);
    let mine = app
        .req("GET", &format!("/api/v1/audit?editor={editor_id}"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(mine["data"].as_array().unwrap().len(), 3, "{mine}");
    assert_eq!(mine["data"][0]["editor"]["id"], editor_id.to_string());
    let about = app
        .req("GET", &format!("/api/v1/audit?article={}", id(&a)))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(about["data"].as_array().unwrap().len(), 2);
    assert_eq!(about["data"][0]["detail"]["version"], 2);
    let since = before.to_rfc3339().replace('+', "%2B");
    let recent = app
        .req("GET", &format!("/api/v1/audit?since={since}"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(recent["data"].as_array().unwrap().len(), 2);
    let until = app
        .req("GET", &format!("/api/v1/audit?until={since}&limit=2"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(until["data"].as_array().unwrap().len(), 2);
    let cursor = until["page"]["next_cursor"].as_str().unwrap();
    let next = app
        .req(
            "GET",
            &format!("/api/v1/audit?until={since}&limit=2&cursor={cursor}"),
        )
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert!(next["data"][0]["at"].as_str().unwrap() <= until["data"][1]["at"].as_str().unwrap());
    app.req("GET", "/api/v1/audit?since=today")
        .token(&n.admin)
        .send()
        .problem(400, "invalid_parameter");
}

#[test]
fn two_editors_saving_version_1_at_once_one_wins() {
    let n = Newsroom::new();
    let (_, second) = n.app.staff(Role::Editor);
    for round in 0..5 {
        let a = n.app.draft(&n.admin, &n.article(&format!("竞争{round}")));
        let path = format!("/api/v1/articles/{}", id(&a));
        let barrier = std::sync::Barrier::new(2);
        let results: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = [(&n.admin, "甲的标题"), (&second, "乙的标题")]
                .into_iter()
                .map(|(token, title)| {
                    let (path, barrier, app) = (&path, &barrier, &n.app);
                    s.spawn(move || {
                        barrier.wait();
                        let r = app
                            .req("PATCH", path)
                            .token(token)
                            .json(&json!({"title": title, "version": 1}))
                            .send();
                        (r.status, title.to_owned())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut statuses: Vec<u16> = results.iter().map(|r| r.0).collect();
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
        let winner = &results.iter().find(|r| r.0 == 200).unwrap().1;
        let stored = n
            .app
            .req("GET", &path)
            .token(&n.admin)
            .send()
            .expect(200)
            .json();
        assert_eq!(&stored["title"], winner);
        assert_eq!(stored["version"], 2);
    }
}

#[test]
fn a_schedule_that_fell_due_while_the_server_was_down_is_caught_up_on_start() {
    let db = TestDb::new();
    // Arrange on the bare database: an article scheduled for a minute ago.
    let mut conn = PgConnection::establish(&db.url).unwrap();
    let section = Uuid::now_v7();
    diesel::sql_query(format!(
        "INSERT INTO sections (id, slug, name) VALUES ('{section}', 's', '栏目')"
    ))
    .execute(&mut conn)
    .unwrap();
    let article = Uuid::now_v7();
    diesel::sql_query(format!(
        "INSERT INTO articles (id, slug, title, summary, body_html, section_id, status, publish_at) \
         VALUES ('{article}', 'due', '到点', '摘要', '<p>正文</p>', '{section}', 'scheduled', now() - interval '1 minute')"
    ))
    .execute(&mut conn)
    .unwrap();
    drop(conn);
    let app = TestApp::spawn_on(db);
    let deadline = Instant::now() + Duration::from_secs(5);
    while app.get("/api/v1/articles/due").status != 200 {
        assert!(
            Instant::now() < deadline,
            "not caught up within 5 s of starting"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        app.get("/api/v1/articles/due").json()["status"],
        "published"
    );
}

#[test]
fn two_server_processes_publish_a_scheduled_article_exactly_once() {
    // The test's own server does not publish: only the two processes do.
    let n = Newsroom::with(TestApp::spawn_without_scheduler());
    let app = &n.app;
    // 20 articles due at the same moment, 3 s from now.
    let at = (Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let ids: Vec<String> = (0..20)
        .map(|i| {
            let a = app.draft(&n.admin, &n.article(&format!("定时{i}")));
            app.req("POST", &format!("/api/v1/articles/{}/transition", id(&a)))
                .token(&n.admin)
                .json(&json!({"to": "scheduled", "publish_at": at}))
                .send()
                .expect(200);
            id(&a)
        })
        .collect();
    let url = app.database_url().to_owned();
    let servers: Vec<Server> = (0..2).map(|_| Server::on_database(&url)).collect();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let published: i64 = articles::table
            .filter(articles::status.eq("published"))
            .count()
            .get_result(&mut app.conn())
            .unwrap();
        if published == 20 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "only {published} of 20 published"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for server in servers {
        server.stop();
    }
    let mut conn = app.conn();
    for article in &ids {
        let article = Uuid::parse_str(article).unwrap();
        let publishes: i64 = article_revisions::table
            .filter(article_revisions::article_id.eq(article))
            .filter(article_revisions::action.eq("publish"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(
            publishes, 1,
            "article {article} published {publishes} times"
        );
        let audits: i64 = audit_log::table
            .filter(audit_log::article_id.eq(article))
            .filter(audit_log::action.eq("publish"))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(audits, 1);
        let version: i32 = articles::table
            .find(article)
            .select(articles::version)
            .first(&mut conn)
            .unwrap();
        assert_eq!(version, 3, "create, schedule, publish");
    }
}

#[test]
fn parallel_creates_of_one_title_get_their_own_generated_slugs() {
    let n = Newsroom::new();
    let barrier = std::sync::Barrier::new(10);
    let results: Vec<(u16, String)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..10)
            .map(|_| {
                let (barrier, n) = (&barrier, &n);
                s.spawn(move || {
                    barrier.wait();
                    let r = n
                        .app
                        .req("POST", "/api/v1/articles")
                        .token(&n.admin)
                        .json(&n.article("同一个标题"))
                        .send();
                    let slug = if r.status == 201 {
                        r.json()["slug"].as_str().unwrap().to_owned()
                    } else {
                        r.body
                    };
                    (r.status, slug)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(results.iter().all(|(s, _)| *s == 201), "{results:?}");
    let mut slugs: Vec<String> = results.into_iter().map(|(_, slug)| slug).collect();
    slugs.sort();
    let mut expected: Vec<String> = (2..=10)
        .map(|i| format!("tong-yi-ge-biao-ti-{i}"))
        .collect();
    expected.push("tong-yi-ge-biao-ti".into());
    expected.sort();
    assert_eq!(slugs, expected);
    // A slug the client chose and another article has is still a 409.
    let mut mine = n.article("别的");
    mine["slug"] = json!("tong-yi-ge-biao-ti");
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&mine)
        .send()
        .problem(409, "article_slug_taken");
}
