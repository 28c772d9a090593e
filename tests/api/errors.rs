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
    assert_eq!(r.header("allow"), Some("GET, HEAD, POST"));
    r.problem(405, "method_not_allowed");
    let r = app.req("DELETE", "/healthz").send();
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
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
    let v = app
        .req("POST", "/api/v1/tags")
        .token(&admin)
        .raw("{\"name\": 5}", "application/json")
        .send()
        .problem(400, "malformed_request");
    assert_eq!(v["errors"][0]["field"], "name", "{v}");
    assert!(
        !v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("line 1"),
        "{v}"
    );
}

#[test]
fn a_body_of_the_wrong_shape_names_the_field() {
    let n = crate::helpers::Newsroom::new();
    let post = |body: &serde_json::Value| {
        n.app
            .req("POST", "/api/v1/articles")
            .token(&n.admin)
            .json(body)
            .send()
    };
    let mut a = n.article("字段");
    a["section_id"] = json!("not-a-uuid");
    let v = post(&a).problem(400, "malformed_request");
    assert_eq!(v["errors"][0]["field"], "section_id", "{v}");
    let mut a = n.article("字段");
    a["byline"][1]["role"] = json!(5);
    let v = post(&a).problem(400, "malformed_request");
    assert_eq!(v["errors"][0]["field"], "byline[1].role", "{v}");
    let mut a = n.article("字段");
    a.as_object_mut().unwrap().remove("title");
    let v = post(&a).problem(400, "malformed_request");
    assert_eq!(v["errors"][0]["field"], "title", "{v}");
    assert_eq!(v["errors"][0]["message"], "is required", "{v}");
    let mut a = n.article("字段");
    a["cover_image"] = json!({"url": "https://x.cn/a.jpg", "size": 3});
    let v = post(&a).problem(400, "unknown_field");
    assert_eq!(v["errors"][0]["field"], "cover_image.size", "{v}");
    assert_eq!(n.app.rows("articles"), 0);
}

#[test]
fn a_trickled_body_is_cut_off() {
    use std::io::{Read, Write};
    let app = TestApp::spawn_with(|c| c.body_timeout_secs = 2);
    let admin = app.admin();
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut s = std::net::TcpStream::connect(&address).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let body = r#"{"name": "慢慢来的专题"}"#;
    write!(
        s,
        "POST /api/v1/tags HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {admin}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // One byte every 400 ms: the whole body would take over 10 s.
    for byte in body.as_bytes() {
        if s.write_all(&[*byte]).is_err() {
            break;
        }
        s.set_nonblocking(true).unwrap();
        let read = s.read(&mut buf);
        s.set_nonblocking(false).unwrap();
        if let Ok(n) = read {
            answer.extend_from_slice(&buf[..n]);
            if n > 0 {
                break;
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(400));
    }
    if answer.is_empty() {
        let n = s.read(&mut buf).unwrap_or(0);
        answer.extend_from_slice(&buf[..n]);
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(started.elapsed() < std::time::Duration::from_secs(6));
    assert_eq!(app.rows("tags"), 0);
}
