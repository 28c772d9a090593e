//! Webhooks: created by admins, their secret shown once; events recorded with the write (a
//! refused write sends nothing), delivered in order per article, signed per Standard Webhooks
//! (verified with the independent `standardwebhooks` crate), retried, with their history.

use serde_json::{json, Value};

use crate::helpers::{Newsroom, TestApp};
use crate::receiver::{Received, Receiver};

/// Verifies `r`'s signature with `secret`, as a receiver would.
#[track_caller]
fn verify(secret: &str, r: &Received) {
    let mut headers = reqwest::header::HeaderMap::new();
    for (k, v) in &r.headers {
        if let (Ok(k), Ok(v)) = (
            reqwest::header::HeaderName::from_bytes(k.as_bytes()),
            reqwest::header::HeaderValue::from_str(v),
        ) {
            headers.append(k, v);
        }
    }
    standardwebhooks::Webhook::new(secret)
        .unwrap()
        .verify(&r.body, &headers)
        .unwrap_or_else(|e| panic!("signature refused: {e:?} {r:?}"));
}

fn hook(app: &TestApp, admin: &str, url: &str, events: Value) -> Value {
    app.req("POST", "/api/v1/webhooks")
        .token(admin)
        .json(&json!({"url": url, "events": events, "description": "前端重建"}))
        .send()
        .expect(201)
        .json()
}

/// A receiver on loopback and a webhook (of `events`) to its `path`, created by `n`'s admin.
fn listening(n: &Newsroom, path: &str, events: Value) -> (Receiver, Value) {
    let receiver = Receiver::start(&[]);
    let url = format!("{}{path}", receiver.url);
    let created = hook(&n.app, &n.admin, &url, events);
    (receiver, created)
}

#[test]
fn publications_are_delivered_signed_and_in_order() {
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let (receiver, created) = listening(
        &n,
        "/hooks/newsdesk",
        json!(["article.published", "article.updated", "tag.changed"]),
    );
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    let id = created["id"].as_str().unwrap();
    // The secret is shown once.
    let listed = app
        .req("GET", "/api/v1/webhooks")
        .token(admin)
        .send()
        .expect(200)
        .json();
    assert!(listed["data"][0].get("secret").is_none(), "{listed}");
    assert!(!listed.to_string().contains(&secret));

    // A draft announces nothing; its publication and then an edit do, in that order.
    let draft = app.draft(admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"));
    let aid = draft["id"].as_str().unwrap().to_owned();
    app.move_to(admin, &aid, "in_review");
    let published = app.move_to(admin, &aid, "published");
    app.req("PATCH", &format!("/api/v1/articles/{aid}"))
        .token(admin)
        .json(&json!({"title": "嘉鱼县：年轻干部一线练兵", "version": published["version"]}))
        .send()
        .expect(200);
    // A refused write (a stale version) sends nothing.
    app.req("PATCH", &format!("/api/v1/articles/{aid}"))
        .token(admin)
        .json(&json!({"title": "不会保存", "version": 1}))
        .send()
        .expect(412);
    let got = receiver.wait_for(2, 10);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let got_all = receiver.received();
    assert_eq!(got_all.len(), 2, "{got_all:#?}");
    for r in &got {
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("POST", "/hooks/newsdesk")
        );
        assert_eq!(r.header("content-type"), Some("application/json"));
        verify(&secret, r);
    }
    let (first, second) = (got[0].json(), got[1].json());
    assert_eq!(first["type"], "article.published");
    assert_eq!(second["type"], "article.updated");
    assert_eq!(first["data"]["id"], aid);
    assert_eq!(first["data"]["status"], "published");
    assert_eq!(second["data"]["title"], "嘉鱼县：年轻干部一线练兵");
    assert!(first["data"]["byline"].as_array().unwrap().len() == 3);
    chrono::DateTime::parse_from_rfc3339(first["timestamp"].as_str().unwrap()).unwrap();
    // A tampered body fails verification.
    let mut tampered = got[0].clone();
    tampered.body = br#"{"type":"article.published"}"#.to_vec();
    assert!(std::panic::catch_unwind(|| verify(&secret, &tampered)).is_err());

    // The history: newest first, delivered at the first attempt, webhook-id = delivery id.
    let deliveries = app
        .req("GET", &format!("/api/v1/webhooks/{id}/deliveries"))
        .token(admin)
        .send()
        .expect(200)
        .json();
    let d = deliveries["data"].as_array().unwrap();
    assert_eq!(d.len(), 2, "{deliveries}");
    assert_eq!(d[0]["event"], "article.updated");
    assert_eq!(d[1]["event"], "article.published");
    for delivery in d {
        assert_eq!(delivery["state"], "delivered", "{delivery}");
        assert_eq!(delivery["attempts"], 1);
        assert_eq!(delivery["last_status"], 200);
        assert!(delivery["next_attempt_at"].is_null());
    }
    let ids: Vec<&str> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap())
        .collect();
    assert_eq!(
        ids,
        [d[1]["id"].as_str().unwrap(), d[0]["id"].as_str().unwrap()]
    );

    // A tag's change goes out with the tag; an unsubscribed event does not.
    app.req("PATCH", &format!("/api/v1/tags/{}", n.tag.id))
        .token(admin)
        .json(&json!({"name": "干部素质提升"}))
        .send()
        .expect(200);
    app.req("PATCH", &format!("/api/v1/sections/{}", n.jiayu.id))
        .token(admin)
        .json(&json!({"name": "嘉鱼县"}))
        .send()
        .expect(200);
    let got = receiver.wait_for(3, 10);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert_eq!(receiver.received().len(), 3);
    let tag = got[2].json();
    assert_eq!(tag["type"], "tag.changed");
    assert_eq!(tag["data"]["name"], "干部素质提升");
}

