//! `POST /bylines/parse`: credit lines as printed, read and matched to correspondents.

use serde_json::{json, Value};

use crate::builders::CorrespondentBuilder;
use crate::helpers::Newsroom;

fn parse(n: &Newsroom, text: &str) -> Value {
    n.app
        .req("POST", "/api/v1/bylines/parse")
        .token(&n.admin)
        .json(&json!({ "text": text }))
        .send()
        .expect(200)
        .json()
}

#[test]
fn credits_are_read_and_matched_to_correspondents() {
    let n = Newsroom::new();
    let v = parse(&n, "(通讯员 夏洋 洪秀 周全)\n编辑:hefan");
    assert_eq!(v["source"], Value::Null);
    assert_eq!(v["editor"], "hefan");
    assert_eq!(v["rest"], "");
    let credits = v["credits"].as_array().unwrap();
    assert_eq!(credits.len(), 3);
    for (credit, person) in credits.iter().zip(&n.people) {
        assert_eq!(credit["name"], person.name.as_str());
        assert_eq!(credit["role"], "correspondent");
        assert_eq!(credit["affiliation"], Value::Null);
        assert_eq!(
            credit["correspondent"],
            json!({"id": person.id, "slug": person.slug, "name": person.name})
        );
    }
    // A lead with a dateline, an affiliation and the body after it; unknown people are null.
    let v = parse(
        &n,
        "咸宁网讯(香城都市报记者吴青朋通讯员邹太明)4月12日,市市场监督管理局发出告诫书",
    );
    assert_eq!(v["source"], "咸宁网");
    assert_eq!(v["rest"], "4月12日,市市场监督管理局发出告诫书");
    assert_eq!(
        v["credits"],
        json!([
            {"name": "吴青朋", "role": "reporter", "affiliation": "香城都市报", "correspondent": null},
            {"name": "邹太明", "role": "correspondent", "affiliation": null, "correspondent": null},
        ])
    );
    // Prose credits nobody.
    let v = parse(&n, "记者在现场看到，工人们正在紧张施工。");
    assert_eq!(v["credits"], json!([]));
}

#[test]
fn two_people_of_one_name_are_told_apart_by_affiliation() {
    let n = Newsroom::new();
    let mut conn = n.app.conn();
    let first = CorrespondentBuilder::new("王芳").insert(&mut conn);
    let other = CorrespondentBuilder::new("王芳")
        .affiliation("香城都市报")
        .insert(&mut conn);
    assert_ne!(first.id, other.id);
    let v = parse(&n, "(香城都市报记者王芳)");
    assert_eq!(v["credits"][0]["correspondent"]["id"], other.id.to_string());
    let v = parse(&n, "(记者王芳)");
    assert_eq!(v["credits"][0]["correspondent"]["id"], first.id.to_string());
}

#[test]
fn bad_input_is_refused() {
    let n = Newsroom::new();
    n.app
        .req("POST", "/api/v1/bylines/parse")
        .token(&n.admin)
        .json(&json!({"text": ""}))
        .send()
        .problem(422, "validation_failed");
    n.app
        .req("POST", "/api/v1/bylines/parse")
        .token(&n.admin)
        .json(&json!({"text": "字".repeat(5001)}))
        .send()
        .problem(422, "validation_failed");
    n.app
        .req("POST", "/api/v1/bylines/parse")
        .token(&n.admin)
        .json(&json!({"text": "x", "extra": 1}))
        .send()
        .problem(400, "unknown_field");
    n.app
        .req("POST", "/api/v1/bylines/parse")
        .json(&json!({"text": "x"}))
        .send()
        .problem(401, "unauthorized");
}
