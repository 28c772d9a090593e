//! Sections, tags, correspondents and editors: CRUD, roles, privacy.

use newsdesk::editors::Role;
use serde_json::json;

use crate::helpers::{Newsroom, TestApp};

#[test]
fn sections_crud_with_parents_and_order() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (_, editor) = app.staff(Role::Editor);
    let (_, contributor) = app.staff(Role::Contributor);
    let counties = app.section(&editor, "counties", "县市区", None);
    assert_eq!(counties["parent"], serde_json::Value::Null);
    let r = app
        .req("POST", "/api/v1/sections")
        .token(&admin)
        .json(&json!({"slug": "jiayu", "name": "嘉鱼", "parent_id": counties["id"], "position": -1, "description": "嘉鱼县新闻"}))
        .send()
        .expect(201);
    assert_eq!(
        r.header("location"),
        Some("https://news.example.cn/api/v1/sections/jiayu")
    );
    let jiayu = r.json();
    assert_eq!(
        jiayu["parent"],
        json!({"id": counties["id"], "slug": "counties", "name": "县市区"})
    );
    app.section(&admin, "aaa", "本地要闻", None);
    // Ordered by position, then name (code point order: 县 U+53BF before 本 U+672C).
    let list = app.get("/api/v1/sections").expect(200).json();
    let slugs: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["jiayu", "counties", "aaa"]);
    let page = app.get("/api/v1/sections?limit=2").expect(200).json();
    let cursor = page["page"]["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!("/api/v1/sections?limit=2&cursor={cursor}"))
        .expect(200)
        .json();
    assert_eq!(rest["data"][0]["slug"], "aaa");
    assert_eq!(list["page"], json!({"limit": 20, "next_cursor": null}));
    // By slug and by id.
    assert_eq!(
        app.get("/api/v1/sections/jiayu").expect(200).json()["id"],
        jiayu["id"]
    );
    assert_eq!(
        app.get(&format!(
            "/api/v1/sections/{}",
            jiayu["id"].as_str().unwrap()
        ))
        .expect(200)
        .json()["slug"],
        "jiayu"
    );
    app.get("/api/v1/sections/nope").problem(404, "not_found");
    // Update: rename, move to the root.
    let id = jiayu["id"].as_str().unwrap();
    let r = app
        .req("PATCH", &format!("/api/v1/sections/{id}"))
        .token(&editor)
        .json(&json!({"name": "嘉鱼县", "parent_id": null}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["name"], "嘉鱼县");
    assert_eq!(r["parent"], serde_json::Value::Null);
    // A cycle is refused.
    let cid = counties["id"].as_str().unwrap();
    app.req("PATCH", &format!("/api/v1/sections/{id}"))
        .token(&editor)
        .json(&json!({"parent_id": cid}))
        .send()
        .expect(200);
    app.req("PATCH", &format!("/api/v1/sections/{cid}"))
        .token(&editor)
        .json(&json!({"parent_id": id}))
        .send()
        .problem(422, "validation_failed");
    // Roles.
    app.req("POST", "/api/v1/sections")
        .token(&contributor)
        .json(&json!({"slug": "x", "name": "x"}))
        .send()
        .problem(403, "forbidden");
    app.req("POST", "/api/v1/sections")
        .json(&json!({"slug": "x", "name": "x"}))
        .send()
        .problem(401, "unauthorized");
    // Validation and conflicts.
    let v = app
        .req("POST", "/api/v1/sections")
        .token(&editor)
        .json(&json!({"slug": "Bad Slug", "name": ""}))
        .send()
        .problem(422, "validation_failed");
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["slug", "name"]);
    app.req("POST", "/api/v1/sections")
        .token(&editor)
        .json(&json!({"slug": "jiayu", "name": "again"}))
        .send()
        .problem(409, "section_slug_taken");
    app.req("POST", "/api/v1/sections")
        .token(&editor)
        .json(
            &json!({"slug": "y", "name": "y", "parent_id": "00000000-0000-0000-0000-000000000000"}),
        )
        .send()
        .problem(422, "validation_failed");
    // Delete: refused while a child uses it, then fine.
    app.req("DELETE", &format!("/api/v1/sections/{cid}"))
        .token(&editor)
        .send()
        .problem(409, "section_in_use");
    app.req("DELETE", &format!("/api/v1/sections/{id}"))
        .token(&editor)
        .send()
        .expect(204);
    app.req("DELETE", &format!("/api/v1/sections/{cid}"))
        .token(&editor)
        .send()
        .expect(204);
    app.req("DELETE", &format!("/api/v1/sections/{cid}"))
        .token(&editor)
        .send()
        .problem(404, "not_found");
}