#[test]
fn failed_deliveries_are_retried_and_can_be_retried_by_hand() {
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let receiver = Receiver::start(&[503]);
    let created = hook(app, admin, &receiver.url, json!(["*"]));
    let id = created["id"].as_str().unwrap();
    app.published(admin, &n.article("重试"));
    // The first attempt gets 503; the next, 5 s later, 200.
    let got = receiver.wait_for(2, 15);
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    let list = |app: &TestApp| {
        app.req("GET", &format!("/api/v1/webhooks/{id}/deliveries"))
            .token(admin)
            .send()
            .expect(200)
            .json()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let delivery = loop {
        let d = list(app)["data"][0].clone();
        if d["state"] == "delivered" || std::time::Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(delivery["state"], "delivered", "{delivery}");
    assert_eq!(delivery["attempts"], 2);
    // By hand: one more attempt now (refused this time: the schedule goes on from there).
    receiver.answer(&[500]);
    let did = delivery["id"].as_str().unwrap();
    let retried = app
        .req(
            "POST",
            &format!("/api/v1/webhooks/{id}/deliveries/{did}/retry"),
        )
        .token(admin)
        .send()
        .expect(202)
        .json();
    assert_eq!(retried["state"], "pending");
    let got = receiver.wait_for(3, 10);
    assert_eq!(got[2].header("webhook-id"), Some(did));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let after = loop {
        let d = list(app)["data"][0].clone();
        if d["attempts"] == 3 || std::time::Instant::now() > deadline {
            break d;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(
        (after["state"].as_str(), after["last_status"].as_i64()),
        (Some("pending"), Some(500)),
        "{after}"
    );
    // The third attempt's delay: 30 minutes.
    let next =
        chrono::DateTime::parse_from_rfc3339(after["next_attempt_at"].as_str().unwrap()).unwrap();
    let wait = next.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((1700..=1800).contains(&wait), "{wait} s");
    app.req(
        "POST",
        &format!(
            "/api/v1/webhooks/{id}/deliveries/{}/retry",
            uuid::Uuid::now_v7()
        ),
    )
    .token(admin)
    .send()
    .problem(404, "not_found");
}

#[test]
fn webhooks_are_for_admins_and_public_https_urls() {
    let app = TestApp::spawn_with(|c| c.webhook_allow_private = false);
    let admin = app.admin();
    let (_, editor) = app.staff(newsdesk::editors::Role::Editor);
    app.req("POST", "/api/v1/webhooks")
        .token(&editor)
        .json(&json!({"url": "https://hooks.example.cn/x", "events": ["*"]}))
        .send()
        .problem(403, "forbidden");
    for (url, events, field) in [
        ("http://hooks.example.cn/x", json!(["*"]), "url"),
        ("https://127.0.0.1/x", json!(["*"]), "url"),
        ("https://169.254.169.254/latest", json!(["*"]), "url"),
        (
            "https://hooks.example.cn/x",
            json!(["article.exploded"]),
            "events",
        ),
        ("https://hooks.example.cn/x", json!([]), "events"),
    ] {
        let v = app
            .req("POST", "/api/v1/webhooks")
            .token(&admin)
            .json(&json!({"url": url, "events": events}))
            .send()
            .problem(422, "validation_failed");
        assert_eq!(v["errors"][0]["field"], field, "{v}");
    }
    assert_eq!(app.rows("webhooks"), 0);
    let ok = app
        .req("POST", "/api/v1/webhooks")
        .token(&admin)
        .json(&json!({"url": "https://hooks.example.cn/x", "events": ["article.published", "article.published"]}))
        .send()
        .expect(201)
        .json();
    assert_eq!(ok["events"], json!(["article.published"]));
    let path = format!("/api/v1/webhooks/{}", ok["id"].as_str().unwrap());
    let paused = app
        .req("PATCH", &path)
        .token(&admin)
        .json(&json!({"active": false, "description": "暂停"}))
        .send()
        .expect(200)
        .json();
    assert_eq!(
        (paused["active"].clone(), paused["description"].clone()),
        (json!(false), json!("暂停"))
    );
    app.req("DELETE", &path).token(&admin).send().expect(204);
    app.req("GET", &path)
        .token(&admin)
        .send()
        .problem(404, "not_found");
}

/// The server killed outright (`kill -9`) with deliveries pending: after a restart every one is
/// delivered; a repeat only ever carries the same `webhook-id`.
#[test]
fn deliveries_pending_at_a_crash_are_sent_after_the_restart() {
    use crate::server::{data_dir, free_port, Server};
    let dir = data_dir();
    let vars = [
        ("NEWSDESK_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("NEWSDESK_WRITE_LIMIT", "0"),
    ];
    let mut server = Server::start_with(&dir, "warn", &vars);
    let token = server.admin_token();
    let call = |base: &str, method: &str, path: &str, body: Value| -> Value {
        let r = ureq::request(method, &format!("{base}{path}"))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_string(&body.to_string())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        serde_json::from_str(&r.into_string().unwrap()).unwrap_or(Value::Null)
    };
    // Nothing listens at the webhook's address yet: every first attempt fails.
    let port = free_port();
    let hook = call(
        &server.base,
        "POST",
        "/api/v1/webhooks",
        json!({"url": format!("http://127.0.0.1:{port}/hook"), "events": ["article.published"]}),
    );
    let hook_id = hook["id"].as_str().unwrap().to_owned();
    let sections = call(
        &server.base,
        "GET",
        "/api/v1/sections?limit=100",
        Value::Null,
    );
    let section = sections["data"][0]["id"].clone();
    let people = call(&server.base, "GET", "/api/v1/correspondents", Value::Null);
    let person = people["data"][0]["id"].clone();
    for i in 0..5 {
        let a = call(
            &server.base,
            "POST",
            "/api/v1/articles",
            json!({"title": format!("崩溃前发布{i}"), "body_html": "<p>正文。</p>", "section_id": section,
                   "byline": [{"correspondent_id": person, "role": "reporter"}]}),
        );
        let id = a["id"].as_str().unwrap();
        for to in ["in_review", "published"] {
            call(
                &server.base,
                "POST",
                &format!("/api/v1/articles/{id}/transition"),
                json!({"to": to}),
            );
        }
    }
    // Wait until each delivery has failed once (no attempt is in flight at the kill).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let d = call(
            &server.base,
            "GET",
            &format!("/api/v1/webhooks/{hook_id}/deliveries"),
            Value::Null,
        );
        let d = d["data"].as_array().unwrap().clone();
        if d.len() == 5
            && d.iter()
                .all(|x| x["attempts"] == 1 && x["state"] == "pending")
        {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{d:?}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Both newsdesk and its PostgreSQL die at once.
    let postmaster = std::fs::read_to_string(dir.join("pg/postmaster.pid")).unwrap();
    let postmaster = postmaster.lines().next().unwrap().trim().to_owned();
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    std::process::Command::new("kill")
        .args(["-9", &postmaster])
        .status()
        .unwrap();
    let gone = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(format!("/proc/{postmaster}/stat")).is_ok_and(|s| {
        !s.rsplit_once(')')
            .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
    }) {
        assert!(std::time::Instant::now() < gone, "postmaster still alive");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    // The receiver comes up; so does newsdesk, on the same data.
    let receiver = Receiver::start_on(port, &[]);
    let server = Server::start_with(&dir, "warn", &vars);
    // Within seconds, unless the kill caught a retry in flight: its lease (60 s) runs out first.
    let got = receiver.wait_for(5, 90);
    let mut ids: Vec<String> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "{got:#?}");
    let d = call(
        &server.base,
        "GET",
        &format!("/api/v1/webhooks/{hook_id}/deliveries"),
        Value::Null,
    );
    let mut delivered: Vec<String> = d["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    assert_eq!(
        delivered, ids,
        "every pending delivery arrived, under its own id"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn several_processes_send_each_delivery_once_and_in_order() {
    use crate::server::Server;
    use diesel::prelude::*;
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let (receiver, created) =
        listening(&n, "/hook", json!(["article.published", "article.updated"]));
    let secret = created["secret"].as_str().unwrap().to_owned();
    // Two more real processes on the same database: three dispatchers claim from one outbox.
    let vars = [
        ("NEWSDESK_WEBHOOK_ALLOW_PRIVATE", "1"),
        ("NEWSDESK_WRITE_LIMIT", "0"),
    ];
    let servers = [
        Server::on_database_with(app.database_url(), &vars),
        Server::on_database_with(app.database_url(), &vars),
    ];
    let bases = [servers[0].base.clone(), servers[1].base.clone()];
    let call = |base: &str, method: &str, path: &str, body: &Value| -> Value {
        let r = ureq::request(method, &format!("{base}{path}"))
            .set("Authorization", &format!("Bearer {admin}"))
            .set("Content-Type", "application/json")
            .send_string(&body.to_string())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        serde_json::from_str(&r.into_string().unwrap()).unwrap()
    };
    // Two writers at once; each article is published through one process and corrected at
    // once through the other, so both its deliveries are often due together.
    const EACH: usize = 12;
    let articles: Vec<String> = std::thread::scope(|s| {
        let writers: Vec<_> = (0..2)
            .map(|w| {
                let (bases, call, n) = (&bases, &call, &n);
                s.spawn(move || {
                    (0..EACH)
                        .map(|i| {
                            let (one, other) = (&bases[(w + i) % 2], &bases[(w + i + 1) % 2]);
                            let a = call(
                                one,
                                "POST",
                                "/api/v1/articles",
                                &n.article(&format!("多进程投递{w}-{i}")),
                            );
                            let id = a["id"].as_str().unwrap().to_owned();
                            let path = format!("/api/v1/articles/{id}/transition");
                            call(one, "POST", &path, &json!({"to": "in_review"}));
                            let p = call(one, "POST", &path, &json!({"to": "published"}));
                            call(
                                other,
                                "PATCH",
                                &format!("/api/v1/articles/{id}"),
                                &json!({"title": format!("多进程投递{w}-{i}（更正）"), "version": p["version"]}),
                            );
                            id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let expected = 2 * articles.len();
    receiver.wait_for(expected, 30);
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let got = receiver.received();
    assert_eq!(got.len(), expected, "no delivery twice, none lost");
    let mut ids: Vec<&str> = got
        .iter()
        .map(|r| r.header("webhook-id").unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), expected);
    for r in &got {
        verify(&secret, r);
    }
    let bodies: Vec<Value> = got.iter().map(|r| r.json()).collect();
    for article in &articles {
        let events: Vec<String> = bodies
            .iter()
            .filter(|b| b["data"]["id"] == article.as_str())
            .map(|b| b["type"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            events,
            ["article.published", "article.updated"],
            "in order per article"
        );
    }
    // Each message was attempted once: no two processes made the same attempt.
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let attempts: Count = diesel::sql_query(
        "SELECT count(*) AS n FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id WHERE o.kind = 'webhook'",
    )
    .get_result(&mut app.conn())
    .unwrap();
    assert_eq!(attempts.n, expected as i64);
    for s in servers {
        s.stop();
    }
}

#[test]
fn the_history_forgets_what_was_done_a_month_ago() {
    use diesel::prelude::*;
    let app = TestApp::spawn();
    let mut conn = app.conn();
    for (state, age) in [
        ("delivered", 40),
        ("failed", 31),
        ("pending", 40),
        ("delivered", 2),
    ] {
        diesel::sql_query(format!(
            "INSERT INTO outbox (id, kind, event, ordering_key, payload, state, created_at, next_attempt_at) \
             VALUES (gen_random_uuid(), 'purge', 'purge', 'bench', '{{}}', '{state}', now() - interval '{age} days', \
             CASE WHEN '{state}' = 'pending' THEN now() + interval '1 day' END)"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    assert_eq!(newsdesk::outbox::queries::prune(&mut conn).unwrap(), 2);
    assert_eq!(
        app.rows("outbox"),
        2,
        "the pending one and the recent one stay"
    );
}
