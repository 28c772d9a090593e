//! Feeds: every format parsed by a strict parser, conditional GET, caching, ninjs against
//! IPTC's schema, the news sitemap.

use chrono::DateTime;
use diesel::prelude::*;
use newsdesk::schema::articles;
use rss::validation::Validate;
use serde_json::{json, Value};

use crate::helpers::{Newsroom, Resp};

const NINJS_SCHEMA: &str = include_str!("data/ninjs-schema_3.1.json");

/// Published in 嘉鱼 (with a tag), in 县市区 itself, and a draft, a scheduled and an archived one.
fn newsroom() -> (Newsroom, Vec<Value>) {
    let n = Newsroom::new();
    let mut published = vec![n
        .app
        .published(&n.admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"))];
    let mut parent = n.article("县市区要闻");
    parent["section_id"] = json!(n.counties.id);
    parent["tag_ids"] = json!([]);
    published.push(n.app.published(&n.admin, &parent));
    n.app.draft(&n.admin, &n.article("草稿不上线"));
    let s = n.app.draft(&n.admin, &n.article("定时不上线"));
    let at = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    n.app
        .req(
            "POST",
            &format!("/api/v1/articles/{}/transition", s["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&json!({"to": "scheduled", "publish_at": at}))
        .send()
        .expect(200);
    let gone = n.app.published(&n.admin, &n.article("归档不上线"));
    n.app
        .move_to(&n.admin, gone["id"].as_str().unwrap(), "archived");
    (n, published)
}

fn assert_only_published(body: &str) {
    for hidden in ["草稿不上线", "定时不上线", "归档不上线"] {
        assert!(!body.contains(hidden), "{hidden} leaked into a feed");
    }
    assert!(!body.contains("&#"), "Chinese text was entity-encoded");
}

#[test]
fn rss_is_valid_and_complete() {
    let (n, published) = newsroom();
    let r = n.app.get("/api/v1/feed.rss").expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    assert_only_published(&r.body);
    let channel = rss::Channel::read_from(r.body.as_bytes()).expect("RSS parses");
    channel.validate().expect("RSS validates");
    assert_eq!(channel.items().len(), 2);
    let item = &channel.items()[1];
    let a = &published[0];
    assert_eq!(item.title(), Some("嘉鱼县：年轻干部一线练兵长才干"));
    let guid = item.guid().unwrap();
    assert_eq!(guid.value(), a["id"].as_str().unwrap());
    assert!(!guid.is_permalink());
    assert_eq!(
        item.link().unwrap(),
        format!(
            "https://news.example.cn/articles/{}",
            a["slug"].as_str().unwrap()
        )
    );
    DateTime::parse_from_rfc2822(item.pub_date().unwrap()).expect("RFC 2822 pubDate");
    assert_eq!(item.content().unwrap(), a["body_html"].as_str().unwrap());
    assert_eq!(item.description().unwrap(), a["summary"].as_str().unwrap());
    let creators = item.dublin_core_ext().unwrap().creators();
    assert_eq!(creators, ["通讯员 夏洋", "通讯员 洪秀", "通讯员 周全"]);
    let categories: Vec<&str> = item.categories().iter().map(|c| c.name()).collect();
    assert_eq!(categories, ["嘉鱼", "干部素质提升年"]);
    assert_eq!(channel.language(), Some("zh-CN"));
}

#[test]
fn atom_is_valid_and_complete() {
    let (n, published) = newsroom();
    let r = n.app.get("/api/v1/sections/counties/feed.atom").expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_only_published(&r.body);
    let feed = atom_syndication::Feed::read_from(r.body.as_bytes()).expect("Atom parses");
    assert_eq!(
        feed.entries().len(),
        2,
        "the section feed includes its child section"
    );
    let e = &feed.entries()[1];
    let a = &published[0];
    assert_eq!(e.id(), format!("urn:uuid:{}", a["id"].as_str().unwrap()));
    assert_eq!(e.title().as_str(), "嘉鱼县：年轻干部一线练兵长才干");
    assert!(e.published().is_some());
    let content = e.content().unwrap();
    assert_eq!(content.content_type(), Some("html"));
    assert_eq!(content.value(), a["body_html"].as_str());
    let authors: Vec<&str> = e.authors().iter().map(|p| p.name()).collect();
    assert_eq!(authors, ["通讯员 夏洋", "通讯员 洪秀", "通讯员 周全"]);
    let cats: Vec<&str> = e.categories().iter().map(|c| c.term()).collect();
    assert_eq!(cats, ["jiayu", n.tag.slug.as_str()]);
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    // Every entry has an author, so the feed is valid Atom even without the feed-level one.
    assert!(feed.entries().iter().all(|e| !e.authors().is_empty()));
}

#[test]
fn json_feed_is_valid_and_complete() {
    let (n, published) = newsroom();
    let tag = n.tag.slug.as_str();
    let r = n
        .app
        .get(&format!("/api/v1/tags/{tag}/feed.json"))
        .expect(200);
    assert_eq!(
        r.header("content-type"),
        Some("application/feed+json; charset=utf-8")
    );
    assert_only_published(&r.body);
    let v = r.json();
    assert_eq!(v["version"], "https://jsonfeed.org/version/1.1");
    assert!(v["title"].is_string() && v["feed_url"].as_str().unwrap().ends_with("/feed.json"));
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    let i = &items[0];
    assert_eq!(i["id"], published[0]["id"]);
    assert_eq!(i["content_html"], published[0]["body_html"]);
    DateTime::parse_from_rfc3339(i["date_published"].as_str().unwrap()).unwrap();
    DateTime::parse_from_rfc3339(i["date_modified"].as_str().unwrap()).unwrap();
    assert_eq!(i["authors"][0]["_newsdesk"]["role"], "correspondent");
    assert_eq!(i["tags"], json!(["嘉鱼", "干部素质提升年"]));
    let person = n.people[2].slug.as_str();
    let by_person = n
        .app
        .get(&format!("/api/v1/correspondents/{person}/feed.json"))
        .expect(200)
        .json();
    assert_eq!(by_person["items"].as_array().unwrap().len(), 2);
}

#[test]
fn limits_formats_and_unknown_scopes() {
    let (n, _) = newsroom();
    let one = n.app.get("/api/v1/feed.json?limit=1").expect(200).json();
    assert_eq!(one["items"].as_array().unwrap().len(), 1);
    n.app
        .get("/api/v1/feed.json?limit=201")
        .problem(400, "invalid_limit");
    n.app
        .get("/api/v1/feed.json?limit=0")
        .problem(400, "invalid_limit");
    n.app.get("/api/v1/feed.xml").problem(404, "not_found");
    n.app.get("/api/v1/feed.ninjs").problem(404, "not_found");
    n.app
        .get("/api/v1/sections/nope/feed.rss")
        .problem(404, "not_found");
    n.app
        .get("/api/v1/tags/nope/feed.atom")
        .problem(404, "not_found");
}

fn conditional(r: &Resp) -> (String, String) {
    (
        r.header("etag").unwrap().to_owned(),
        r.header("last-modified").unwrap().to_owned(),
    )
}

#[test]
fn conditional_get_and_the_cache() {
    let (n, _) = newsroom();
    for format in ["rss", "atom", "json"] {
        let path = format!("/api/v1/sections/jiayu/feed.{format}");
        let (etag, modified) = conditional(&n.app.get(&path).expect(200));
        assert_eq!(
            n.app.get(&path).header("cache-control"),
            Some("public, max-age=60, stale-while-revalidate=300")
        );
        let r = n
            .app
            .req("GET", &path)
            .header("If-None-Match", &etag)
            .send()
            .expect(304);
        assert!(r.body.is_empty());
        n.app
            .req("GET", &path)
            .header("If-Modified-Since", &modified)
            .send()
            .expect(304);
        n.app
            .req("GET", &path)
            .header("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")
            .send()
            .expect(200);
    }
    // A second read comes from the response cache: no query at all.
    n.app.get("/api/v1/feed.rss").expect(200);
    let before = n.app.queries.get();
    n.app.get("/api/v1/feed.rss").expect(200);
    assert_eq!(n.app.queries.get() - before, 0);
    // A publication changes the feed at once.
    let path = "/api/v1/sections/jiayu/feed.rss";
    let (etag, modified) = conditional(&n.app.get(path));
    std::thread::sleep(std::time::Duration::from_millis(1100));
    n.app.published(&n.admin, &n.article("新发布的稿件"));
    let r = n
        .app
        .req("GET", path)
        .header("If-None-Match", &etag)
        .send()
        .expect(200);
    assert!(r.body.contains("新发布的稿件"));
    n.app
        .req("GET", path)
        .header("If-Modified-Since", &modified)
        .send()
        .expect(200);
}

/// The ninjs schema refers to GeoJSON's for places' geometry. There is no network here and
/// newsdesk's ninjs has no geometry: any other reference is an error.
struct GeoJsonStandIn;

impl jsonschema::Retrieve for GeoJsonStandIn {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        if uri.as_str() == "https://geojson.org/schema/GeoJSON.json" {
            Ok(json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object"}))
        } else {
            Err(format!("unexpected reference {}", uri.as_str()).into())
        }
    }
}

/// IPTC's ninjs 3.1 schema, formats checked.
pub fn ninjs_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(NINJS_SCHEMA).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .with_retriever(GeoJsonStandIn)
        .build(&schema)
        .expect("schema compiles")
}

#[test]
fn ninjs_is_valid_against_iptc_schema() {
    let (n, published) = newsroom();
    let validator = ninjs_validator();
    let a = &published[0];
    let r = n
        .app
        .get(&format!(
            "/api/v1/articles/{}/ninjs",
            a["slug"].as_str().unwrap()
        ))
        .expect(200);
    assert_eq!(r.header("content-type"), Some("application/ninjs+json"));
    let v = r.json();
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{v}");
    assert_eq!(v["standard"]["name"], "ninjs");
    assert_eq!(v["language"], "zh-Hans-CN");
    assert_eq!(v["type"], "text");
    assert_eq!(v["pubStatus"], "usable");
    assert_eq!(v["by"], "通讯员 夏洋 洪秀 周全");
    assert_eq!(v["people"][0]["rel"], "correspondent");
    assert_eq!(v["infoSources"][0]["name"], "咸宁新闻网");
    assert_eq!(v["headlines"][0]["value"], a["title"]);
    assert_eq!(v["bodies"][0]["value"], a["body_html"]);
    assert_eq!(v["descriptions"][0]["value"], a["summary"]);
    let subjects: Vec<&str> = v["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["嘉鱼", "干部素质提升年"]);
    assert_eq!(v["version"], a["version"].to_string());
    // The section feed as a ninjs list: every item valid.
    let list = n
        .app
        .get("/api/v1/sections/counties/feed.ninjs")
        .expect(200)
        .json();
    let items = list["data"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for item in items {
        assert!(validator.is_valid(item), "{item}");
    }
    // Drafts: 404 for anonymous callers, withheld for staff.
    let d = n.app.draft(&n.admin, &n.article("草稿"));
    n.app
        .get(&format!(
            "/api/v1/articles/{}/ninjs",
            d["id"].as_str().unwrap()
        ))
        .problem(404, "not_found");
    let staff = n
        .app
        .req(
            "GET",
            &format!("/api/v1/articles/{}/ninjs", d["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(staff["pubStatus"], "withheld");
    assert!(validator.is_valid(&staff));
}

#[test]
fn news_sitemap_lists_the_last_48_hours() {
    let (n, published) = newsroom();
    let old = &published[1];
    diesel::update(articles::table.filter(articles::slug.eq(old["slug"].as_str().unwrap())))
        .set(articles::published_at.eq(chrono::Utc::now() - chrono::Duration::hours(49)))
        .execute(&mut n.app.conn())
        .unwrap();
    for path in ["/sitemap-news.xml", "/api/v1/sitemap-news.xml"] {
        let r = n.app.get(path).expect(200);
        assert_eq!(
            r.header("content-type"),
            Some("application/xml; charset=utf-8")
        );
        let mut reader = quick_xml::Reader::from_str(&r.body);
        let mut locs = Vec::new();
        let mut in_loc = false;
        loop {
            match reader.read_event().expect("well-formed XML") {
                quick_xml::events::Event::Start(e) if e.name().as_ref() == b"loc" => in_loc = true,
                quick_xml::events::Event::Text(t) if in_loc => {
                    locs.push(String::from_utf8(t.to_vec()).unwrap());
                    in_loc = false;
                }
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(
            locs,
            [format!(
                "https://news.example.cn/articles/{}",
                published[0]["slug"].as_str().unwrap()
            )]
        );
        assert!(r
            .body
            .contains("<news:title>嘉鱼县：年轻干部一线练兵长才干</news:title>"));
        assert!(r
            .body
            .contains("xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\""));
    }
    // Permalinks resolve; anything but a slug or an id is a 404 (never echoed into a header).
    n.app.get("/articles/a%0d%0ab").problem(404, "not_found");
    n.app.get("/articles/%E5%98%89").problem(404, "not_found");
    let p = n
        .app
        .get(&format!(
            "/articles/{}",
            published[0]["slug"].as_str().unwrap()
        ))
        .expect(301);
    assert_eq!(
        p.header("location").unwrap(),
        format!(
            "/api/v1/articles/{}",
            published[0]["slug"].as_str().unwrap()
        )
    );
}

/// Every `<tag>` text of an XML document, in order.
fn texts_of(xml: &str, tag: &[u8]) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) if e.name().as_ref() == tag => inside = true,
            quick_xml::events::Event::Text(t) if inside => {
                found.push(t.decode().unwrap().into_owned());
                inside = false;
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    found
}

#[test]
fn feeds_link_to_the_website_and_name_the_publication() {
    use newsdesk::site::{ArticleUrl, Site};
    let app = crate::helpers::TestApp::spawn_with(|c| {
        let mut site = Site::new(&c.public_url);
        site.name = "咸宁新闻网".into();
        site.home = "https://www.xnnews.com.cn/".into();
        site.article_url =
            ArticleUrl::parse("https://www.xnnews.com.cn/{section}/{yyyy}{mm}/{dd}/{slug}.html")
                .unwrap();
        site.timezone = chrono_tz::Asia::Shanghai;
        c.site = std::sync::Arc::new(site);
    });
    let n = Newsroom::with(app);
    let a = n
        .app
        .published(&n.admin, &n.article("嘉鱼县：年轻干部一线练兵长才干"));
    let slug = a["slug"].as_str().unwrap();
    let published = DateTime::parse_from_rfc3339(a["published_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono_tz::Asia::Shanghai);
    let page = format!(
        "https://www.xnnews.com.cn/jiayu/{}/{slug}.html",
        published.format("%Y%m/%d")
    );
    // The article view names its page on the website; the API link stays.
    let view = n
        .app
        .get(&format!("/api/v1/articles/{slug}"))
        .expect(200)
        .json();
    assert_eq!(view["links"]["canonical"], page);
    assert_eq!(
        view["links"]["self"],
        format!("https://news.example.cn/api/v1/articles/{slug}")
    );

    let rss = n.app.get("/api/v1/sections/counties/feed.rss").expect(200);
    let channel = rss::Channel::read_from(rss.body.as_bytes()).unwrap();
    channel.validate().expect("RSS validates");
    assert_eq!(channel.title(), "咸宁新闻网 · 县市区");
    assert_eq!(channel.link(), "https://www.xnnews.com.cn/");
    assert_eq!(channel.items()[0].link(), Some(page.as_str()));

    let atom = n.app.get("/api/v1/feed.atom").expect(200);
    let feed = atom_syndication::Feed::read_from(atom.body.as_bytes()).unwrap();
    assert_eq!(feed.title().as_str(), "咸宁新闻网");
    assert_eq!(feed.authors()[0].name(), "咸宁新闻网");
    let alternate = |links: &[atom_syndication::Link]| {
        links
            .iter()
            .find(|l| l.rel() == "alternate")
            .map(|l| l.href().to_owned())
    };
    assert_eq!(
        alternate(feed.links()).as_deref(),
        Some("https://www.xnnews.com.cn/")
    );
    assert_eq!(alternate(feed.entries()[0].links()), Some(page.clone()));

    let json = n.app.get("/api/v1/feed.json").expect(200).json();
    assert_eq!(json["title"], "咸宁新闻网");
    assert_eq!(json["home_page_url"], "https://www.xnnews.com.cn/");
    assert_eq!(json["items"][0]["url"], page);

    let sitemap = n.app.get("/sitemap-news.xml").expect(200).body;
    assert_eq!(texts_of(&sitemap, b"loc"), [page]);
    assert_eq!(texts_of(&sitemap, b"news:name"), ["咸宁新闻网"]);
}

#[test]
fn a_summary_is_text_in_every_feed() {
    let n = Newsroom::new();
    let mut body = n.article("摘要里的标记");
    let hostile = "<img src=x onerror=alert(1)> & <b>粗体</b>";
    body["summary"] = json!(hostile);
    n.app.published(&n.admin, &body);
    let rss = n.app.get("/api/v1/feed.rss").expect(200).body;
    let channel = rss::Channel::read_from(rss.as_bytes()).unwrap();
    // RSS readers read a description as HTML: the text arrives escaped, so it shows as text.
    let description = channel.items()[0].description().unwrap();
    assert_eq!(
        description,
        "&lt;img src=x onerror=alert(1)&gt; &amp; &lt;b&gt;粗体&lt;/b&gt;"
    );
    assert!(!rss.contains("<img"), "{rss}");
    let atom = n.app.get("/api/v1/feed.atom").expect(200).body;
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).unwrap();
    let summary = feed.entries()[0].summary().unwrap();
    assert_eq!(summary.r#type, atom_syndication::TextType::Text);
    assert_eq!(summary.as_str(), hostile);
    let json = n.app.get("/api/v1/feed.json").expect(200).json();
    assert_eq!(json["items"][0]["summary"], hostile);
}
