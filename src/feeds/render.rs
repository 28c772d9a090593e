//! Serialising feeds: RSS 2.0 (`rss`), Atom 1.0 (`atom_syndication`), JSON Feed 1.1 and ninjs
//! 3.1 (serde), the Google News sitemap (`quick-xml`). Dates in each format's own syntax;
//! Chinese text as it is (UTF-8, never entity-encoded).

use std::collections::BTreeMap;

use atom_syndication as atom;
use chrono::{DateTime, FixedOffset, Utc};
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

use super::model::{printed_byline, role_zh, FeedItem, FeedMeta};
use crate::articles::views::CoverImageView;
use crate::error::AppError;
use crate::site::Site;

fn fixed(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.fixed_offset()
}

fn newest(items: &[FeedItem]) -> Option<DateTime<Utc>> {
    items.iter().map(|i| i.updated_at.max(i.published_at)).max()
}

/// RSS 2.0 with `content:encoded` for the body and `dc:creator` for each credited person.
pub fn rss(meta: &FeedMeta, items: &[FeedItem]) -> String {
    use rss::extension::dublincore::DublinCoreExtensionBuilder;
    use rss::{CategoryBuilder, ChannelBuilder, GuidBuilder, ItemBuilder};
    let entries: Vec<rss::Item> = items
        .iter()
        .map(|i| {
            let mut categories = vec![CategoryBuilder::default()
                .name(i.section.name.clone())
                .domain(Some(format!(
                    "{}/api/v1/sections/{}",
                    meta.site.public_url, i.section.slug
                )))
                .build()];
            categories.extend(i.tags.iter().map(|t| {
                CategoryBuilder::default()
                    .name(t.name.clone())
                    .domain(Some(format!(
                        "{}/api/v1/tags/{}",
                        meta.site.public_url, t.slug
                    )))
                    .build()
            }));
            let creators: Vec<String> = i
                .byline
                .iter()
                .map(|b| format!("{} {}", role_zh(&b.role), b.name))
                .collect();
            ItemBuilder::default()
                .enclosure(i.cover.as_ref().and_then(enclosure))
                .extensions(media_rss(i.cover.as_ref()))
                .title(Some(i.title.clone()))
                .link(Some(i.permalink(&meta.site)))
                // RSS readers take a description as HTML: the plain-text summary is escaped so
                // that it stays text (`<img onerror=…>` in a summary is shown, never run).
                .description(Some(html_escape::encode_text(&i.summary).into_owned()))
                .content(Some(i.body_html.clone()))
                .guid(Some(
                    GuidBuilder::default()
                        .value(i.id.to_string())
                        .permalink(false)
                        .build(),
                ))
                .pub_date(Some(i.published_at.to_rfc2822()))
                .categories(categories)
                .source(None)
                .dublin_core_ext(Some(
                    DublinCoreExtensionBuilder::default()
                        .creators(creators)
                        .build(),
                ))
                .build()
        })
        .collect();
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned());
    namespaces.insert("media".to_owned(), MEDIA_RSS.to_owned());
    let mut atom_ext = rss::extension::ExtensionMap::default();
    let mut link = rss::extension::Extension {
        name: "atom:link".into(),
        ..Default::default()
    };
    link.attrs.insert("href".into(), meta.self_url.clone());
    link.attrs.insert("rel".into(), "self".into());
    link.attrs
        .insert("type".into(), "application/rss+xml".into());
    atom_ext
        .entry("atom".into())
        .or_default()
        .insert("link".into(), vec![link]);
    let channel = ChannelBuilder::default()
        .title(meta.title.clone())
        .link(meta.site.home.clone())
        .description(meta.description.clone())
        .language(Some("zh-CN".to_owned()))
        .generator(Some("newsdesk".to_owned()))
        .last_build_date(newest(items).map(|t| t.to_rfc2822()))
        .namespaces(namespaces)
        .extensions(atom_ext)
        .items(entries)
        .build();
    let bytes = channel.write_to(Vec::new()).unwrap_or_default();
    xml_text(bytes)
}

