//! Related stories (相关新闻): `GET /articles/{id}/related` and `links.related`.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::builders::{ArticleBuilder, SectionBuilder, TagBuilder};
use crate::helpers::{slugs, Newsroom};

#[test]
fn tags_then_words_then_section_newest_first_among_equals() {
    let n = Newsroom::new();
    let mut conn = n.app.conn();
    let city = SectionBuilder::new("city", "市区").insert(&mut conn);
    let other_tag = TagBuilder::new("招商引资").insert(&mut conn);
    let hours = |h: i64| Utc::now() - Duration::hours(h);
    let x = ArticleBuilder::new("嘉鱼县潘湾园区招商签约", &n.jiayu)
        .tagged(&n.tag)
        .tagged(&other_tag)
        .published_at(hours(1))
        .insert(&mut conn);
    // Both tags, then one tag (newest first), then a rare word of the title, then the section.
    let both = ArticleBuilder::new("两个专题都有", &city)
        .tagged(&n.tag)
        .tagged(&other_tag)
        .published_at(hours(50))
        .insert(&mut conn);
    let one_new = ArticleBuilder::new("一个专题较新", &city)
        .tagged(&other_tag)
        .published_at(hours(2))
        .insert(&mut conn);
    let one_old = ArticleBuilder::new("一个专题较旧", &city)
        .tagged(&n.tag)
        .published_at(hours(30))
        .insert(&mut conn);
    let word = ArticleBuilder::new("潘湾码头启用", &city)
        .published_at(hours(3))
        .insert(&mut conn);
    let section = ArticleBuilder::new("嘉鱼另一条新闻", &n.jiayu)
        .published_at(hours(4))
        .insert(&mut conn);
    // Never a draft, never the article itself.
    ArticleBuilder::new("潘湾草稿", &n.jiayu)
        .tagged(&n.tag)
        .insert(&mut conn);
    let v = n
        .app
        .get(&format!("/api/v1/articles/{}/related?limit=10", x.slug))
        .expect(200)
        .json();
    assert_eq!(
        slugs(&v),
        [
            both.slug.as_str(),
            &one_new.slug,
            &one_old.slug,
            &word.slug,
            &section.slug
        ]
    );
    assert_eq!(v["page"], json!({"limit": 10, "next_cursor": null}));
    // The list items are whole list items; the article view links the first five.
    assert_eq!(v["data"][0]["section"]["slug"], "city");
    let a = n
        .app
        .get(&format!("/api/v1/articles/{}", x.slug))
        .expect(200)
        .json();
    let linked: Vec<&str> = a["links"]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["slug"].as_str().unwrap())
        .collect();
    assert_eq!(linked, slugs(&v)[..5]);
    assert_eq!(
        a["links"]["related"][0],
        json!({"slug": both.slug, "title": both.title, "summary": both.summary})
    );
    let limited = n
        .app
        .get(&format!("/api/v1/articles/{}/related?limit=2", x.id))
        .expect(200)
        .json();
    assert_eq!(slugs(&limited), [both.slug.as_str(), &one_new.slug]);
}

#[test]
fn a_new_story_sharing_a_tag_appears_at_once() {
    let n = Newsroom::new();
    let x = n
        .app
        .published(&n.admin, &n.article("嘉鱼县年轻干部一线练兵"));
    let path = format!("/api/v1/articles/{}/related", x["slug"].as_str().unwrap());
    let page = format!("/api/v1/articles/{}", x["slug"].as_str().unwrap());
    assert_eq!(
        slugs(&n.app.get(&path).expect(200).json()),
        Vec::<String>::new()
    );
    assert_eq!(
        n.app.get(&page).expect(200).json()["links"]["related"],
        json!([])
    );
    // Cached: a second read costs no query.
    let before = n.app.queries.get();
    n.app.get(&path).expect(200);
    n.app.get(&page).expect(200);
    assert_eq!(n.app.queries.get(), before);
    let mut body = n.article("另一篇干部稿件");
    body["section_id"] = json!(n.counties.id);
    let y = n.app.published(&n.admin, &body);
    assert_eq!(
        slugs(&n.app.get(&path).expect(200).json()),
        [y["slug"].as_str().unwrap()]
    );
    assert_eq!(
        n.app.get(&page).expect(200).json()["links"]["related"][0]["slug"],
        y["slug"]
    );
    // Its new title shows at once too.
    n.app
        .req(
            "PATCH",
            &format!("/api/v1/articles/{}", y["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&json!({"title": "改过的标题", "version": y["version"]}))
        .send()
        .expect(200);
    assert_eq!(
        n.app.get(&page).expect(200).json()["links"]["related"][0]["title"],
        "改过的标题"
    );
}

#[test]
fn unpublished_unknown_and_bad_limits() {
    let n = Newsroom::new();
    let draft = n.app.draft(&n.admin, &n.article("草稿"));
    let id = draft["id"].as_str().unwrap();
    n.app
        .get(&format!("/api/v1/articles/{id}/related"))
        .problem(404, "not_found");
    n.app
        .req("GET", &format!("/api/v1/articles/{id}/related"))
        .token(&n.admin)
        .send()
        .expect(200);
    n.app
        .get("/api/v1/articles/no-such-story/related")
        .problem(404, "not_found");
    for bad in ["0", "21", "x"] {
        n.app
            .req("GET", &format!("/api/v1/articles/{id}/related?limit={bad}"))
            .token(&n.admin)
            .send()
            .problem(
                400,
                if bad == "x" {
                    "malformed_request"
                } else {
                    "invalid_limit"
                },
            );
    }
}
