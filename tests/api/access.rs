//! Who may call what: every operation that needs a token, for anonymous callers, deactivated
//! accounts, expired tokens, contributors and editors — checked against the OpenAPI document so
//! that a new operation without a row fails.

use newsdesk::editors::Role;
use serde_json::json;

use crate::helpers::Newsroom;

/// One row of the access table: an operation as the OpenAPI document names it, a concrete
/// request, and the least role it needs (0 any staff, 1 editor, 2 admin).
struct Row {
    method: &'static str,
    template: &'static str,
    path: String,
    body: serde_json::Value,
    min: u8,
    /// What a contributor who may not act gets: 403, or 404 where the object stays hidden.
    refused: u16,
}

fn row(
    method: &'static str,
    template: &'static str,
    path: String,
    body: serde_json::Value,
    min: u8,
) -> Row {
    Row {
        method,
        template,
        path,
        body,
        min,
        refused: 403,
    }
}

/// A row whose object a refused contributor may not even see (404, like a draft).
fn hidden(mut r: Row) -> Row {
    r.refused = 404;
    r
}

/// The callers of the tables: tokens of a contributor, another contributor and an editor, of a
/// deactivated editor, and an expired one of the editor.
struct Callers {
    contributor: String,
    other: String,
    editor_id: uuid::Uuid,
    editor: String,
    gone: String,
    expired: String,
}

fn callers(n: &Newsroom) -> Callers {
    let app = &n.app;
    let (_, contributor) = app.staff(Role::Contributor);
    let (_, other) = app.staff(Role::Contributor);
    let (editor_id, editor) = app.staff(Role::Editor);
    let (gone_id, gone) = app.staff(Role::Editor);
    app.req("PATCH", &format!("/api/v1/editors/{gone_id}"))
        .token(&n.admin)
        .json(&json!({"active": false}))
        .send()
        .expect(200);
    let expired = app
        .jwt
        .issue_at(
            editor_id,
            "editor",
            0,
            newsdesk::auth::jwt::now_secs() - 3600,
        )
        .unwrap();
    Callers {
        contributor,
        other,
        editor_id,
        editor,
        gone,
        expired,
    }
}