#[test]
fn a_section_used_by_articles_cannot_be_deleted() {
    let n = Newsroom::new();
    n.app.draft(&n.admin, &n.article("稿件"));
    let id = &n.jiayu.id.to_string();
    n.app
        .req("DELETE", &format!("/api/v1/sections/{id}"))
        .token(&n.admin)
        .send()
        .problem(409, "section_in_use");
}

#[test]
fn tags_get_pinyin_slugs() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let t = app.tag(&admin, "央媒省媒看咸宁");
    assert_eq!(t["slug"], "yang-mei-sheng-mei-kan-xian-ning");
    assert!(t["created_at"].is_string());
    let again = app.tag(&admin, "央媒省媒看咸宁");
    assert_eq!(again["slug"], "yang-mei-sheng-mei-kan-xian-ning-2");
    let own = app
        .req("POST", "/api/v1/tags")
        .token(&admin)
        .json(&json!({"name": "干部素质提升年", "slug": "ganbu-suzhi-tisheng-nian"}))
        .send()
        .expect(201)
        .json();
    app.req("POST", "/api/v1/tags")
        .token(&admin)
        .json(&json!({"name": "x", "slug": "ganbu-suzhi-tisheng-nian"}))
        .send()
        .problem(409, "tag_slug_taken");
    app.req("POST", "/api/v1/tags")
        .token(&admin)
        .json(&json!({"name": "！！"}))
        .send()
        .problem(422, "validation_failed");
    assert_eq!(
        app.get("/api/v1/tags/ganbu-suzhi-tisheng-nian")
            .expect(200)
            .json()["name"],
        "干部素质提升年"
    );
    let id = own["id"].as_str().unwrap();
    let r = app
        .req("PATCH", &format!("/api/v1/tags/{id}"))
        .token(&admin)
        .json(&json!({"name": "干部作风"}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["name"], "干部作风");
    assert_eq!(
        app.get("/api/v1/tags").expect(200).json()["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let (_, contributor) = app.staff(Role::Contributor);
    app.req("DELETE", &format!("/api/v1/tags/{id}"))
        .token(&contributor)
        .send()
        .problem(403, "forbidden");
    app.req("DELETE", &format!("/api/v1/tags/{id}"))
        .token(&admin)
        .send()
        .expect(204);
    app.get(&format!("/api/v1/tags/{id}"))
        .problem(404, "not_found");
}

#[test]
fn correspondents_private_fields_only_for_staff() {
    let n = Newsroom::new();
    let app = &n.app;
    // What staff get back from creating one.
    let p = app.person(&n.admin, "沈荣华");
    assert_eq!(p["slug"], "shen-rong-hua");
    assert_eq!(p["email"], "secret@example.cn");
    let public = app.get("/api/v1/correspondents/xia-yang").expect(200);
    assert_eq!(
        public.header("cache-control"),
        Some("public, max-age=60, stale-while-revalidate=300")
    );
    let v = public.json();
    assert_eq!(v["name"], "夏洋");
    for private in ["email", "phone", "notes", "editor_id"] {
        assert!(v.get(private).is_none(), "{private} leaked: {v}");
    }
    assert!(!public.body.contains("secret@example.cn") && !public.body.contains("13800000000"));
    let list = app.get("/api/v1/correspondents").expect(200);
    assert!(
        !list.body.contains("secret@example.cn") && !list.body.contains("private"),
        "{}",
        list.body
    );
    let staff = app
        .req("GET", "/api/v1/correspondents/xia-yang")
        .token(&n.admin)
        .send()
        .expect(200);
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
    assert_eq!(staff.json()["phone"], "13800000000");
    // Inside bylines, too.
    let a = app.published(&n.admin, &n.article("公开稿件"));
    let body = app
        .get(&format!("/api/v1/articles/{}", a["slug"].as_str().unwrap()))
        .expect(200)
        .body;
    assert!(
        !body.contains("secret@example.cn") && !body.contains("13800000000"),
        "{body}"
    );
    let listed = app.get("/api/v1/articles").expect(200).body;
    assert!(!listed.contains("secret@example.cn"));
    // q matches part of the name.
    let found = app
        .get("/api/v1/correspondents?q=%E6%B4%AA")
        .expect(200)
        .json();
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    assert_eq!(found["data"][0]["name"], "洪秀");
    // Private fields can't be used as a filter.
    app.get("/api/v1/correspondents?email=secret%40example.cn")
        .problem(400, "unknown_field");
}

#[test]
fn correspondent_writes() {
    let n = Newsroom::new();
    let app = &n.app;
    let id = &n.people[1].id.to_string();
    let (editor_id, _) = app.staff(Role::Editor);
    let r = app
        .req("PATCH", &format!("/api/v1/correspondents/{id}"))
        .token(&n.admin)
        .json(&json!({"bio": "资深通讯员", "phone": null, "editor_id": editor_id}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["bio"], "资深通讯员");
    assert_eq!(r["phone"], serde_json::Value::Null);
    assert_eq!(r["editor_id"], editor_id.to_string());
    app.req("PATCH", &format!("/api/v1/correspondents/{id}"))
        .token(&n.admin)
        .json(&json!({"email": "not an email"}))
        .send()
        .problem(422, "validation_failed");
    app.req("POST", "/api/v1/correspondents")
        .token(&n.admin)
        .json(&json!({"name": "x", "editor_id": "00000000-0000-0000-0000-000000000000"}))
        .send()
        .problem(422, "validation_failed");
    // Credited in a byline: cannot be deleted.
    app.draft(&n.admin, &n.article("稿件"));
    app.req("DELETE", &format!("/api/v1/correspondents/{id}"))
        .token(&n.admin)
        .send()
        .problem(409, "correspondent_in_use");
    let lone = app.person(&n.admin, "王旦");
    app.req(
        "DELETE",
        &format!("/api/v1/correspondents/{}", lone["id"].as_str().unwrap()),
    )
    .token(&n.admin)
    .send()
    .expect(204);
}

#[test]
fn editors_are_managed_by_admins() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (_, editor) = app.staff(Role::Editor);
    let (_, contributor) = app.staff(Role::Contributor);
    let body = json!({"email": "new@newsdesk.test", "display_name": "新编辑", "role": "contributor", "password": "long-enough-pw"});
    app.req("POST", "/api/v1/editors")
        .token(&editor)
        .json(&body)
        .send()
        .problem(403, "forbidden");
    let r = app
        .req("POST", "/api/v1/editors")
        .token(&admin)
        .json(&body)
        .send()
        .expect(201);
    assert!(!r.body.contains("password") && !r.body.contains("argon2"));
    let created = r.json();
    assert_eq!(created["role"], "contributor");
    assert_eq!(created["active"], true);
    app.req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "new@newsdesk.test", "password": "long-enough-pw"}))
        .send()
        .expect(200);
    app.req("POST", "/api/v1/editors")
        .token(&admin)
        .json(&body)
        .send()
        .problem(409, "editor_email_taken");
    let bad = json!({"email": "x", "display_name": "", "role": "boss", "password": "short"});
    let v = app
        .req("POST", "/api/v1/editors")
        .token(&admin)
        .json(&bad)
        .send()
        .problem(422, "validation_failed");
    assert_eq!(v["errors"].as_array().unwrap().len(), 4);
    // Editors read the list; contributors only /me.
    let list = app
        .req("GET", "/api/v1/editors")
        .token(&editor)
        .send()
        .expect(200);
    assert_eq!(list.json()["data"].as_array().unwrap().len(), 4);
    assert!(!list.body.contains("argon2"));
    app.req("GET", "/api/v1/editors")
        .token(&contributor)
        .send()
        .problem(403, "forbidden");
    app.get("/api/v1/editors").problem(401, "unauthorized");
    let id = created["id"].as_str().unwrap();
    app.req("GET", &format!("/api/v1/editors/{id}"))
        .token(&editor)
        .send()
        .expect(200);
    app.req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&editor)
        .json(&json!({"role": "admin"}))
        .send()
        .problem(403, "forbidden");
    let r = app
        .req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .json(&json!({"role": "editor", "display_name": "升职"}))
        .send()
        .expect(200)
        .json();
    assert_eq!(r["role"], "editor");
    app.req("DELETE", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .send()
        .expect(204);
    app.req("GET", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .send()
        .problem(404, "not_found");
}

#[test]
fn the_last_admin_cannot_remove_itself() {
    let app = TestApp::spawn();
    let (id, admin) = app.staff(Role::Admin);
    app.req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .json(&json!({"active": false}))
        .send()
        .problem(409, "last_admin");
    app.req("DELETE", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .send()
        .problem(409, "cannot_delete_self");
    app.staff(Role::Admin);
    // Never its own account, even with another admin around: nothing is deleted.
    app.req("DELETE", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .send()
        .problem(409, "cannot_delete_self");
    app.req("GET", "/api/v1/me")
        .token(&admin)
        .send()
        .expect(200);
    app.req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .json(&json!({"role": "editor"}))
        .send()
        .expect(200);
}
