//! Probes, request ids, metrics, the OpenAPI document and Swagger UI.

use newsdesk::editors::Role;

use crate::helpers::TestApp;

#[test]
fn probes_and_metrics() {
    let app = TestApp::spawn();
    assert_eq!(app.get("/healthz").expect(200).json()["status"], "ok");
    assert_eq!(app.get("/readyz").expect(200).json()["status"], "ok");
    app.get("/api/v1/sections").expect(200);
    let m = app.get("/metrics").expect(200);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    assert!(m.body.contains("http_requests_total"), "{}", m.body);
}

#[test]
fn invented_method_names_do_not_grow_the_metrics() {
    let app = TestApp::spawn();
    let before = app.get("/metrics").expect(200).body.len();
    for i in 0..200 {
        let method: &'static str = Box::leak(format!("BREW{i:04}").into_boxed_str());
        let r = app.req(method, "/api/v1/sections").send();
        assert!(r.status == 404 || r.status == 405, "{}", r.status);
    }
    let after = app.get("/metrics").expect(200).body;
    assert!(!after.contains("BREW0"), "a label per invented method");
    assert!(after.contains(r#"method="other""#), "{after}");
    // Every method label comes from the fixed set (other tests of this process count too).
    let mut methods: Vec<&str> = after
        .split("method=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    methods.sort_unstable();
    methods.dedup();
    let known = [
        "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "other",
    ];
    assert!(
        methods.iter().all(|m| known.contains(m)),
        "{methods:?} ({before} bytes before)"
    );
}

#[test]
fn request_ids_are_echoed_or_made() {
    let app = TestApp::spawn();
    let r = app
        .req("GET", "/healthz")
        .header("X-Request-Id", "abc-123")
        .send();
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let made = app.get("/api/v1/nope");
    assert_eq!(made.header("x-request-id").unwrap().len(), 36);
    assert_eq!(made.header("x-content-type-options"), Some("nosniff"));
}

#[test]
fn openapi_document_is_served_and_committed() {
    let app = TestApp::spawn();
    let served = app.get("/api/v1/openapi.json").expect(200).json();
    assert_eq!(served["openapi"], "3.1.0");
    let generated = newsdesk::openapi::document_json();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap_or_default();
    if committed != generated {
        let first = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "openapi/openapi.json differs from `newsdesk openapi` (first difference at line {}): run `cargo run -- openapi > openapi/openapi.json`",
            first + 1
        );
    }
    assert_eq!(
        served,
        serde_json::from_str::<serde_json::Value>(&generated).unwrap()
    );
    let paths = served["paths"].as_object().unwrap();
    for p in [
        "/api/v1/articles",
        "/api/v1/articles/{id}/transition",
        "/api/v1/auth/login",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    // Every operation documents its errors as problem+json (HEAD's answers have no body).
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            if method == "head" {
                assert!(item.get("get").is_some(), "HEAD without GET at {path}");
                continue;
            }
            let responses = op["responses"].as_object().unwrap();
            for (code, r) in responses {
                if code.starts_with('4') {
                    assert!(
                        r["content"].get("application/problem+json").is_some(),
                        "{method} {path} {code}"
                    );
                }
            }
        }
    }
}

#[test]
fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::spawn();
    let moved = app.get("/api/v1/docs").expect(308);
    assert_eq!(moved.header("location"), Some("/api/v1/docs/"));
    let r = app.get("/api/v1/docs/").expect(200);
    let csp = r
        .header("content-security-policy")
        .expect("a CSP on the docs");
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self'")
            && !csp.contains("unsafe-eval")
    );
    assert!(app
        .get("/api/v1/sections")
        .header("content-security-policy")
        .is_none());
    assert!(r.body.contains("swagger"), "{}", r.body);
    let js = app.get("/api/v1/docs/swagger-ui-bundle.js").expect(200);
    assert!(js.body.len() > 100_000);
    // No reader's browser sends the document to validator.swagger.io.
    let init = app
        .get("/api/v1/docs/swagger-initializer.js")
        .expect(200)
        .body;
    assert!(init.contains(r#""validatorUrl": "none""#), "{init}");
    // The UI and the document: an ETag, a public policy, 304s, compressed forms.
    for path in ["/api/v1/docs/swagger-ui-bundle.js", "/api/v1/openapi.json"] {
        let r = app.get(path).expect(200);
        let etag = r.header("etag").expect("ETag").to_owned();
        assert!(
            r.header("cache-control").unwrap().starts_with("public"),
            "{path}"
        );
        app.req("GET", path)
            .header("If-None-Match", &etag)
            .send()
            .expect(304);
        let gz = ureq::get(&format!("{}{path}", app.address))
            .set("Accept-Encoding", "gzip")
            .call()
            .unwrap();
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        let mut compressed = Vec::new();
        std::io::Read::read_to_end(&mut gz.into_reader(), &mut compressed).unwrap();
        assert!(compressed.len() < r.body.len() / 3, "{path}");
    }
}

#[test]
fn cors_answers_the_configured_origins_only() {
    let app = TestApp::spawn();
    let ok = app
        .req("GET", "/api/v1/sections")
        .header("Origin", "https://www.example.cn")
        .send()
        .expect(200);
    assert_eq!(
        ok.header("access-control-allow-origin"),
        Some("https://www.example.cn")
    );
    let exposed = ok
        .header("access-control-expose-headers")
        .unwrap()
        .to_lowercase();
    assert!(
        exposed.contains("etag") && exposed.contains("link") && exposed.contains("x-request-id"),
        "{exposed}"
    );
    // Browser code can see its quota and when to come back.
    for quota in [
        "ratelimit-limit",
        "ratelimit-remaining",
        "ratelimit-reset",
        "ratelimit-policy",
        "retry-after",
    ] {
        assert!(exposed.contains(quota), "{quota} not in {exposed}");
    }
    let pre = app
        .req("OPTIONS", "/api/v1/articles")
        .header("Origin", "https://www.example.cn")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, idempotency-key",
        )
        .send();
    assert_eq!(pre.status, 200, "{}", pre.body);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        Some("https://www.example.cn")
    );
    assert!(pre
        .header("access-control-allow-methods")
        .unwrap()
        .contains("POST"));
    let evil = app
        .req("GET", "/api/v1/sections")
        .header("Origin", "https://evil.example")
        .send();
    assert!(evil.header("access-control-allow-origin").is_none());
    // Without Origin (servers, curl) nothing changes.
    assert!(app
        .get("/api/v1/sections")
        .header("access-control-allow-origin")
        .is_none());
}

