//! Bad input: problem+json, the right 4xx, nothing written.

use serde_json::json;

use crate::helpers::{Newsroom, TestApp};

#[test]
fn oversized_bodies_are_413() {
    let n = Newsroom::new();
    let mut body = n.article("大");
    body["body_html"] = json!(format!("<p>{}</p>", "字".repeat(800_000)));
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .problem(413, "payload_too_large");
    let count = n.app.rows("articles");
    assert_eq!(count, 0);
}

#[test]
fn malformed_paths_queries_and_cursors_are_400() {
    let app = TestApp::spawn();
    let admin = app.admin();
    app.req("PATCH", "/api/v1/articles/not-a-uuid")
        .token(&admin)
        .json(&json!({"version": 1}))
        .send()
        .problem(400, "invalid_path");
    app.req("DELETE", "/api/v1/sections/123")
        .token(&admin)
        .send()
        .problem(400, "invalid_path");
    app.get("/api/v1/articles?limit=0")
        .problem(400, "invalid_limit");
    app.get("/api/v1/articles?limit=101")
        .problem(400, "invalid_limit");
    app.get("/api/v1/articles?limit=abc")
        .problem(400, "malformed_request");
    app.get("/api/v1/articles?cursor=garbage")
        .problem(400, "invalid_cursor");
    app.get("/api/v1/tags?cursor=%00")
        .problem(400, "invalid_cursor");
    let v = app
        .get("/api/v1/articles?colour=red")
        .problem(400, "unknown_field");
    assert_eq!(v["errors"][0]["field"], "colour");
    app.get("/api/v1/nothing-here").problem(404, "not_found");
    let r = app.req("PUT", "/api/v1/articles").send();
    assert_eq!(r.header("allow"), Some("GET, POST"));
    r.problem(405, "method_not_allowed");
    let r = app.req("DELETE", "/healthz").send();
    assert_eq!(r.header("allow"), Some("GET"));
    r.problem(405, "method_not_allowed");
    // Empty query values count as absent.
    app.get("/api/v1/articles?section=&cursor=&q=&sort=&status=")
        .expect(200);
    app.req("POST", "/api/v1/tags")
        .token(&admin)
        .raw("name=x", "application/x-www-form-urlencoded")
        .send()
        .problem(415, "unsupported_media_type");
    app.req("POST", "/api/v1/tags")
        .token(&admin)
        .raw("{\"name\": ", "application/json")
        .send()
        .problem(400, "malformed_json");
    app.req("POST", "/api/v1/tags")
        .token(&admin)
        .raw("{\"name\": 5}", "application/json")
        .send()
        .problem(400, "malformed_request");
}
