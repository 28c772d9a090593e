//! Who may call what: every write endpoint for anonymous callers, contributors and editors.

use newsdesk::editors::Role;
use serde_json::json;

use crate::helpers::Newsroom;

#[test]
fn write_endpoints_refuse_callers_without_the_role() {
    let n = Newsroom::new();
    let app = &n.app;
    let (_, contributor) = app.staff(Role::Contributor);
    let (editor_id, editor) = app.staff(Role::Editor);
    let article = app.draft(&n.admin, &n.article("稿件"));
    let a = article["id"].as_str().unwrap();
    let s = n.jiayu["id"].as_str().unwrap();
    let t = n.tag["id"].as_str().unwrap();
    let p = n.people[0]["id"].as_str().unwrap();
    let e = editor_id.to_string();
    // (method, path, body, minimum role: 0 any staff, 1 editor, 2 admin)
    let table = [
        (
            "POST",
            "/api/v1/sections".to_owned(),
            json!({"slug": "x", "name": "x"}),
            1,
        ),
        (
            "PATCH",
            format!("/api/v1/sections/{s}"),
            json!({"name": "x"}),
            1,
        ),
        ("DELETE", format!("/api/v1/sections/{s}"), json!(null), 1),
        ("POST", "/api/v1/tags".to_owned(), json!({"name": "x"}), 1),
        (
            "PATCH",
            format!("/api/v1/tags/{t}"),
            json!({"name": "x"}),
            1,
        ),
        ("DELETE", format!("/api/v1/tags/{t}"), json!(null), 1),
        (
            "POST",
            "/api/v1/correspondents".to_owned(),
            json!({"name": "x"}),
            1,
        ),
        (
            "PATCH",
            format!("/api/v1/correspondents/{p}"),
            json!({"name": "x"}),
            1,
        ),
        (
            "DELETE",
            format!("/api/v1/correspondents/{p}"),
            json!(null),
            1,
        ),
        ("GET", "/api/v1/editors".to_owned(), json!(null), 1),
        ("GET", format!("/api/v1/editors/{e}"), json!(null), 1),
        (
            "POST",
            "/api/v1/editors".to_owned(),
            json!({"email": "z@z.cn", "display_name": "z", "role": "editor", "password": "0123456789"}),
            2,
        ),
        (
            "PATCH",
            format!("/api/v1/editors/{e}"),
            json!({"display_name": "x"}),
            2,
        ),
        ("DELETE", format!("/api/v1/editors/{e}"), json!(null), 2),
        ("POST", "/api/v1/articles".to_owned(), n.article("新稿"), 0),
        (
            "PATCH",
            format!("/api/v1/articles/{a}"),
            json!({"title": "x", "version": 1}),
            1,
        ),
        (
            "POST",
            format!("/api/v1/articles/{a}/transition"),
            json!({"to": "in_review"}),
            1,
        ),
        ("DELETE", format!("/api/v1/articles/{a}"), json!(null), 1),
        ("GET", "/api/v1/me".to_owned(), json!(null), 0),
        (
            "PATCH",
            "/api/v1/me/password".to_owned(),
            json!({"current_password": "x", "new_password": "y"}),
            0,
        ),
    ];
    for (method, path, body, min) in &table {
        let send = |token: Option<&str>| {
            let mut r = app.req(method, path);
            if let Some(t) = token {
                r = r.token(t);
            }
            if !body.is_null() {
                r = r.json(body);
            }
            r.send()
        };
        assert_eq!(send(None).status, 401, "anonymous {method} {path}");
        if *min >= 1 {
            assert_eq!(
                send(Some(&contributor)).status,
                403,
                "contributor {method} {path}"
            );
        }
        if *min >= 2 {
            assert_eq!(send(Some(&editor)).status, 403, "editor {method} {path}");
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