/// Media RSS (<https://www.rssboard.org/media-rss>): `media:content` for the cover.
const MEDIA_RSS: &str = "http://search.yahoo.com/mrss/";

/// The RSS `<enclosure>` of a cover whose type and size are known (one of the media library).
fn enclosure(c: &CoverImageView) -> Option<rss::Enclosure> {
    let (mime, bytes) = (c.mime.as_ref()?, c.bytes?);
    Some(
        rss::EnclosureBuilder::default()
            .url(c.url.clone())
            .length(bytes.to_string())
            .mime_type(mime.clone())
            .build(),
    )
}

/// `<media:content url type medium="image" width height fileSize>` with the caption
/// (`media:description`) and the credit (`media:credit`) of a cover.
fn media_rss(cover: Option<&CoverImageView>) -> rss::extension::ExtensionMap {
    use rss::extension::Extension;
    let mut map = rss::extension::ExtensionMap::default();
    let Some(c) = cover else {
        return map;
    };
    let mut content = Extension {
        name: "media:content".into(),
        ..Default::default()
    };
    content.attrs.insert("url".into(), c.url.clone());
    content.attrs.insert("medium".into(), "image".into());
    if let Some(mime) = &c.mime {
        content.attrs.insert("type".into(), mime.clone());
    }
    if let (Some(w), Some(h)) = (c.width, c.height) {
        content.attrs.insert("width".into(), w.to_string());
        content.attrs.insert("height".into(), h.to_string());
    }
    if let Some(bytes) = c.bytes {
        content.attrs.insert("fileSize".into(), bytes.to_string());
    }
    let child = |name: &str, value: &str| Extension {
        name: name.into(),
        value: Some(value.to_owned()),
        ..Default::default()
    };
    if let Some(caption) = &c.caption {
        let mut d = child("media:description", caption);
        d.attrs.insert("type".into(), "plain".into());
        content.children.insert("description".into(), vec![d]);
    }
    if let Some(credit) = &c.credit {
        let mut cr = child("media:credit", credit);
        cr.attrs.insert("role".into(), "photographer".into());
        content.children.insert("credit".into(), vec![cr]);
    }
    map.entry("media".into())
        .or_default()
        .insert("content".into(), vec![content]);
    map
}

