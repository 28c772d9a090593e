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

#[test]
fn articles_take_their_byline_as_printed() {
    let n = Newsroom::new();
    let mut body = n.article("通讯稿");
    body.as_object_mut().unwrap().remove("byline");
    body["byline_text"] = json!("（通讯员 夏洋 洪秀 周全）");
    let a = n.app.draft(&n.admin, &body);
    let printed: Vec<(&str, &str)> = a["byline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        printed,
        [
            ("夏洋", "correspondent"),
            ("洪秀", "correspondent"),
            ("周全", "correspondent")
        ]
    );
    // PATCH reads it too, roles and all.
    let patched = n
        .app
        .req(
            "PATCH",
            &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&json!({"byline_text": "记者周全 通讯员夏洋", "version": 1}))
        .send()
        .expect(200)
        .json();
    assert_eq!(patched["byline"][0]["name"], "周全");
    assert_eq!(patched["byline"][0]["role"], "reporter");
    assert_eq!(patched["byline"][1]["name"], "夏洋");
    assert_eq!(patched["byline"][1]["role"], "correspondent");
    assert_eq!(patched["version"], 2);
}

#[test]
fn unknown_names_and_both_forms_are_refused_and_change_nothing() {
    let n = Newsroom::new();
    let before = n.app.rows("articles");
    let mut body = n.article("未知作者");
    body.as_object_mut().unwrap().remove("byline");
    body["byline_text"] = json!("(记者 王芳 通讯员 夏洋 李明)");
    let v = n
        .app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&body)
        .send()
        .problem(422, "unknown_correspondents");
    let messages: Vec<&str> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["no correspondent named 王芳", "no correspondent named 李明"]
    );
    assert!(v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["field"] == "byline_text"));
    // Both forms at once.
    let mut both = n.article("两种署名");
    both["byline_text"] = json!("(通讯员 夏洋)");
    let v = n
        .app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&both)
        .send()
        .problem(400, "conflicting_fields");
    assert_eq!(v["errors"][0]["field"], "byline_text");
    // Neither: the byline is required.
    let mut neither = n.article("无署名");
    neither.as_object_mut().unwrap().remove("byline");
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&neither)
        .send()
        .problem(400, "malformed_request");
    // Prose credits nobody.
    let mut prose = n.article("散文");
    prose.as_object_mut().unwrap().remove("byline");
    prose["byline_text"] = json!("记者在现场看到");
    n.app
        .req("POST", "/api/v1/articles")
        .token(&n.admin)
        .json(&prose)
        .send()
        .problem(422, "validation_failed");
    assert_eq!(n.app.rows("articles"), before);
}
