//! Integration tokens: created by admins and shown once, acting with their role through their
//! own account, refused at once after deletion or expiry, `last_used_at`, named in the audit
//! log, their own rate-limit bucket.

use serde_json::json;

use crate::helpers::{Newsroom, TestApp};

fn create(app: &TestApp, admin: &str, body: serde_json::Value) -> serde_json::Value {
    app.req("POST", "/api/v1/tokens")
        .token(admin)
        .json(&body)
        .send()
        .expect(201)
        .json()
}

#[test]
fn a_token_writes_with_its_role_until_it_is_deleted() {
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let made = create(
        app,
        admin,
        json!({"name": "通稿导入脚本", "role": "editor"}),
    );
    let token = made["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("ndt_") && token.len() > 40, "{made}");
    assert!(made["last_used_at"].is_null());
    let id = made["id"].as_str().unwrap().to_owned();
    // Shown once: the list has no secret, and no hash either.
    let listed = app
        .req("GET", "/api/v1/tokens")
        .token(admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(listed["data"][0]["id"], id);
    assert!(!listed.to_string().contains(&token[4..]));
    assert_eq!(listed["data"][0]["role"], "editor");
    // It writes like an editor: creates and publishes.
    let a = app
        .req("POST", "/api/v1/articles")
        .token(&token)
        .json(&n.article("通稿：嘉鱼县招商"))
        .send()
        .expect(201)
        .json();
    let aid = a["id"].as_str().unwrap();
    app.move_to(&token, aid, "in_review");
    app.move_to(&token, aid, "published");
    // …but it is not an admin, and not listed among the staff.
    app.req("GET", "/api/v1/audit")
        .token(&token)
        .send()
        .problem(403, "forbidden");
    let staff = app
        .req("GET", "/api/v1/editors")
        .token(admin)
        .send()
        .expect(200)
        .json();
    assert!(!staff.to_string().contains("通稿导入脚本"), "{staff}");
    // The audit log names the token; last_used_at moved.
    let audit = app
        .req("GET", &format!("/api/v1/audit?article={aid}"))
        .token(admin)
        .send()
        .expect(200)
        .json();
    let entries = audit["data"].as_array().unwrap();
    assert!(!entries.is_empty());
    for e in entries {
        assert_eq!(e["token"], json!({"id": id, "name": "通稿导入脚本"}), "{e}");
    }
    let listed = app
        .req("GET", "/api/v1/tokens")
        .token(admin)
        .send()
        .expect(200)
        .json();
    assert!(listed["data"][0]["last_used_at"].is_string(), "{listed}");
    // Deleted: refused at once.
    app.req("DELETE", &format!("/api/v1/tokens/{id}"))
        .token(admin)
        .send()
        .expect(204);
    app.req("POST", "/api/v1/articles")
        .token(&token)
        .json(&n.article("删除后"))
        .send()
        .problem(401, "unauthorized");
    app.req("GET", "/api/v1/me")
        .token(&token)
        .send()
        .problem(401, "unauthorized");
    app.req("DELETE", &format!("/api/v1/tokens/{id}"))
        .token(admin)
        .send()
        .problem(404, "not_found");
    let listed = app
        .req("GET", "/api/v1/tokens")
        .token(admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 0);
}

#[test]
fn contributor_tokens_expiry_and_refusals() {
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let made = create(app, admin, json!({"name": "投稿", "role": "contributor"}));
    let token = made["token"].as_str().unwrap().to_owned();
    let a = app
        .req("POST", "/api/v1/articles")
        .token(&token)
        .json(&n.article("投稿稿件"))
        .send()
        .expect(201)
        .json();
    // A contributor: may submit, not publish.
    let aid = a["id"].as_str().unwrap();
    app.move_to(&token, aid, "in_review");
    app.req("POST", &format!("/api/v1/articles/{aid}/transition"))
        .token(&token)
        .json(&json!({"to": "published"}))
        .send()
        .problem(403, "forbidden");
    // Only admins make tokens; an admin role, a past expiry or an empty name are refused.
    let (_, editor) = app.staff(newsdesk::editors::Role::Editor);
    app.req("POST", "/api/v1/tokens")
        .token(&editor)
        .json(&json!({"name": "x", "role": "editor"}))
        .send()
        .problem(403, "forbidden");
    app.req("POST", "/api/v1/tokens")
        .token(admin)
        .json(&json!({"name": "x", "role": "admin"}))
        .send()
        .problem(400, "malformed_request");
    let v = app
        .req("POST", "/api/v1/tokens")
        .token(admin)
        .json(&json!({"name": "x", "role": "editor", "expires_at": "2020-01-01T00:00:00Z"}))
        .send()
        .problem(422, "validation_failed");
    assert_eq!(v["errors"][0]["field"], "expires_at");
    // Expiry: refused once it has passed (set in the database to the past).
    let soon = create(
        app,
        admin,
        json!({"name": "短期", "role": "editor", "expires_at": (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339()}),
    );
    let short = soon["token"].as_str().unwrap();
    app.req("GET", "/api/v1/me").token(short).send().expect(200);
    diesel::RunQueryDsl::execute(
        diesel::sql_query("UPDATE integration_tokens SET expires_at = now() - interval '1 second' WHERE name = '短期'"),
        &mut app.conn(),
    )
    .unwrap();
    app.req("GET", "/api/v1/me")
        .token(short)
        .send()
        .problem(401, "unauthorized");
    // A made-up token is refused like any bad one.
    app.req("GET", "/api/v1/me")
        .token("ndt_not-a-real-token")
        .send()
        .problem(401, "unauthorized");
}

#[test]
fn a_token_has_its_own_rate_limit_bucket() {
    let app = TestApp::spawn_with(|c| c.write_limit = 3);
    let admin = app.admin();
    let made = create(&app, &admin, json!({"name": "限流", "role": "editor"}));
    let token = made["token"].as_str().unwrap().to_owned();
    let tag = |t: &str, i: usize| {
        app.req("POST", "/api/v1/tags")
            .token(t)
            .json(&json!({"name": format!("专题{t:.6}{i}")}))
            .send()
            .status
    };
    let statuses: Vec<u16> = (0..4).map(|i| tag(&token, i)).collect();
    assert_eq!(statuses, [201, 201, 201, 429]);
    // The admin's own bucket is untouched by the token's.
    assert_eq!(tag(&admin, 9), 201);
}