/// A written XML document as text. Stored text cannot hold a character XML cannot carry (it is
/// refused on the way in); one stored before that rule is dropped here, so the feed still parses.
fn xml_text(bytes: Vec<u8>) -> String {
    let text = String::from_utf8(bytes).unwrap_or_default();
    match crate::text::strip_xml_unsafe(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

/// Atom 1.0: `urn:uuid:` ids, an author per credited person, HTML content.
pub fn atom(meta: &FeedMeta, items: &[FeedItem]) -> String {
    use atom::{
        CategoryBuilder, ContentBuilder, EntryBuilder, FeedBuilder, LinkBuilder, PersonBuilder,
        Text,
    };
    let entries: Vec<atom::Entry> = items
        .iter()
        .map(|i| {
            let mut categories = vec![CategoryBuilder::default()
                .term(i.section.slug.clone())
                .label(Some(i.section.name.clone()))
                .scheme(Some(format!("{}/api/v1/sections", meta.site.public_url)))
                .build()];
            categories.extend(i.tags.iter().map(|t| {
                CategoryBuilder::default()
                    .term(t.slug.clone())
                    .label(Some(t.name.clone()))
                    .scheme(Some(format!("{}/api/v1/tags", meta.site.public_url)))
                    .build()
            }));
            let authors = i
                .byline
                .iter()
                .map(|b| {
                    PersonBuilder::default()
                        .name(format!("{} {}", role_zh(&b.role), b.name))
                        .uri(Some(format!(
                            "{}/api/v1/correspondents/{}",
                            meta.site.public_url, b.correspondent_id
                        )))
                        .build()
                })
                .collect::<Vec<_>>();
            EntryBuilder::default()
                .id(format!("urn:uuid:{}", i.id))
                .title(Text::plain(i.title.clone()))
                .updated(fixed(i.updated_at))
                .published(Some(fixed(i.published_at)))
                .summary(Some(Text::plain(i.summary.clone())))
                .content(Some(
                    ContentBuilder::default()
                        .value(Some(i.body_html.clone()))
                        .content_type(Some("html".to_owned()))
                        .build(),
                ))
                .authors(authors)
                .categories(categories)
                .links({
                    let mut links = vec![LinkBuilder::default()
                        .href(i.permalink(&meta.site))
                        .rel("alternate".to_owned())
                        .mime_type(Some("text/html".to_owned()))
                        .build()];
                    if let Some(c) = &i.cover {
                        links.push(
                            LinkBuilder::default()
                                .href(c.url.clone())
                                .rel("enclosure".to_owned())
                                .mime_type(c.mime.clone())
                                .length(c.bytes.map(|b| b.to_string()))
                                .title(c.caption.clone())
                                .build(),
                        );
                    }
                    links
                })
                .build()
        })
        .collect();
    let feed = FeedBuilder::default()
        .id(meta.self_url.clone())
        .title(Text::plain(meta.title.clone()))
        .subtitle(Some(Text::plain(meta.description.clone())))
        .updated(fixed(newest(items).unwrap_or(DateTime::UNIX_EPOCH)))
        .lang(Some("zh-CN".to_owned()))
        .generator(Some(atom::Generator {
            value: "newsdesk".into(),
            uri: None,
            version: None,
        }))
        // Atom requires an author for entries without one: the publication.
        .authors(vec![PersonBuilder::default()
            .name(meta.site.name.clone())
            .uri(Some(meta.site.home.clone()))
            .build()])
        .links(vec![
            LinkBuilder::default()
                .href(meta.self_url.clone())
                .rel("self".to_owned())
                .mime_type(Some("application/atom+xml".to_owned()))
                .build(),
            LinkBuilder::default()
                .href(meta.site.home.clone())
                .rel("alternate".to_owned())
                .mime_type(Some("text/html".to_owned()))
                .build(),
        ])
        .entries(entries)
        .build();
    let bytes = feed.write_to(Vec::new()).unwrap_or_default();
    xml_text(bytes)
}

/// A JSON Feed 1.1 document (<https://jsonfeed.org/version/1.1>).
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeed {
    /// `https://jsonfeed.org/version/1.1`.
    pub version: String,
    pub title: String,
    pub description: String,
    /// The publication's home page (`NEWSDESK_SITE_URL`).
    pub home_page_url: String,
    /// This feed's URL.
    pub feed_url: String,
    /// `zh-CN`.
    pub language: String,
    pub items: Vec<JsonFeedItem>,
}

/// One article in a JSON Feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedItem {
    /// The article id.
    pub id: String,
    /// The article's page (`NEWSDESK_ARTICLE_URL`).
    pub url: String,
    pub title: String,
    /// Plain text.
    pub summary: String,
    /// The full, sanitised body.
    pub content_html: String,
    /// The cover image: its widest variant (at most 1280 px), else the image itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub image: Option<String>,
    pub date_published: String,
    pub date_modified: String,
    pub authors: Vec<JsonFeedAuthor>,
    /// The section's name, then the tags'.
    pub tags: Vec<String>,
    pub language: String,
}

/// A credited person: `通讯员 夏洋`, with the byline's role and name in `_newsdesk`.
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedAuthor {
    pub name: String,
    pub url: String,
    #[serde(rename = "_newsdesk")]
    pub newsdesk: JsonFeedCredit,
}

/// The byline entry behind a JSON Feed author (a JSON Feed extension object).
#[derive(Debug, Serialize, ToSchema)]
pub struct JsonFeedCredit {
    #[schema(value_type = crate::bylines::Role)]
    pub role: String,
    pub name: String,
}

/// JSON Feed 1.1; each author carries its byline role in `_newsdesk`.
pub fn json_feed(meta: &FeedMeta, items: &[FeedItem]) -> Result<String, AppError> {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let items = items
        .iter()
        .map(|i| {
            let mut tags = vec![i.section.name.clone()];
            tags.extend(i.tags.iter().map(|t| t.name.clone()));
            JsonFeedItem {
                id: i.id.to_string(),
                url: i.permalink(&meta.site),
                title: i.title.clone(),
                summary: i.summary.clone(),
                content_html: i.body_html.clone(),
                image: i.cover.as_ref().map(|c| {
                    c.variants
                        .last()
                        .map_or_else(|| c.url.clone(), |v| v.url.clone())
                }),
                date_published: time(i.published_at),
                date_modified: time(i.updated_at),
                authors: i
                    .byline
                    .iter()
                    .map(|b| JsonFeedAuthor {
                        name: format!("{} {}", role_zh(&b.role), b.name),
                        url: format!(
                            "{}/api/v1/correspondents/{}",
                            meta.site.public_url, b.correspondent_id
                        ),
                        newsdesk: JsonFeedCredit {
                            role: b.role.clone(),
                            name: b.name.clone(),
                        },
                    })
                    .collect(),
                tags,
                language: "zh-CN".into(),
            }
        })
        .collect();
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1".into(),
        title: meta.title.clone(),
        description: meta.description.clone(),
        home_page_url: meta.site.home.clone(),
        feed_url: meta.self_url.clone(),
        language: "zh-CN".into(),
        items,
    };
    Ok(serde_json::to_string(&feed)?)
}

