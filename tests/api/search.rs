//! `GET /articles?q=`: Chinese-first search.

use serde_json::{json, Value};

use crate::helpers::{slugs, Newsroom};

const SAMPLE: &str = include_str!("../../src/demo/seed-article.json");

fn search(n: &Newsroom, q: &str) -> Value {
    let enc: String = q.bytes().map(|b| format!("%{b:02X}")).collect();
    n.app
        .get(&format!("/api/v1/articles?q={enc}"))
        .expect(200)
        .json()
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

#[test]
fn every_chinese_substring_of_the_sample_title_finds_it() {
    let n = Newsroom::new();
    let sample: Value = serde_json::from_str(SAMPLE).unwrap();
    let mut body = n.article(sample["title"].as_str().unwrap());
    body["body_html"] = sample["body_html"].clone();
    let a = n.app.published(&n.admin, &body);
    n.app.published(&n.admin, &n.article("无关的稿件"));
    let title: Vec<char> = sample["title"].as_str().unwrap().chars().collect();
    let mut tried = 0;
    for len in [1, 2, 4] {
        for w in title.windows(len).filter(|w| w.iter().all(|c| is_han(*c))) {
            let q: String = w.iter().collect();
            let hits = search(&n, &q);
            assert!(
                slugs(&hits).contains(&a["slug"].as_str().unwrap().to_owned()),
                "{q} missed"
            );
            tried += 1;
        }
    }
    assert!(tried >= 30, "{tried}");
}

#[test]
fn ranking_filters_highlights_and_paging() {
    let n = Newsroom::new();
    let mut in_body = n.article("嘉鱼县召开推进会");
    in_body["body_html"] = json!("<p>会议要求各园区加快项目建设，园区企业积极响应。</p>");
    let body_hit = n.app.published(&n.admin, &in_body);
    let mut in_title = n.article("产业园区建设提速");
    in_title["body_html"] = json!("<p>今年以来，各地加快建设。</p>");
    let title_hit = n.app.published(&n.admin, &in_title);
    // Newer, but only a body hit: the title hit still comes first.
    let mut newer = n.article("另一条消息");
    newer["body_html"] = json!("<p>新的园区正在规划。</p>");
    let newest = n.app.published(&n.admin, &newer);
    let mut draft = n.article("园区草稿");
    draft["body_html"] = json!("<p>园区</p>");
    n.app.draft(&n.admin, &draft);
    let hits = search(&n, "园区");
    let s = |v: &Value| v["slug"].as_str().unwrap().to_owned();
    assert_eq!(slugs(&hits)[0], s(&title_hit));
    assert_eq!(slugs(&hits).len(), 3, "drafts are never found");
    assert!(slugs(&hits).contains(&s(&body_hit)) && slugs(&hits).contains(&s(&newest)));
    for item in hits["data"].as_array().unwrap() {
        assert!(
            item["highlight"]
                .as_str()
                .unwrap()
                .contains("<mark>园区</mark>"),
            "{item}"
        );
    }
    // Every word must be present, as a whole (园 … 区 apart is no hit).
    assert_eq!(slugs(&search(&n, "园区 企业")), [s(&body_hit)]);
    let mut apart = n.article("园林小区");
    apart["body_html"] = json!("<p>园林和小区。</p>");
    n.app.published(&n.admin, &apart);
    assert_eq!(slugs(&search(&n, "园区")).len(), 3);
    // One character; Latin words, case-insensitively.
    assert!(slugs(&search(&n, "园")).len() >= 4);
    let mut latin = n.article("GDP 增长 report");
    latin["body_html"] = json!("<p>The Park opened.</p>");
    let l = n.app.published(&n.admin, &latin);
    assert_eq!(slugs(&search(&n, "park")), [s(&l)]);
    assert_eq!(slugs(&search(&n, "gdp 增长")), [s(&l)]);
    assert_eq!(slugs(&search(&n, "parks")).len(), 0);
    // Combined with filters and keyset paging.
    let other = n.app.section(&n.admin, "other", "其他", None);
    let mut elsewhere = n.article("其他栏目的园区");
    elsewhere["section_id"] = other["id"].clone();
    n.app.published(&n.admin, &elsewhere);
    let q = "%E5%9B%AD%E5%8C%BA";
    let first = n
        .app
        .get(&format!("/api/v1/articles?q={q}&section=jiayu&limit=2"))
        .expect(200)
        .json();
    assert_eq!(slugs(&first).len(), 2);
    let cursor = first["page"]["next_cursor"].as_str().unwrap();
    let second = n
        .app
        .get(&format!(
            "/api/v1/articles?q={q}&section=jiayu&limit=2&cursor={cursor}"
        ))
        .expect(200)
        .json();
    assert_eq!(slugs(&second).len(), 1);
    assert_eq!(second["page"]["next_cursor"], Value::Null);
    let all: Vec<String> = slugs(&first).into_iter().chain(slugs(&second)).collect();
    assert_eq!(all.len(), 3);
    assert!(!all.contains(&"qi-ta-lan-mu-de-yuan-qu".to_owned()));
    let counted = n
        .app
        .get(&format!("/api/v1/articles?q={q}&count=true"))
        .expect(200)
        .json();
    assert_eq!(counted["page"]["total"], 4);
    // Punctuation only: no search at all; too long: 400.
    assert_eq!(slugs(&search(&n, "，。")).len(), 6);
    n.app
        .get(&format!("/api/v1/articles?q={}", "%E5%9B%AD".repeat(201)))
        .problem(400, "invalid_parameter");
}

#[test]
fn the_search_document_follows_edits() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("旧标题"));
    assert_eq!(slugs(&search(&n, "旧标题")).len(), 1);
    n.app
        .req(
            "PATCH",
            &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&json!({"title": "新标题", "version": a["version"]}))
        .send()
        .expect(200);
    assert_eq!(slugs(&search(&n, "旧标题")).len(), 0);
    assert_eq!(slugs(&search(&n, "新标题")).len(), 1);
}

