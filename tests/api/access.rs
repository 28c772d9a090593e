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

#[test]
fn every_authenticated_operation_refuses_callers_without_the_role() {
    let n = Newsroom::new();
    let app = &n.app;
    let (_, contributor) = app.staff(Role::Contributor);
    let (editor_id, editor) = app.staff(Role::Editor);
    let (gone_id, gone) = app.staff(Role::Editor);
    app.req("PATCH", &format!("/api/v1/editors/{gone_id}"))
        .token(&n.admin)
        .json(&json!({"active": false}))
        .send()
        .expect(200);
    let expired = app
        .jwt
        .issue_at(editor_id, "editor", newsdesk::auth::jwt::now_secs() - 3600)
        .unwrap();
    let article = app.draft(&n.admin, &n.article("稿件"));
    let a = article["id"].as_str().unwrap();
    let s = n.jiayu["id"].as_str().unwrap();
    let t = n.tag["id"].as_str().unwrap();
    let p = n.people[0]["id"].as_str().unwrap();
    let e = editor_id.to_string();
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
fn text_with_nul_characters_is_a_400_not_a_500() {
    let n = Newsroom::new();
    let r = n
        .app
        .req("POST", "/api/v1/tags")
        .token(&n.admin)
        .json(&json!({"name": "a\u{0}b", "slug": "nul"}))
        .send();
    r.problem(400, "invalid_text");
    n.app
        .get("/api/v1/correspondents?q=%00")
        .problem(400, "invalid_text");
    n.app
        .get("/api/v1/articles/a%00b")
        .problem(400, "invalid_text");
}