/// The ninjs 3.1 `standard` declaration.
pub const NINJS_SCHEMA: &str = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json";

/// An article as an IPTC ninjs 3.1 news item.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Ninjs {
    /// `urn:uuid:<article id>`.
    pub uri: String,
    #[schema(value_type = Object)]
    pub standard: Value,
    /// Always `text`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `zh-Hans-CN`.
    pub language: String,
    pub version: String,
    /// `usable` when published, `withheld` otherwise (staff only), `canceled` when archived.
    pub pub_status: String,
    pub first_created: String,
    pub version_created: String,
    #[schema(value_type = Vec<Object>)]
    pub headlines: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub descriptions: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub bodies: Vec<Value>,
    /// The byline as printed (`通讯员 夏洋 洪秀 周全`).
    pub by: String,
    #[schema(value_type = Vec<Object>)]
    pub people: Vec<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub info_sources: Vec<Value>,
    #[schema(value_type = Vec<Object>)]
    pub subjects: Vec<Value>,
    /// The cover image: a `picture` named `cover`, its renditions the image and its variants.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub associations: Vec<Value>,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The ninjs form of one article.
pub fn ninjs(public_url: &str, i: &FeedItem, status: &str) -> Ninjs {
    let mut headlines =
        vec![json!({"role": "main", "contentType": "text/plain", "value": i.title})];
    if let Some(sub) = &i.subtitle {
        headlines.push(json!({"role": "sub", "contentType": "text/plain", "value": sub}));
    }
    let mut subjects = vec![json!({
        "name": i.section.name,
        "rel": "section",
        "uri": format!("{public_url}/api/v1/sections/{}", i.section.slug),
    })];
    subjects.extend(i.tags.iter().map(|t| {
        json!({"name": t.name, "rel": "tag", "uri": format!("{public_url}/api/v1/tags/{}", t.slug)})
    }));
    Ninjs {
        uri: format!("urn:uuid:{}", i.id),
        standard: json!({"name": "ninjs", "version": "3.1", "schema": NINJS_SCHEMA}),
        type_: "text".into(),
        language: "zh-Hans-CN".into(),
        version: i.version.to_string(),
        pub_status: match status {
            "published" => "usable",
            "archived" => "canceled",
            _ => "withheld",
        }
        .into(),
        first_created: rfc3339(i.created_at),
        version_created: rfc3339(i.updated_at),
        headlines,
        descriptions: vec![json!({"role": "summary", "contentType": "text/plain", "value": i.summary})],
        bodies: vec![json!({"role": "main", "contentType": "text/html", "value": i.body_html})],
        by: printed_byline(&i.byline),
        people: i
            .byline
            .iter()
            .map(|b| json!({"name": b.name, "rel": b.role, "uri": format!("{public_url}/api/v1/correspondents/{}", b.correspondent_id)}))
            .collect(),
        info_sources: i.source.iter().map(|s| json!({"name": s, "role": "source"})).collect(),
        subjects,
        associations: i.cover.iter().map(ninjs_picture).collect(),
    }
}

