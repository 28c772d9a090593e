//! `Idempotency-Key` on POST.

use newsdesk::editors::Role;

use crate::helpers::Newsroom;

#[test]
fn a_retried_create_returns_the_first_answer_and_creates_nothing() {
    let n = Newsroom::new();
    let body = n.article("重试不重复");
    let send = |token: &str, key: &str, body: &serde_json::Value| {
        n.app
            .req("POST", "/api/v1/articles")
            .token(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
    };
    let first = send(&n.admin, "k-1", &body).expect(201);
    assert!(first.header("idempotency-replayed").is_none());
    let again = send(&n.admin, "k-1", &body).expect(201);
    assert_eq!(again.header("idempotency-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    let count = || n.app.rows("articles");
    assert_eq!(count(), 1);
    // A new access token for the same editor keeps the key.
    let (other_id, other) = n.app.staff(Role::Editor);
    let first_other = send(&other, "k-2", &body).expect(201);
    let fresh_token = n.app.jwt.issue(other_id, "editor", 0).unwrap();
    let replayed = send(&fresh_token, "k-2", &body).expect(201);
    assert_eq!(replayed.body, first_other.body);
    assert_eq!(count(), 2);
    // The same key with another body: 422, nothing written.
    let mut changed = body.clone();
    changed["title"] = serde_json::json!("另一篇");
    send(&n.admin, "k-1", &changed).problem(422, "idempotency_key_reused");
    assert_eq!(count(), 2);
    // Keys are per caller.
    send(&other, "k-1", &body).expect(201);
    assert_eq!(count(), 3);
    // Without a key, every POST is new; a malformed key is refused.
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .expect(201);
    assert_eq!(count(), 4);
    send(&n.admin, &"x".repeat(300), &body).problem(400, "invalid_idempotency_key");
    // Errors are replayed too (a 4xx is the answer to that request), but not kept as writes.
    let mut bad = body.clone();
    bad["title"] = serde_json::json!("");
    send(&n.admin, "k-bad", &bad).problem(422, "validation_failed");
    let replay = send(&n.admin, "k-bad", &bad);
    assert_eq!(replay.header("idempotency-replayed"), Some("true"));
    replay.problem(422, "validation_failed");
    assert_eq!(count(), 4);
}
