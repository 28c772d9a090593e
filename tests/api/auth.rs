use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use newsdesk::auth::jwt::{now_secs, ACCESS_TTL_SECS};
use newsdesk::editors::Role;
use serde_json::json;

use crate::helpers::{TestApp, PASSWORD};

#[test]
fn login_returns_tokens_and_the_editor_without_its_hash() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    let r = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "DESK@newsdesk.test", "password": PASSWORD}))
        .send()
        .expect(200);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let v = r.json();
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 900);
    assert!(v["access_token"].as_str().unwrap().split('.').count() == 3);
    assert!(v["refresh_token"].as_str().unwrap().len() >= 40);
    assert_eq!(v["editor"]["role"], "editor");
    assert!(
        !r.body.contains("argon2") && !r.body.contains("password"),
        "{}",
        r.body
    );
    let me = app
        .req("GET", "/api/v1/me")
        .token(v["access_token"].as_str().unwrap())
        .send()
        .expect(200);
    assert_eq!(me.json()["email"], "desk@newsdesk.test");
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
}

#[test]
fn wrong_email_and_wrong_password_look_the_same() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    let a = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": "wrong-password"}))
        .send();
    let b = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "nobody@newsdesk.test", "password": "wrong-password"}))
        .send();
    assert_eq!(a.status, 401);
    assert_eq!(a.body, b.body);
    a.problem(401, "unauthorized");
}

#[test]
fn bad_tokens_are_refused() {
    let app = TestApp::spawn();
    let (id, token) = app.staff(Role::Editor);
    let me = |t: &str| app.req("GET", "/api/v1/me").token(t).send().status;
    assert_eq!(me(&token), 200);
    let expired = app
        .jwt
        .issue_at(id, "editor", 0, now_secs() - ACCESS_TTL_SECS - 10)
        .unwrap();
    assert_eq!(me(&expired), 401);
    // Tampered: claims changed, signature kept.
    let parts: Vec<&str> = token.split('.').collect();
    let claims = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap())
        .unwrap()
        .replace("editor", "admin");
    assert_eq!(
        me(&format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims),
            parts[2]
        )),
        401
    );
    // alg: none.
    let none = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
    assert_eq!(me(&format!("{none}.{}.", parts[1])), 401);
    assert_eq!(me("not-a-jwt"), 401);
    let r = app
        .req("GET", "/api/v1/me")
        .header("Authorization", "Basic abc")
        .send();
    r.problem(401, "unauthorized");
    assert_eq!(app.get("/api/v1/me").status, 401);
    // A bad token on a public endpoint is refused too, not treated as anonymous.
    assert_eq!(
        app.req("GET", "/api/v1/sections")
            .token("garbage")
            .send()
            .status,
        401
    );
}

#[test]
fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    let first = app.login("desk@newsdesk.test");
    let r1 = first["refresh_token"].as_str().unwrap();
    let second = app
        .req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": r1}))
        .send()
        .expect(200)
        .json();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(
        app.req("GET", "/api/v1/me")
            .token(second["access_token"].as_str().unwrap())
            .send()
            .status,
        200
    );
    // Re-using r1 fails and kills r2 as well (the whole family).
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": r1}))
        .send()
        .problem(401, "unauthorized");
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": r2}))
        .send()
        .problem(401, "unauthorized");
    // Another login is another family, unaffected.
    let other = app.login("desk@newsdesk.test");
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": other["refresh_token"]}))
        .send()
        .expect(200);
}

#[test]
fn logout_kills_the_refresh_token() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    let t = app.login("desk@newsdesk.test");
    app.req("POST", "/api/v1/auth/logout")
        .json(&json!({"refresh_token": t["refresh_token"]}))
        .send()
        .expect(204);
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": t["refresh_token"]}))
        .send()
        .expect(401);
    app.req("POST", "/api/v1/auth/logout")
        .json(&json!({"refresh_token": "unknown"}))
        .send()
        .expect(204);
}

#[test]
fn ten_failed_logins_for_one_email_then_429() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    for _ in 0..10 {
        app.req("POST", "/api/v1/auth/login")
            .json(&json!({"email": "desk@newsdesk.test", "password": "wrong-password"}))
            .send()
            .expect(401);
    }
    // Even the right password waits now.
    let r = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": PASSWORD}))
        .send();
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 900, "{retry}");
    r.problem(429, "too_many_requests");
    // Another account from the same address is not blocked yet.
    app.editor("other@newsdesk.test", Role::Editor);
    app.login("other@newsdesk.test");
}

#[test]
fn deactivation_stops_existing_tokens_at_once() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let (id, token) = app.staff(Role::Editor);
    assert_eq!(
        app.req("GET", "/api/v1/me").token(&token).send().status,
        200
    );
    let r = app
        .req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .json(&json!({"active": false}))
        .send()
        .expect(200);
    assert_eq!(r.json()["active"], false);
    app.req("GET", "/api/v1/me")
        .token(&token)
        .send()
        .problem(401, "unauthorized");
    app.req("GET", "/api/v1/sections")
        .token(&token)
        .send()
        .expect(401);
}