/// New documents go into the search indexes' trees at once, not into a GIN pending list that
/// every search and related-stories lookup would read whole until VACUUM flushed it (a burst
/// of stories slowed article pages threefold: bench/RESULTS.md).
#[test]
fn written_documents_wait_in_no_pending_list() {
    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    let n = Newsroom::new();
    for i in 1..=3 {
        n.app
            .published(&n.admin, &n.article(&format!("园区招商签约第{i}批项目")));
    }
    let mut conn = n.app.conn();
    conn.batch_execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        .unwrap();
    for index in ["articles_search_title_idx", "search_documents_document_idx"] {
        let pending: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "(SELECT pending_tuples FROM pgstatginindex('{index}'))"
        )))
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(pending, 0, "{index}");
    }
    assert_eq!(slugs(&search(&n, "招商签约")).len(), 3);
}

#[test]
fn documents_missing_after_an_upgrade_are_rebuilt() {
    use diesel::connection::SimpleConnection;
    let n = Newsroom::new();
    let in_title = n.app.published(&n.admin, &n.article("园区建设提速"));
    let mut body_only = n.article("另一条");
    body_only["body_html"] = json!("<p>园区</p>");
    n.app.published(&n.admin, &body_only);
    // As if loaded by SQL: no documents, marked unwritten.
    n.app
        .conn()
        .batch_execute(
            "DELETE FROM search_documents;
             UPDATE articles SET search_written = false, search_title = ''::tsvector",
        )
        .unwrap();
    assert_eq!(
        newsdesk::search::reindex_missing(&mut n.app.conn()).unwrap(),
        2
    );
    let hits = search(&n, "园区");
    assert_eq!(
        slugs(&hits)[0],
        in_title["slug"].as_str().unwrap(),
        "the title hit comes first again"
    );
    assert_eq!(
        newsdesk::search::reindex_missing(&mut n.app.conn()).unwrap(),
        0
    );
}