#[test]
fn writes_and_searches_are_rate_limited_per_client() {
    let app = TestApp::spawn_with(|c| {
        c.write_limit = 3;
        c.search_limit = 2;
    });
    let (_, a) = app.staff(Role::Editor);
    let (_, b) = app.staff(Role::Editor);
    let tag = |token: &str, name: &str| {
        app.req("POST", "/api/v1/tags")
            .token(token)
            .json(&serde_json::json!({"name": name}))
            .send()
    };
    // The logins above were writes from this address, not from editor a.
    let first = tag(&a, "一").expect(201);
    assert_eq!(first.header("ratelimit-limit"), Some("3"));
    assert_eq!(first.header("ratelimit-remaining"), Some("2"));
    assert_eq!(first.header("ratelimit-policy"), Some("3;w=60"));
    tag(&a, "二").expect(201);
    tag(&a, "三").expect(201);
    let over = tag(&a, "四");
    let retry: u64 = over.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(over.header("ratelimit-remaining"), Some("0"));
    over.problem(429, "too_many_requests");
    // Nothing was written by the refused request; another editor is not affected.
    assert_eq!(
        app.get("/api/v1/tags").json()["data"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    tag(&b, "五").expect(201);
    // Searches have their own budget; plain reads none.
    app.get("/api/v1/articles?q=%E5%9B%AD").expect(200);
    app.get("/api/v1/articles?q=%E5%9B%AD").expect(200);
    app.get("/api/v1/articles?q=%E5%9B%AD")
        .problem(429, "too_many_requests");
    let plain = app.get("/api/v1/articles").expect(200);
    assert!(plain.header("ratelimit-limit").is_none());
}

/// Two real processes on one database count one limit (API.md §12): an editor's writes
/// alternated between them are refused at the limit, not at twice it; so are failed logins.
#[test]
fn two_processes_count_one_write_limit_and_one_login_throttle() {
    // Logins are writes of their address too: 15 leaves room for the 13 this test makes.
    let app = TestApp::spawn_with(|c| c.write_limit = 15);
    let (_, editor) = app.staff(Role::Editor);
    let other = crate::server::Server::on_database_with(
        app.database_url(),
        &[("NEWSDESK_WRITE_LIMIT", "15")],
    );
    let post = |base: &str, path: &str, token: Option<&str>, body: serde_json::Value| {
        let mut r = ureq::post(&format!("{base}{path}")).set("Content-Type", "application/json");
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        match r.send_string(&body.to_string()) {
            Ok(r) => (
                r.status(),
                r.header("ratelimit-remaining").map(str::to_owned),
            ),
            Err(ureq::Error::Status(code, r)) => {
                (code, r.header("ratelimit-remaining").map(str::to_owned))
            }
            Err(e) => panic!("{e}"),
        }
    };
    let bases = [app.address.clone(), other.base.clone()];
    let statuses: Vec<(u16, Option<String>)> = (0..20)
        .map(|i| {
            let body = serde_json::json!({"name": format!("标签{i}")});
            post(&bases[i % 2], "/api/v1/tags", Some(&editor), body)
        })
        .collect();
    let codes: Vec<u16> = statuses.iter().map(|s| s.0).collect();
    assert_eq!(codes[..15], [201; 15]);
    assert_eq!(codes[15..], [429; 5]);
    let remaining: Vec<u32> = statuses
        .iter()
        .filter_map(|s| s.1.as_deref()?.parse().ok())
        .collect();
    let expected: Vec<u32> = (0..20).map(|i: u32| 14u32.saturating_sub(i)).collect();
    assert_eq!(remaining, expected);
    assert_eq!(app.rows("tags"), 15);
    // Failed logins for one email, alternated: the eleventh attempt is refused by either.
    let wrong = serde_json::json!({"email": "victim@example.cn", "password": "not-the-password"});
    for i in 0..10 {
        assert_eq!(
            post(&bases[i % 2], "/api/v1/auth/login", None, wrong.clone()).0,
            401,
            "attempt {i}"
        );
    }
    for base in &bases {
        assert_eq!(post(base, "/api/v1/auth/login", None, wrong.clone()).0, 429);
    }
    other.stop();
}

/// A deleted integration token and a deactivated editor are refused by every process at once
/// (API.md §12): each request checks them against the database, nothing is cached per process.
#[test]
fn a_revoked_token_or_editor_is_refused_by_the_other_process_at_once() {
    let n = crate::helpers::Newsroom::new();
    let other = crate::server::Server::on_database_with(n.app.database_url(), &[]);
    let made = n
        .app
        .req("POST", "/api/v1/tokens")
        .token(&n.admin)
        .json(&serde_json::json!({"name": "通稿导入脚本", "role": "editor"}))
        .send()
        .expect(201)
        .json();
    let token = made["token"].as_str().unwrap().to_owned();
    let (editor_id, editor) = n.app.staff(Role::Editor);
    let status =
        |token: &str| match ureq::get(&format!("{}/api/v1/articles?status=draft", other.base))
            .set("Authorization", &format!("Bearer {token}"))
            .call()
        {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        };
    // Both work on the other process (and were used there, so anything it kept is warm) …
    assert_eq!(status(&token), 200);
    assert_eq!(status(&editor), 200);
    // … until this process deletes the one and deactivates the other: the very next request
    // there is refused.
    n.app
        .req(
            "DELETE",
            &format!("/api/v1/tokens/{}", made["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .send()
        .expect(204);
    assert_eq!(status(&token), 401);
    n.app
        .req("PATCH", &format!("/api/v1/editors/{editor_id}"))
        .token(&n.admin)
        .json(&serde_json::json!({"active": false}))
        .send()
        .expect(200);
    assert_eq!(status(&editor), 401);
    other.stop();
}

#[test]
fn every_get_route_answers_head() {
    let n = crate::helpers::Newsroom::new();
    let a = n
        .app
        .published(&n.admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"));
    let slug = a["slug"].as_str().unwrap();
    let paths = [
        "/healthz".to_owned(),
        "/readyz".to_owned(),
        "/api/v1/openapi.json".to_owned(),
        "/api/v1/docs".to_owned(),
        "/api/v1/docs/".to_owned(),
        "/sitemap-news.xml".to_owned(),
        "/api/v1/sitemap-news.xml".to_owned(),
        format!("/articles/{slug}"),
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{slug}"),
        format!("/api/v1/articles/{slug}/ninjs"),
        format!("/api/v1/articles/{slug}/related"),
        "/api/v1/articles/no-such-article".to_owned(),
        "/api/v1/feed.rss".to_owned(),
        "/api/v1/sections/counties/feed.json".to_owned(),
        "/api/v1/sections".to_owned(),
        "/api/v1/sections/jiayu/articles".to_owned(),
        format!("/api/v1/tags/{}", n.tag.slug),
        "/api/v1/correspondents".to_owned(),
    ];
    let ignored = ["date", "x-request-id"];
    for path in &paths {
        let get = n.app.get(path);
        let head = n.app.req("HEAD", path).send();
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} sent a body");
        let headers = |r: &crate::helpers::Resp| {
            let mut h: Vec<(String, String)> = r
                .headers
                .iter()
                .filter(|(k, _)| !ignored.contains(&k.to_lowercase().as_str()))
                .map(|(k, v)| (k.to_lowercase(), v.clone()))
                .collect();
            h.sort();
            h
        };
        assert_eq!(headers(&head), headers(&get), "HEAD {path}");
    }
    // The metrics' body changes between two requests; its head is there all the same.
    let head = n.app.req("HEAD", "/metrics").send().expect(200);
    assert!(head
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    // Conditional HEAD: 304 like GET.
    let etag = n
        .app
        .get("/api/v1/feed.rss")
        .header("etag")
        .unwrap()
        .to_owned();
    n.app
        .req("HEAD", "/api/v1/feed.rss")
        .header("If-None-Match", &etag)
        .send()
        .expect(304);
    // A write route says it takes HEAD only where GET is.
    let r = n.app.req("HEAD", "/api/v1/auth/login").send();
    assert_eq!(r.status, 405);
    assert!(
        !r.header("allow").unwrap().contains("HEAD"),
        "{:?}",
        r.header("allow")
    );
}