#[test]
fn every_authenticated_operation_refuses_callers_without_the_role() {
    let n = Newsroom::new();
    let app = &n.app;
    let Callers {
        contributor,
        editor_id,
        editor,
        gone,
        expired,
        ..
    } = callers(&n);
    let article = app.draft(&n.admin, &n.article("稿件"));
    let a = article["id"].as_str().unwrap();
    let s = &n.jiayu.id.to_string();
    let t = &n.tag.id.to_string();
    let p = &n.people[0].id.to_string();
    let e = editor_id.to_string();
    let w = app
        .req("POST", "/api/v1/webhooks")
        .token(&n.admin)
        .json(&json!({"url": "https://hooks.example.cn/x", "events": ["*"]}))
        .send()
        .expect(201)
        .json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let d = uuid::Uuid::now_v7();
    let table = [
        row(
            "POST",
            "/api/v1/sections",
            "/api/v1/sections".into(),
            json!({"slug": "x", "name": "x"}),
            1,
        ),
        row(
            "PATCH",
            "/api/v1/sections/{id}",
            format!("/api/v1/sections/{s}"),
            json!({"name": "x"}),
            1,
        ),
        row(
            "DELETE",
            "/api/v1/sections/{id}",
            format!("/api/v1/sections/{s}"),
            json!(null),
            1,
        ),
        row(
            "POST",
            "/api/v1/tags",
            "/api/v1/tags".into(),
            json!({"name": "x"}),
            1,
        ),
        row(
            "PATCH",
            "/api/v1/tags/{id}",
            format!("/api/v1/tags/{t}"),
            json!({"name": "x"}),
            1,
        ),
        row(
            "DELETE",
            "/api/v1/tags/{id}",
            format!("/api/v1/tags/{t}"),
            json!(null),
            1,
        ),
        row(
            "POST",
            "/api/v1/correspondents",
            "/api/v1/correspondents".into(),
            json!({"name": "x"}),
            1,
        ),
        row(
            "PATCH",
            "/api/v1/correspondents/{id}",
            format!("/api/v1/correspondents/{p}"),
            json!({"name": "x"}),
            1,
        ),
        row(
            "DELETE",
            "/api/v1/correspondents/{id}",
            format!("/api/v1/correspondents/{p}"),
            json!(null),
            1,
        ),
        row(
            "POST",
            "/api/v1/bylines/parse",
            "/api/v1/bylines/parse".into(),
            json!({"text": "(通讯员 夏洋 洪秀 周全)"}),
            0,
        ),
        row(
            "GET",
            "/api/v1/editors",
            "/api/v1/editors".into(),
            json!(null),
            1,
        ),
        row(
            "GET",
            "/api/v1/editors/{id}",
            format!("/api/v1/editors/{e}"),
            json!(null),
            1,
        ),
        row(
            "POST",
            "/api/v1/editors",
            "/api/v1/editors".into(),
            json!({"email": "z@z.cn", "display_name": "z", "role": "editor", "password": "0123456789"}),
            2,
        ),
        row(
            "PATCH",
            "/api/v1/editors/{id}",
            format!("/api/v1/editors/{e}"),
            json!({"display_name": "x"}),
            2,
        ),
        row(
            "DELETE",
            "/api/v1/editors/{id}",
            format!("/api/v1/editors/{e}"),
            json!(null),
            2,
        ),
        row(
            "POST",
            "/api/v1/articles",
            "/api/v1/articles".into(),
            n.article("新稿"),
            0,
        ),
        // Someone else's article: a contributor gets 403 (the object-level rule).
        row(
            "PATCH",
            "/api/v1/articles/{id}",
            format!("/api/v1/articles/{a}"),
            json!({"title": "x", "version": 1}),
            1,
        ),
        row(
            "POST",
            "/api/v1/articles/{id}/transition",
            format!("/api/v1/articles/{a}/transition"),
            json!({"to": "in_review"}),
            1,
        ),
        row(
            "DELETE",
            "/api/v1/articles/{id}",
            format!("/api/v1/articles/{a}"),
            json!(null),
            1,
        ),
        hidden(row(
            "GET",
            "/api/v1/articles/{id}/revisions",
            format!("/api/v1/articles/{a}/revisions"),
            json!(null),
            1,
        )),
        hidden(row(
            "GET",
            "/api/v1/articles/{id}/revisions/{n}",
            format!("/api/v1/articles/{a}/revisions/1"),
            json!(null),
            1,
        )),
        row(
            "POST",
            "/api/v1/articles/{id}/revisions/{n}/restore",
            format!("/api/v1/articles/{a}/revisions/1/restore"),
            json!({}),
            1,
        ),
        row(
            "GET",
            "/api/v1/audit",
            "/api/v1/audit".into(),
            json!(null),
            2,
        ),
        row(
            "GET",
            "/api/v1/webhooks",
            "/api/v1/webhooks".into(),
            json!(null),
            2,
        ),
        row(
            "GET",
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            json!(null),
            2,
        ),
        row(
            "POST",
            "/api/v1/tokens",
            "/api/v1/tokens".into(),
            json!({"name": "x", "role": "editor"}),
            2,
        ),
        row(
            "DELETE",
            "/api/v1/tokens/{id}",
            format!("/api/v1/tokens/{d}"),
            json!(null),
            2,
        ),
        row(
            "POST",
            "/api/v1/webhooks",
            "/api/v1/webhooks".into(),
            json!({"url": "https://hooks.example.cn/y", "events": ["*"]}),
            2,
        ),
        row(
            "GET",
            "/api/v1/webhooks/{id}",
            format!("/api/v1/webhooks/{w}"),
            json!(null),
            2,
        ),
        row(
            "PATCH",
            "/api/v1/webhooks/{id}",
            format!("/api/v1/webhooks/{w}"),
            json!({"active": false}),
            2,
        ),
        row(
            "DELETE",
            "/api/v1/webhooks/{id}",
            format!("/api/v1/webhooks/{w}"),
            json!(null),
            2,
        ),
        row(
            "GET",
            "/api/v1/webhooks/{id}/deliveries",
            format!("/api/v1/webhooks/{w}/deliveries"),
            json!(null),
            2,
        ),
        row(
            "POST",
            "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry",
            format!("/api/v1/webhooks/{w}/deliveries/{d}/retry"),
            json!(null),
            2,
        ),
        row(
            "GET",
            "/api/v1/media",
            "/api/v1/media".into(),
            json!(null),
            0,
        ),
        row(
            "POST",
            "/api/v1/media",
            "/api/v1/media".into(),
            json!(null),
            0,
        ),
        row(
            "PATCH",
            "/api/v1/media/{id}",
            format!("/api/v1/media/{d}"),
            json!({"caption": "x"}),
            0,
        ),
        row(
            "DELETE",
            "/api/v1/media/{id}",
            format!("/api/v1/media/{d}"),
            json!(null),
            0,
        ),
        row("GET", "/api/v1/me", "/api/v1/me".into(), json!(null), 0),
        row(
            "PATCH",
            "/api/v1/me/password",
            "/api/v1/me/password".into(),
            json!({"current_password": "x", "new_password": "y"}),
            0,
        ),
    ];
    // A new operation that needs a token must get a row here.
    let doc: serde_json::Value = serde_json::from_str(&newsdesk::openapi::document_json()).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // HEAD is GET without the body (operating::every_get_route_answers_head).
            if method == "head" {
                continue;
            }
            let security = op["security"].as_array().cloned().unwrap_or_default();
            let optional = security
                .iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
            if security.is_empty() || optional {
                continue;
            }
            let covered = table
                .iter()
                .any(|r| r.template == path && r.method.eq_ignore_ascii_case(method));
            assert!(
                covered,
                "{} {path} needs a row in the access table",
                method.to_uppercase()
            );
        }
    }
    for r in &table {
        let send = |token: Option<&str>| {
            let mut req = app.req(r.method, &r.path);
            if let Some(t) = token {
                req = req.token(t);
            }
            if !r.body.is_null() {
                req = req.json(&r.body);
            }
            req.send()
        };
        let (m, path) = (r.method, &r.path);
        assert_eq!(send(None).status, 401, "anonymous {m} {path}");
        assert_eq!(send(Some(&gone)).status, 401, "deactivated {m} {path}");
        assert_eq!(send(Some(&expired)).status, 401, "expired token {m} {path}");
        if r.min >= 1 {
            assert_eq!(
                send(Some(&contributor)).status,
                r.refused,
                "contributor {m} {path}"
            );
        }
        if r.min >= 2 {
            assert_eq!(send(Some(&editor)).status, 403, "editor {m} {path}");
        }
    }
    // Nothing was changed by the refused calls.
    let v = app.get(&format!("/api/v1/sections/{s}")).expect(200).json();
    assert_eq!(v["name"], "嘉鱼");
    let v = app
        .req("GET", &format!("/api/v1/articles/{a}"))
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(
        (
            v["title"].as_str(),
            v["version"].as_i64(),
            v["status"].as_str()
        ),
        (Some("稿件"), Some(1), Some("draft"))
    );
}

