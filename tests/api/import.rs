//! `newsdesk import`: validation with file and line, idempotence, data usable at once.

use std::path::PathBuf;

use serde_json::json;

use newsdesk::editors::Role;

use crate::helpers::TestApp;

fn corpus() -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("newsdesk-corpus-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let lines = |rows: Vec<serde_json::Value>| {
        rows.iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    };
    std::fs::write(
        dir.join("sections.jsonl"),
        lines(vec![
            json!({"id": 1, "slug": "xianshiqu", "name": "县市区", "kind": "county"}),
            json!({"id": 2, "slug": "jiayu", "name": "嘉鱼", "kind": "county"}),
            json!({"id": 3, "slug": "Bad Slug", "name": "坏"}),
        ]),
    )
    .unwrap();
    std::fs::write(
        dir.join("contributors.jsonl"),
        lines(vec![
            json!({"id": 1, "slug": "contributor-0001", "name": "夏洋", "role": "correspondent", "role_zh": "通讯员"}),
            json!({"id": 2, "slug": "contributor-0002", "name": "叶和平", "role": "reporter", "role_zh": "记者"}),
            json!({"id": 3, "slug": "contributor-0003", "name": "何帆", "role": "editor", "role_zh": "编辑"}),
        ]),
    )
    .unwrap();
    std::fs::write(
        dir.join("tags.jsonl"),
        lines(vec![
            json!({"id": 1, "slug": "tag-001", "name": "招商引资"}),
            json!({"id": 2, "slug": "tag-002", "name": "退格\u{8}专题"}),
        ]),
    )
    .unwrap();
    let article = |slug: &str, status: &str| {
        json!({
            "id": 1, "slug": slug, "title": "嘉鱼县招商引资签约项目", "summary": "嘉鱼县签约一批项目。",
            "body": "<p>嘉鱼县园区签约一批优质项目。<script>x()</script></p>", "section": "jiayu",
            "contributors": [{"id": 2, "slug": "contributor-0002", "role": "reporter"}, {"id": 1, "slug": "contributor-0001", "role": "correspondent"}, {"id": 3, "slug": "contributor-0003", "role": "editor"}],
            "tags": ["tag-001"], "status": status, "published_at": "2026-04-09T15:00:00+08:00"
        })
    };
    let mut bad_section = article("bad-section", "published");
    bad_section["section"] = json!("nowhere");
    let mut no_date = article("no-date", "published");
    no_date["published_at"] = serde_json::Value::Null;
    let mut text = lines(vec![
        article("a-1", "published"),
        article("a-2", "draft"),
        bad_section,
        no_date,
        article("a-1", "published"),
    ]);
    text.push_str("{not json\n");
    // A title XML cannot carry is refused; a body's is cleaned.
    let mut control_title = article("control-title", "published");
    control_title["title"] = json!("标题\u{b}里的控制符");
    let mut control_body = article("a-3", "published");
    control_body["body"] = json!("<p>正文\u{1}里的&#11;控制符\u{ffff}</p>");
    text.push_str(&lines(vec![control_title, control_body]));
    std::fs::write(dir.join("articles.jsonl"), text).unwrap();
    dir
}