#[test]
fn change_password() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Contributor);
    let t = app.login("desk@newsdesk.test");
    let token = t["access_token"].as_str().unwrap();
    let r = app
        .req("PATCH", "/api/v1/me/password")
        .token(token)
        .json(&json!({"current_password": "nope-nope-nope", "new_password": "a-new-password-1"}))
        .send();
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "current_password"
    );
    let r = app
        .req("PATCH", "/api/v1/me/password")
        .token(token)
        .json(&json!({"current_password": PASSWORD, "new_password": "short"}))
        .send();
    assert_eq!(
        r.problem(422, "validation_failed")["errors"][0]["field"],
        "new_password"
    );
    app.req("PATCH", "/api/v1/me/password")
        .token(token)
        .json(&json!({"current_password": PASSWORD, "new_password": "a-new-password-1"}))
        .send()
        .expect(204);
    app.req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": "a-new-password-1"}))
        .send()
        .expect(200);
    app.req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": PASSWORD}))
        .send()
        .expect(401);
    // Refresh tokens issued before the change are dead.
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": t["refresh_token"]}))
        .send()
        .expect(401);
}

/// Whether `token` still opens `GET /me`.
fn works(app: &TestApp, token: &str) -> bool {
    app.req("GET", "/api/v1/me").token(token).send().status == 200
}

#[test]
fn access_tokens_end_with_the_sessions_they_belong_to() {
    let app = TestApp::spawn();
    let admin = app.admin();
    let id = app.editor("desk@newsdesk.test", Role::Editor);
    let access = |t: &serde_json::Value| t["access_token"].as_str().unwrap().to_owned();

    // A password change ends every access token issued before it, the caller's own too.
    let before = app.login("desk@newsdesk.test");
    let other = app.login("desk@newsdesk.test");
    assert!(works(&app, &access(&before)));
    app.req("PATCH", "/api/v1/me/password")
        .token(&access(&before))
        .json(&json!({"current_password": PASSWORD, "new_password": "a-new-password-1"}))
        .send()
        .expect(204);
    assert!(!works(&app, &access(&before)) && !works(&app, &access(&other)));
    let r = app.req("GET", "/api/v1/me").token(&access(&other)).send();
    assert!(r.problem(401, "unauthorized")["detail"]
        .as_str()
        .unwrap()
        .contains("log in again"));
    // A login right after works.
    let after = app
        .req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": "a-new-password-1"}))
        .send()
        .expect(200)
        .json();
    assert!(works(&app, &access(&after)));

    // An admin's reset ends them.
    app.req("PATCH", &format!("/api/v1/editors/{id}"))
        .token(&admin)
        .json(&json!({"password": PASSWORD}))
        .send()
        .expect(200);
    assert!(!works(&app, &access(&after)));

    // Reactivating an account does not revive tokens from before its deactivation.
    let t = app.login("desk@newsdesk.test");
    for active in [false, true] {
        app.req("PATCH", &format!("/api/v1/editors/{id}"))
            .token(&admin)
            .json(&json!({"active": active}))
            .send()
            .expect(200);
    }
    assert!(!works(&app, &access(&t)));

    // Logging out everywhere ends every login's access and refresh tokens.
    let (one, two) = (
        app.login("desk@newsdesk.test"),
        app.login("desk@newsdesk.test"),
    );
    app.req("POST", "/api/v1/auth/logout")
        .json(&json!({"refresh_token": one["refresh_token"]}))
        .send()
        .expect(204);
    assert!(works(&app, &access(&two)), "a plain logout ends one login");
    app.req("POST", "/api/v1/auth/logout")
        .json(&json!({"refresh_token": two["refresh_token"], "everywhere": true}))
        .send()
        .expect(204);
    assert!(!works(&app, &access(&one)) && !works(&app, &access(&two)));
    app.req("POST", "/api/v1/auth/refresh")
        .json(&json!({"refresh_token": two["refresh_token"]}))
        .send()
        .expect(401);
    assert!(works(&app, &access(&app.login("desk@newsdesk.test"))));
}

#[test]
fn a_token_not_valid_yet_is_refused() {
    use newsdesk::auth::jwt::{now_secs, Claims, ACCESS_TTL_SECS, AUDIENCE, ISSUER};
    let app = TestApp::spawn();
    let id = app.editor("desk@newsdesk.test", Role::Editor);
    let claims = |nbf| Claims {
        sub: id,
        role: "editor".into(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        iat: now_secs(),
        exp: now_secs() + ACCESS_TTL_SECS,
        nbf: Some(nbf),
        jti: uuid::Uuid::new_v4(),
        gen: 0,
    };
    let later = app.jwt.sign(&claims(now_secs() + 120)).unwrap();
    assert!(!works(&app, &later));
    let now = app.jwt.sign(&claims(now_secs() - 1)).unwrap();
    assert!(works(&app, &now));
}

#[test]
fn guessing_the_current_password_is_throttled_like_logins() {
    let app = TestApp::spawn();
    app.editor("desk@newsdesk.test", Role::Editor);
    let t = app.login("desk@newsdesk.test");
    let token = t["access_token"].as_str().unwrap();
    let guess = |password: &str| {
        app.req("PATCH", "/api/v1/me/password")
            .token(token)
            .json(&json!({"current_password": password, "new_password": "a-new-password-1"}))
            .send()
    };
    for i in 0..10 {
        guess(&format!("guess-number-{i}")).problem(422, "validation_failed");
    }
    // The eleventh try waits, even with the right password; so does a login.
    let r = guess(PASSWORD);
    assert!(r.header("retry-after").is_some());
    r.problem(429, "too_many_requests");
    app.req("POST", "/api/v1/auth/login")
        .json(&json!({"email": "desk@newsdesk.test", "password": PASSWORD}))
        .send()
        .problem(429, "too_many_requests");
}