#[test]
fn text_with_nul_characters_is_refused_not_a_500() {
    let n = Newsroom::new();
    let r = n
        .app
        .req("POST", "/api/v1/tags")
        .token(&n.admin)
        .json(&json!({"name": "a\u{0}b", "slug": "nul"}))
        .send();
    // A stored field: 422 naming it, like every control character (API.md §7).
    let v = r.problem(422, "validation_failed");
    assert_eq!(v["errors"][0]["field"], "name");
    n.app
        .get("/api/v1/correspondents?q=%00")
        .problem(400, "invalid_text");
    n.app
        .get("/api/v1/articles/a%00b")
        .problem(400, "invalid_text");
}

/// Every operation open to anonymous callers, with what they get; a bad token is refused even
/// where none is needed (a client must learn its token is dead), and a draft stays hidden from
/// everyone but its author and the editors.
#[test]
fn every_public_operation_answers_anonymous_callers_and_refuses_bad_tokens() {
    let n = Newsroom::new();
    let app = &n.app;
    let Callers {
        contributor: author,
        other,
        editor,
        gone,
        expired,
        ..
    } = callers(&n);
    let story = app.published(&n.admin, &n.article("公开稿件"));
    let a = story["id"].as_str().unwrap();
    let slug = story["slug"].as_str().unwrap();
    let (s, t, p) = (
        &n.jiayu.id.to_string(),
        &n.tag.id.to_string(),
        &n.people[0].id.to_string(),
    );
    let (tag_slug, person_slug) = (n.tag.slug.as_str(), n.people[0].slug.as_str());
    let photo = app
        .req("POST", "/api/v1/media")
        .token(&n.admin)
        .bytes(crate::media::phone_jpeg(700, 400, 1), "image/jpeg")
        .send()
        .expect(201)
        .json();
    let m = photo["id"].as_str().unwrap();
    // (method, template, path, body, anonymous status)
    let table: Vec<(&str, &str, String, serde_json::Value, u16)> = vec![
        (
            "GET",
            "/api/v1/articles",
            "/api/v1/articles".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/articles/{id}",
            format!("/api/v1/articles/{slug}"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/articles/{id}/ninjs",
            format!("/api/v1/articles/{a}/ninjs"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/articles/{id}/related",
            format!("/api/v1/articles/{a}/related"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/sections",
            "/api/v1/sections".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/sections/{id}",
            format!("/api/v1/sections/{s}"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/sections/{slug}/articles",
            "/api/v1/sections/jiayu/articles".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/sections/{slug}/feed.{format}",
            "/api/v1/sections/jiayu/feed.rss".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/tags",
            "/api/v1/tags".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/tags/{id}",
            format!("/api/v1/tags/{t}"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/tags/{slug}/feed.{format}",
            format!("/api/v1/tags/{tag_slug}/feed.atom"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/correspondents",
            "/api/v1/correspondents".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/correspondents/{id}",
            format!("/api/v1/correspondents/{p}"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/correspondents/{slug}/feed.{format}",
            format!("/api/v1/correspondents/{person_slug}/feed.json"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/feed.{format}",
            "/api/v1/feed.rss".into(),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/media/{id}",
            format!("/api/v1/media/{m}"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/media/{id}/variants/{width}",
            format!("/api/v1/media/{m}/variants/640"),
            json!(null),
            200,
        ),
        (
            "GET",
            "/api/v1/sitemap-news.xml",
            "/api/v1/sitemap-news.xml".into(),
            json!(null),
            200,
        ),
        (
            "POST",
            "/api/v1/auth/login",
            "/api/v1/auth/login".into(),
            json!({"email": "nobody@example.com", "password": "not-the-password"}),
            401,
        ),
        (
            "POST",
            "/api/v1/auth/refresh",
            "/api/v1/auth/refresh".into(),
            json!({"refresh_token": "not-a-token"}),
            401,
        ),
        (
            "POST",
            "/api/v1/auth/logout",
            "/api/v1/auth/logout".into(),
            json!({"refresh_token": "not-a-token"}),
            204,
        ),
    ];
    let doc: serde_json::Value = serde_json::from_str(&newsdesk::openapi::document_json()).unwrap();
    // Operations that read a token when one is sent (optional security) refuse a bad one; the
    // others (feeds, the sitemap, the auth endpoints) never look at it.
    let mut reads_token = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // HEAD is GET without the body (operating::every_get_route_answers_head).
            if method == "head" {
                continue;
            }
            let security = op["security"].as_array().cloned().unwrap_or_default();
            let optional = security
                .iter()
                .any(|r| r.as_object().is_some_and(|o| o.is_empty()));
            if !path.starts_with("/api/v1/") || !(security.is_empty() || optional) {
                continue;
            }
            if optional {
                reads_token.insert((method.to_uppercase(), path.clone()));
            }
            assert!(
                table
                    .iter()
                    .any(|r| r.1 == path && r.0.eq_ignore_ascii_case(method)),
                "{} {path} needs a row in the public access table",
                method.to_uppercase()
            );
        }
    }
    for (m, template, path, body, anonymous) in &table {
        let send = |token: Option<&str>| {
            let mut req = app.req(m, path);
            if let Some(t) = token {
                req = req.token(t);
            }
            if !body.is_null() {
                req = req.json(body);
            }
            req.send().status
        };
        assert_eq!(send(None), *anonymous, "anonymous {m} {path}");
        let bad = if reads_token.contains(&(m.to_string(), template.to_string())) {
            401
        } else {
            *anonymous
        };
        assert_eq!(send(Some(&expired)), bad, "expired token {m} {path}");
        assert_eq!(send(Some(&gone)), bad, "deactivated {m} {path}");
        assert_eq!(send(Some(&other)), *anonymous, "contributor {m} {path}");
    }
    // Object level: a contributor's draft, by id and by slug.
    let draft = app.draft(&author, &n.article("作者的草稿"));
    let id = draft["id"].as_str().unwrap();
    for path in [
        format!("/api/v1/articles/{id}"),
        format!("/api/v1/articles/{}", draft["slug"].as_str().unwrap()),
        format!("/api/v1/articles/{id}/ninjs"),
        format!("/api/v1/articles/{id}/related"),
    ] {
        let status = |token: Option<&str>| {
            let mut req = app.req("GET", &path);
            if let Some(t) = token {
                req = req.token(t);
            }
            req.send().status
        };
        assert_eq!(status(None), 404, "anonymous {path}");
        assert_eq!(status(Some(&other)), 404, "another contributor {path}");
        assert_eq!(status(Some(&author)), 200, "its author {path}");
        assert_eq!(status(Some(&editor)), 200, "an editor {path}");
    }
    let listed = |token: &str| {
        app.req("GET", "/api/v1/articles?status=draft")
            .token(token)
            .send()
            .expect(200)
            .json()["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id)
    };
    assert!(listed(&author) && listed(&editor) && !listed(&other));
}