#[test]
fn import_validates_reports_and_is_idempotent() {
    let app = TestApp::spawn();
    let dir = corpus();
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    let counts: Vec<(&str, usize, usize)> = report
        .files
        .iter()
        .map(|(f, c)| (*f, c.imported, c.rejected))
        .collect();
    assert_eq!(
        counts,
        [
            ("sections.jsonl", 2, 1),
            ("contributors.jsonl", 3, 0),
            ("tags.jsonl", 1, 1),
            ("articles.jsonl", 3, 5)
        ]
    );
    let problems = report.problems.join("\n");
    for expected in [
        "sections.jsonl:3:",
        "articles.jsonl:3: unknown section \"nowhere\"",
        "articles.jsonl:4: a published article needs published_at",
        "articles.jsonl:5: slug a-1 appears twice",
        "articles.jsonl:6:",
        "tags.jsonl:2: name contains U+0008 at character 3, which XML cannot carry",
        "articles.jsonl:7: title contains U+000B at character 3, which XML cannot carry",
    ] {
        assert!(
            problems.contains(expected),
            "{expected} missing from\n{problems}"
        );
    }
    assert_eq!(report.editor_credits, 3);
    // Usable at once: bylines, tags, the section tree, search; the body sanitised; drafts hidden.
    let a = app.get("/api/v1/articles/a-1").expect(200).json();
    let names: Vec<&str> = a["byline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["叶和平", "夏洋"]);
    assert_eq!(a["tags"][0]["name"], "招商引资");
    assert!(!a["body_html"].as_str().unwrap().contains("script"));
    assert_eq!(a["published_at"], "2026-04-09T07:00:00Z");
    app.get("/api/v1/articles/a-2").expect(404);
    let cleaned = app.get("/api/v1/articles/a-3").expect(200).json();
    assert_eq!(cleaned["body_html"], "<p>正文里的控制符</p>");
    assert_eq!(
        app.get("/api/v1/sections/jiayu").json()["parent"]["slug"],
        "xianshiqu"
    );
    let hits = app
        .get("/api/v1/articles?q=%E5%9B%AD%E5%8C%BA&section=xianshiqu")
        .expect(200)
        .json();
    assert_eq!(hits["data"][0]["slug"], "a-1");
    // A second run changes nothing.
    let again = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    let t = again.total();
    assert_eq!((t.imported, t.updated), (0, 0));
    assert_eq!(again.files[3].1.unchanged, 4, "a-1 twice, a-2 and a-3");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The definitions of the article tables' indexes (with their options, such as the search
/// indexes' `fastupdate = off`), in order of name.
fn indexes(app: &TestApp) -> Vec<String> {
    use diesel::prelude::*;
    diesel::select(diesel::dsl::sql::<
        diesel::sql_types::Array<diesel::sql_types::Text>,
    >(
        "(SELECT coalesce(array_agg(indexdef ORDER BY indexname), '{}') FROM pg_indexes \
         WHERE tablename IN ('articles', 'article_bylines', 'article_tags', 'search_documents'))",
    ))
    .get_result(&mut app.conn())
    .unwrap()
}

#[test]
fn a_bulk_load_rebuilds_every_index_it_dropped() {
    let app = TestApp::spawn();
    let before = indexes(&app);
    let dir = corpus();
    // Threshold 0: this small file counts as a bulk load into the empty archive.
    let report = newsdesk::import::run_with(app.database_url(), &dir, 0, |_, _| {}).unwrap();
    assert_eq!(report.files[3].1.imported, 3);
    assert_eq!(indexes(&app), before);
    let hits = app
        .get("/api/v1/articles?q=%E6%8B%9B%E5%95%86")
        .expect(200)
        .json();
    assert_eq!(crate::helpers::slugs(&hits), ["a-3", "a-1"]);
    assert_eq!(app.rows("import_dropped_indexes"), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// An import stopped after it dropped the indexes (killed during its load) leaves their
/// definitions behind; the next import, even one too small to count as a bulk load, builds
/// them, and nothing is left to build.
#[test]
fn an_import_stopped_half_way_leaves_its_indexes_to_the_next() {
    let app = TestApp::spawn();
    let before = indexes(&app);
    newsdesk::import::indexes::drop_secondary_indexes(&mut app.conn()).unwrap();
    let left = app.rows("import_dropped_indexes");
    assert!(left > 10, "{left} definitions kept");
    assert_eq!(indexes(&app).len() as i64, before.len() as i64 - left);
    let dir = corpus();
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    assert_eq!(report.files[3].1.imported, 3);
    assert_eq!(indexes(&app), before);
    assert_eq!(app.rows("import_dropped_indexes"), 0);
    let hits = app
        .get("/api/v1/articles?q=%E6%8B%9B%E5%95%86")
        .expect(200)
        .json();
    assert_eq!(crate::helpers::slugs(&hits), ["a-3", "a-1"]);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `newsdesk seed-demo --articles N`: the generated corpus imports without a rejected line,
/// the same seed gives the same corpus, and its sample slugs are published articles.
#[test]
fn the_generated_corpus_imports_cleanly() {
    let app = TestApp::spawn();
    let dir = std::env::temp_dir().join(format!("newsdesk-gen-{}", uuid::Uuid::new_v4().simple()));
    let written = newsdesk::demo::corpus::write(&dir, 500, 7).unwrap();
    assert_eq!(written.articles, 500);
    let again = dir.with_extension("again");
    newsdesk::demo::corpus::write(&again, 500, 7).unwrap();
    for file in ["sections.jsonl", "tags.jsonl", "articles.jsonl"] {
        // Dates follow the clock; everything else is the seed's.
        let strip = |p: &std::path::Path| {
            std::fs::read_to_string(p.join(file))
                .unwrap()
                .lines()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v.as_object_mut().unwrap().remove("published_at");
                    v.as_object_mut().unwrap().remove("slug");
                    v
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(strip(&dir), strip(&again), "{file}");
    }
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    let text = report.to_string();
    assert!(report.problems.is_empty(), "{text}");
    assert_eq!(app.rows("articles"), 500, "{text}");
    let sample = std::fs::read_to_string(dir.join("slugs_sample.txt")).unwrap();
    let slugs: Vec<&str> = sample.lines().collect();
    assert_eq!(slugs.len(), written.published.min(1000));
    for slug in slugs.iter().take(20) {
        app.get(&format!("/api/v1/articles/{slug}")).expect(200);
    }
    let hits = app
        .get("/api/v1/articles?q=%E5%9B%AD%E5%8C%BA&count=true")
        .json();
    assert!(hits["page"]["total"].as_i64().unwrap() > 50, "{hits}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&again);
}

/// The publisher's page as plain text (`shared/fixtures/xianning-news-page.txt`), imported with
/// its title, section and date given, is the demo's sample article: paragraphs and `<h2>`s, the
/// byline of three correspondents (created by the import), the editor.
#[test]
fn the_page_imports_as_the_sample_article() {
    let app = TestApp::spawn();
    let editor = app.editor("hefan@newsdesk.test", Role::Editor);
    let page = include_str!("data/xianning-news-page.txt");
    let seed: serde_json::Value =
        serde_json::from_str(include_str!("../../src/demo/seed-article.json")).unwrap();
    let dir = std::env::temp_dir().join(format!("newsdesk-page-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sections.jsonl"),
        "{\"slug\": \"counties\", \"name\": \"县市区\"}\n{\"slug\": \"jiayu\", \"name\": \"嘉鱼\", \"parent\": \"counties\"}\n",
    )
    .unwrap();
    std::fs::write(dir.join("contributors.jsonl"), "").unwrap();
    std::fs::write(dir.join("tags.jsonl"), "").unwrap();
    let line = json!({
        "slug": "jia-yu-nian-qing-gan-bu", "title": seed["title"], "section": "jiayu",
        "status": "published", "published_at": "2025-04-10T09:00:00+08:00",
        "body_text": page, "source": "咸宁新闻网",
    });
    std::fs::write(dir.join("articles.jsonl"), format!("{line}\n")).unwrap();
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    assert_eq!(report.total().imported, 1 + 2, "{report}");
    assert_eq!(report.people_created, 3, "{report}");
    assert_eq!(
        (report.bylines_unread, report.editors_unmatched),
        (0, 0),
        "{report}"
    );
    let a = app
        .get("/api/v1/articles/jia-yu-nian-qing-gan-bu")
        .expect(200)
        .json();
    assert_eq!(
        a["body_html"],
        newsdesk::text::sanitize_html(seed["body_html"].as_str().unwrap())
    );
    assert_eq!(a["body_html"].as_str().unwrap().matches("<h2>").count(), 3);
    let byline: Vec<(&str, &str)> = a["byline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["role"].as_str().unwrap()))
        .collect();
    let expected: Vec<(&str, &str)> = seed["byline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap(), b["role"].as_str().unwrap()))
        .collect();
    assert_eq!(byline, expected);
    assert_eq!(a["editor"]["id"], editor.to_string());
    assert_eq!(a["source"], "咸宁新闻网");
    // Again: nothing new, nobody created twice.
    let again = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    assert_eq!(again.total().imported, 0, "{again}");
    assert_eq!(again.people_created, 0);
    assert_eq!(app.rows("correspondents"), 3);
    std::fs::remove_dir_all(&dir).ok();
}

/// `byline_text` lines: one correspondent per name and affiliation, matched across lines; a
/// byline that credits nobody and an editor nobody is are counted.
#[test]
fn printed_bylines_become_people_once() {
    let app = TestApp::spawn();
    let dir = std::env::temp_dir().join(format!(
        "newsdesk-bylines-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("sections.jsonl"),
        "{\"slug\": \"jiayu\", \"name\": \"嘉鱼\"}\n",
    )
    .unwrap();
    std::fs::write(dir.join("contributors.jsonl"), "").unwrap();
    std::fs::write(dir.join("tags.jsonl"), "").unwrap();
    let line = |slug: &str, byline: &str, editor: &str| {
        json!({
            "slug": slug, "title": "稿件", "section": "jiayu", "status": "draft",
            "body_text": "嘉鱼县召开推进会。", "byline_text": byline, "editor_text": editor,
        })
        .to_string()
    };
    let lines = [
        line("a-1", "(香城都市报记者吴青朋 通讯员邹太明)", "nobody"),
        line("a-2", "(记者吴青朋 通讯员邹太明)", ""),
        line("a-3", "(咸宁日报记者吴青朋)", ""),
        line("a-4", "记者在现场看到", ""),
    ];
    std::fs::write(dir.join("articles.jsonl"), lines.join("\n") + "\n").unwrap();
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    assert_eq!(report.total().imported, 1 + 4, "{report}");
    // 吴青朋 of 香城都市报 (also the unaffiliated credit of a-2), 邹太明, 吴青朋 of 咸宁日报.
    assert_eq!(report.people_created, 3, "{report}");
    assert_eq!(report.bylines_unread, 1, "{report}");
    assert_eq!(report.editors_unmatched, 1, "{report}");
    assert!(
        report.to_string().contains("3 correspondents created"),
        "{report}"
    );
    let affiliations: Vec<Option<String>> = {
        use diesel::prelude::*;
        use newsdesk::schema::correspondents::dsl::*;
        correspondents
            .filter(name.eq("吴青朋"))
            .order(affiliation)
            .select(affiliation)
            .load(&mut app.conn())
            .unwrap()
    };
    assert_eq!(
        affiliations,
        [Some("咸宁日报".to_owned()), Some("香城都市报".to_owned())]
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `seed-demo --articles N` after the demo: the corpus fills the demo's section tree (one
/// 县市区, its counties still under it) instead of building a second one.
#[test]
fn a_generated_corpus_fills_the_demo_tree() {
    let app = TestApp::spawn();
    let state = newsdesk::state::AppState::new(
        newsdesk::db::build_pool(app.database_url(), 2),
        crate::helpers::config(),
        app.jwt.clone(),
    )
    .unwrap();
    actix_web::rt::System::new()
        .block_on(newsdesk::demo::seed(&state))
        .unwrap();
    // The sample's photo went to this state's own media directory, which nothing here reads.
    if let Some(photos) = &state.media.directory {
        let _ = std::fs::remove_dir_all(photos);
    }
    let dir = std::env::temp_dir().join(format!("newsdesk-gen-{}", uuid::Uuid::new_v4().simple()));
    newsdesk::demo::corpus::write(&dir, 300, 11).unwrap();
    let report = newsdesk::import::run(app.database_url(), &dir, |_, _| {}).unwrap();
    assert!(report.problems.is_empty(), "{report}");
    let sections = app.get("/api/v1/sections?limit=100").expect(200).json();
    let sections = sections["data"].as_array().unwrap();
    let named = |name: &str| -> Vec<&serde_json::Value> {
        sections.iter().filter(|s| s["name"] == name).collect()
    };
    assert_eq!(named("县市区").len(), 1, "{sections:?}");
    assert_eq!(named("县市区")[0]["slug"], "counties");
    for county in ["咸安", "嘉鱼", "赤壁", "通城", "崇阳", "通山"] {
        let s = named(county);
        assert_eq!(s.len(), 1, "{county}");
        assert_eq!(s[0]["parent"]["slug"], "counties", "{county}");
    }
    // The README's first example lists the counties' news.
    let listed = app
        .get("/api/v1/articles?section=counties&limit=5")
        .expect(200)
        .json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}
