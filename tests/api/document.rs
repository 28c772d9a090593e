//! Real responses against the OpenAPI document, read strictly (as a generated client reads
//! it): every field a schema requires is there, every value has its type, and no object
//! carries a field the document does not name.

use serde_json::{json, Value};

use crate::helpers::{Newsroom, Resp};

/// The committed document with `additionalProperties: false` on every object that lists its
/// properties (and does not say otherwise).
fn strict_document() -> Value {
    fn tighten(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                map.values_mut().for_each(tighten);
            }
            Value::Array(items) => items.iter_mut().for_each(tighten),
            _ => {}
        }
    }
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    tighten(&mut doc);
    doc
}

/// Checks `r` (an answer to `method template`) against the schema the document gives its
/// status and media type.
#[track_caller]
fn conforms(doc: &Value, method: &str, template: &str, r: &Resp) {
    let responses = &doc["paths"][template][method]["responses"];
    let documented = &responses[r.status.to_string()];
    assert!(
        documented.is_object(),
        "{method} {template}: status {} is not documented: {}",
        r.status,
        r.body
    );
    let media = r.header("content-type").unwrap_or_default();
    let content = documented["content"].as_object();
    let Some((_, body)) = content.and_then(|c| {
        c.iter()
            .find(|(k, _)| k.split(';').next() == media.split(';').next())
    }) else {
        panic!(
            "{method} {template} {}: media type {media} not documented",
            r.status
        );
    };
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "components": doc["components"],
        "allOf": [body["schema"]],
    });
    let validator = jsonschema::options()
        .build(&schema)
        .unwrap_or_else(|e| panic!("{method} {template}: schema does not compile: {e}"));
    let value: Value = serde_json::from_str(&r.body).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{method} {template} {}: {errors:#?}\n{value}",
        r.status
    );
}

#[test]
fn real_responses_match_the_document_strictly() {
    let doc = strict_document();
    let n = Newsroom::new();
    let (app, admin) = (&n.app, n.admin.as_str());
    let mut body = n.article("嘉鱼县：年轻干部一线练兵长才干");
    body["cover_image"] = json!({"url": "https://img.example.cn/a.jpg", "caption": "一线"});
    body["subtitle"] = json!("副题");
    let first = app.published(admin, &body);
    let second = app.published(admin, &n.article("嘉鱼县干部一线练兵"));
    let draft = app.draft(admin, &n.article("草稿"));
    let (slug, id) = (
        second["slug"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
    );
    let _ = first;
    let anonymous: Vec<(&str, String)> = vec![
        ("/api/v1/articles", "/api/v1/articles?limit=5".into()),
        (
            "/api/v1/articles",
            "/api/v1/articles?q=%E5%98%89%E9%B1%BC&count=true".into(),
        ),
        ("/api/v1/articles/{id}", format!("/api/v1/articles/{slug}")),
        (
            "/api/v1/articles/{id}",
            "/api/v1/articles/no-such-story".into(),
        ),
        (
            "/api/v1/articles/{id}/related",
            format!("/api/v1/articles/{slug}/related"),
        ),
        (
            "/api/v1/articles/{id}/ninjs",
            format!("/api/v1/articles/{slug}/ninjs"),
        ),
        ("/api/v1/sections", "/api/v1/sections".into()),
        ("/api/v1/sections/{id}", "/api/v1/sections/jiayu".into()),
        (
            "/api/v1/sections/{slug}/articles",
            "/api/v1/sections/counties/articles".into(),
        ),
        ("/api/v1/tags", "/api/v1/tags".into()),
        ("/api/v1/correspondents", "/api/v1/correspondents".into()),
        ("/api/v1/feed.{format}", "/api/v1/feed.json".into()),
        (
            "/api/v1/sections/{slug}/feed.{format}",
            "/api/v1/sections/counties/feed.ninjs".into(),
        ),
        ("/api/v1/articles", "/api/v1/articles?limit=0".into()),
        ("/healthz", "/healthz".into()),
    ];
    for (template, path) in &anonymous {
        conforms(&doc, "get", template, &app.get(path));
    }
    // The check can fail: an undocumented field, a missing required one.
    for wrong in [r#"{"status": "ok", "uptime": 1}"#, r#"{}"#] {
        let fake = Resp {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: wrong.into(),
            bytes: wrong.as_bytes().to_vec(),
        };
        let caught = std::panic::catch_unwind(|| conforms(&doc, "get", "/healthz", &fake));
        assert!(caught.is_err(), "{wrong} passed");
    }
    let staff: Vec<(&str, String)> = vec![
        ("/api/v1/me", "/api/v1/me".into()),
        ("/api/v1/editors", "/api/v1/editors".into()),
        ("/api/v1/correspondents", "/api/v1/correspondents".into()),
        (
            "/api/v1/articles/{id}",
            format!("/api/v1/articles/{}", draft["id"].as_str().unwrap()),
        ),
        (
            "/api/v1/articles/{id}/revisions",
            format!("/api/v1/articles/{id}/revisions"),
        ),
        (
            "/api/v1/articles/{id}/revisions/{n}",
            format!("/api/v1/articles/{id}/revisions/1"),
        ),
        ("/api/v1/audit", "/api/v1/audit".into()),
    ];
    for (template, path) in &staff {
        conforms(
            &doc,
            "get",
            template,
            &app.req("GET", path).token(admin).send(),
        );
    }
    // Writes and their errors.
    let created = app
        .req("POST", "/api/v1/articles")
        .token(admin)
        .json(&n.article("新稿"))
        .send();
    conforms(&doc, "post", "/api/v1/articles", &created);
    let invalid = app
        .req("POST", "/api/v1/articles")
        .token(admin)
        .json(&n.article(""))
        .send();
    conforms(&doc, "post", "/api/v1/articles", &invalid);
    let parsed = app
        .req("POST", "/api/v1/bylines/parse")
        .token(admin)
        .json(&json!({"text": "(通讯员 夏洋 洪秀 周全)"}))
        .send();
    conforms(&doc, "post", "/api/v1/bylines/parse", &parsed);
    let login = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "nobody@example.cn", "password": "not-the-password"}))
        .send();
    conforms(&doc, "post", "/api/v1/auth/login", &login);
}