/// A cover as a ninjs association: the picture, its caption and credit, its renditions.
fn ninjs_picture(c: &CoverImageView) -> Value {
    let mut original = json!({"name": "original", "href": c.url});
    if let Some(mime) = &c.mime {
        original["contentType"] = json!(mime);
    }
    if let (Some(w), Some(h)) = (c.width, c.height) {
        original["width"] = json!(w);
        original["height"] = json!(h);
    }
    if let Some(bytes) = c.bytes {
        original["sizeInBytes"] = json!(bytes);
    }
    let mut renditions = vec![original];
    renditions.extend(c.variants.iter().map(|v| {
        json!({"name": format!("w{}", v.width), "href": v.url, "contentType": v.mime, "width": v.width, "height": v.height})
    }));
    let uri = match c.media_id {
        Some(id) => format!("urn:uuid:{id}"),
        None => c.url.clone(),
    };
    let mut picture = json!({
        "name": "cover",
        "rel": "cover",
        "uri": uri,
        "type": "picture",
        "renditions": renditions,
    });
    if let Some(caption) = &c.caption {
        picture["descriptions"] =
            json!([{"role": "caption", "contentType": "text/plain", "value": caption}]);
    }
    if let Some(credit) = &c.credit {
        picture["by"] = json!(credit);
    }
    picture
}

/// The Google News sitemap of `items` (the caller keeps those of the last 48 hours).
pub fn news_sitemap(site: &Site, items: &[FeedItem]) -> Result<String, AppError> {
    let xml_err = |e: std::io::Error| AppError::internal("writing the sitemap", e);
    let mut w = Writer::new(Vec::new());
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(xml_err)?;
    let mut urlset = BytesStart::new("urlset");
    urlset.push_attribute(("xmlns", "http://www.sitemaps.org/schemas/sitemap/0.9"));
    urlset.push_attribute((
        "xmlns:news",
        "http://www.google.com/schemas/sitemap-news/0.9",
    ));
    w.write_event(Event::Start(urlset)).map_err(xml_err)?;
    let text = |w: &mut Writer<Vec<u8>>, tag: &str, value: &str| -> std::io::Result<()> {
        w.write_event(Event::Start(BytesStart::new(tag)))?;
        w.write_event(Event::Text(BytesText::new(value)))?;
        w.write_event(Event::End(BytesEnd::new(tag)))
    };
    for i in items {
        w.write_event(Event::Start(BytesStart::new("url")))
            .map_err(xml_err)?;
        text(&mut w, "loc", &i.permalink(site)).map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("news:news")))
            .map_err(xml_err)?;
        w.write_event(Event::Start(BytesStart::new("news:publication")))
            .map_err(xml_err)?;
        text(&mut w, "news:name", &site.name).map_err(xml_err)?;
        text(&mut w, "news:language", "zh-cn").map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("news:publication")))
            .map_err(xml_err)?;
        text(&mut w, "news:publication_date", &rfc3339(i.published_at)).map_err(xml_err)?;
        text(&mut w, "news:title", &i.title).map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("news:news")))
            .map_err(xml_err)?;
        w.write_event(Event::End(BytesEnd::new("url")))
            .map_err(xml_err)?;
    }
    w.write_event(Event::End(BytesEnd::new("urlset")))
        .map_err(xml_err)?;
    Ok(xml_text(w.into_inner()))
}
