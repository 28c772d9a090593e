//! The media library (API.md §11): uploads decided by decoding, metadata stripped (pixels
//! unchanged), orientation applied, variants, serving, the library's list, texts and deletion,
//! covers in article views and in every feed.

use image::{DynamicImage, RgbImage};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::time::Duration;

use crate::helpers::{Newsroom, TestApp};
use crate::wire;

/// A minimal big-endian TIFF (EXIF) with an image description and an orientation.
fn exif(description: &str, orientation: u16) -> Vec<u8> {
    let text = [description.as_bytes(), b"\0"].concat();
    let mut t = b"MM\0\x2a\0\0\0\x08".to_vec();
    t.extend_from_slice(&2u16.to_be_bytes());
    // ImageDescription (ASCII), its text after the IFD.
    t.extend_from_slice(&0x010Eu16.to_be_bytes());
    t.extend_from_slice(&2u16.to_be_bytes());
    t.extend_from_slice(&u32::try_from(text.len()).unwrap().to_be_bytes());
    t.extend_from_slice(&38u32.to_be_bytes());
    // Orientation (SHORT).
    t.extend_from_slice(&0x0112u16.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes());
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&orientation.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes());
    assert_eq!(t.len(), 38);
    t.extend_from_slice(&text);
    t
}

fn segment(marker: u8, contents: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&u16::try_from(contents.len() + 2).unwrap().to_be_bytes());
    s.extend_from_slice(contents);
    s
}

/// A photo as a reporter's phone sends it: a gradient JPEG with EXIF (GPS in its text), XMP
/// and a comment, in `orientation`.
pub fn phone_jpeg(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 120])
    });
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&img)
        .unwrap();
    let mut out = plain[..2].to_vec();
    out.extend(segment(
        0xE1,
        &[
            b"Exif\0\0".as_slice(),
            &exif("GPS 29.97N 113.93E", orientation),
        ]
        .concat(),
    ));
    out.extend(segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>29,58N</exif:GPSLatitude></x:xmpmeta>",
    ));
    out.extend(segment(0xFE, b"taken near the reporter's home"));
    out.extend_from_slice(&plain[2..]);
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 7]));
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

fn encoded(img: DynamicImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), format)
        .unwrap();
    out
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The path of a URL under the test server (`https://news.example.cn/api/…` → `/api/…`).
fn path(url: &str) -> &str {
    url.strip_prefix("https://news.example.cn").unwrap()
}

fn upload(
    app: &TestApp,
    token: &str,
    query: &str,
    body: Vec<u8>,
    content_type: &str,
) -> crate::helpers::Resp {
    app.req("POST", &format!("/api/v1/media{query}"))
        .token(token)
        .bytes(body, content_type)
        .send()
}

#[test]
fn an_upload_loses_its_metadata_keeps_its_pixels_and_gets_its_variants() {
    let app = TestApp::spawn();
    let (_, token) = app.staff(newsdesk::editors::Role::Contributor);
    let photo = phone_jpeg(1600, 1200, 1);
    // The Content-Type is not believed: the bytes are decoded.
    let r = upload(
        &app,
        &token,
        "?caption=%E5%98%89%E9%B1%BC%E5%8E%BF%E5%B9%B2%E9%83%A8&credit=%E5%88%98%E5%BB%BA%E5%B9%B3",
        photo.clone(),
        "application/octet-stream",
    )
    .expect(201);
    let m: wire::Media = r.typed();
    assert_eq!(r.header("location"), Some(m.url.as_str()));
    assert_eq!(
        (m.mime.as_str(), m.width, m.height),
        ("image/jpeg", 1600, 1200)
    );
    assert_eq!(
        (m.caption.as_deref(), m.credit.as_deref()),
        (Some("嘉鱼县干部"), Some("刘建平"))
    );
    let widths: Vec<(u32, u32)> = m.variants.iter().map(|v| (v.width, v.height)).collect();
    assert_eq!(widths, [(320, 240), (640, 480), (1280, 960)]);

    let original = app.get(path(&m.url)).expect(200);
    assert_eq!(original.header("content-type"), Some("image/jpeg"));
    assert_eq!(
        original.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let stored = &original.bytes;
    assert_eq!(hex(stored), m.sha256);
    assert_eq!(stored.len() as i64, m.bytes);
    for secret in [&b"GPS"[..], b"Exif", b"xmpmeta", b"reporter's home"] {
        assert!(
            contains(&photo, secret) && !contains(stored, secret),
            "{secret:?} survived"
        );
    }
    // Stripped, not re-encoded: the same pixels.
    let before = image::load_from_memory(&photo).unwrap().into_rgb8();
    let after = image::load_from_memory(stored).unwrap().into_rgb8();
    assert_eq!(before.as_raw(), after.as_raw());

    let etag = original.header("etag").unwrap().to_owned();
    let again = app
        .req("GET", path(&m.url))
        .header("If-None-Match", &etag)
        .send()
        .expect(304);
    assert!(again.bytes.is_empty());
    let head = app.req("HEAD", path(&m.url)).send().expect(200);
    assert!(head.bytes.is_empty());
    assert_eq!(head.header("etag"), Some(etag.as_str()));
    assert_eq!(head.header("content-type"), Some("image/jpeg"));

    for v in &m.variants {
        let r = app.get(path(&v.url)).expect(200);
        assert_eq!(r.header("content-type"), Some(v.mime.as_str()));
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        let d = image::load_from_memory(&r.bytes).unwrap();
        assert_eq!((d.width(), d.height()), (v.width, v.height));
        assert!(!contains(&r.bytes, b"GPS"));
    }
    app.get(&format!("/api/v1/media/{}/variants/2560", m.id))
        .problem(404, "not_found");

    // The same bytes again: the same image, 200, nothing new stored.
    let twice: wire::Media = upload(&app, &token, "", photo, "image/jpeg")
        .expect(200)
        .typed();
    assert_eq!(twice.id, m.id);
    // Its stripped form uploaded: the same image too.
    let stripped: wire::Media = upload(&app, &token, "", stored.clone(), "image/jpeg")
        .expect(200)
        .typed();
    assert_eq!(stripped.id, m.id);
    assert_eq!(app.rows("media"), 1);
}

#[test]
fn the_type_is_decided_by_decoding() {
    let app = TestApp::spawn();
    let (_, token) = app.staff(newsdesk::editors::Role::Editor);
    let p: wire::Media = upload(&app, &token, "", png(500, 300), "image/jpeg")
        .expect(201)
        .typed();
    assert_eq!(p.mime, "image/png");
    assert_eq!(p.variants.len(), 1);
    let gradient = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 200, |x, y| {
        image::Rgb([x as u8, y as u8, 50])
    }));
    let w: wire::Media = upload(
        &app,
        &token,
        "",
        encoded(gradient.clone(), image::ImageFormat::WebP),
        "image/webp",
    )
    .expect(201)
    .typed();
    assert_eq!(
        (w.mime.as_str(), w.width, w.height),
        ("image/webp", 400, 200)
    );
    let g: wire::Media = upload(
        &app,
        &token,
        "",
        encoded(gradient, image::ImageFormat::Gif),
        "image/gif",
    )
    .expect(201)
    .typed();
    assert_eq!(g.mime, "image/gif");
    let gif = app.get(path(&g.url)).expect(200);
    assert_eq!(gif.header("content-type"), Some("image/gif"));
    assert_eq!(image::load_from_memory(&gif.bytes).unwrap().width(), 400);

    let mut truncated = phone_jpeg(300, 200, 1);
    truncated.truncate(200);
    for (body, claimed) in [
        (b"hello, this is text".to_vec(), "image/jpeg"),
        (b"%PDF-1.7\n1 0 obj".to_vec(), "image/png"),
        (
            br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#.to_vec(),
            "image/svg+xml",
        ),
        (b"GIF89a".to_vec(), "image/gif"),
        (truncated, "image/jpeg"),
        (vec![], "image/jpeg"),
    ] {
        let v = upload(&app, &token, "", body, claimed).problem(415, "unsupported_media_type");
        assert!(v["detail"].as_str().unwrap().contains("image"), "{v}");
    }
    assert_eq!(app.rows("media"), 3);
}

#[test]
fn bombs_and_oversized_bodies_are_refused_and_leave_nothing() {
    let app = TestApp::spawn_with(|c| c.media.max_bytes = 64 * 1024);
    let token = app.admin();
    // A PNG whose header claims 10 000 × 10 000 pixels (and holds almost none).
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&10_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&10_000u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&bomb[12..29]);
    bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
    let v = upload(&app, &token, "", bomb, "image/png").problem(422, "image_too_large");
    assert!(
        v["detail"].as_str().unwrap().contains("100000000 pixels"),
        "{v}"
    );
    let big = vec![0u8; 64 * 1024 + 1];
    let v = upload(&app, &token, "", big, "image/jpeg").problem(413, "payload_too_large");
    assert!(v["detail"].as_str().unwrap().contains("64 KiB"), "{v}");
    let v = upload(
        &app,
        &token,
        &format!("?caption={}", "长".repeat(501)),
        png(10, 10),
        "image/png",
    )
    .problem(422, "validation_failed");
    assert_eq!(v["errors"][0]["field"], "caption");
    upload(&app, &token, "?size=3", png(10, 10), "image/png").problem(400, "unknown_field");
    app.req("POST", "/api/v1/media")
        .bytes(png(10, 10), "image/png")
        .send()
        .problem(401, "unauthorized");
    assert_eq!(app.rows("media"), 0);
    let files = std::fs::read_dir(app.media_dir.as_ref().unwrap())
        .unwrap()
        .count();
    assert_eq!(files, 0, "nothing stored");
}

#[test]
fn the_orientation_is_applied() {
    let app = TestApp::spawn();
    let token = app.admin();
    // Orientation 6: the camera was turned; the picture is shown rotated 90° clockwise.
    let photo = phone_jpeg(800, 400, 6);
    let m: wire::Media = upload(&app, &token, "", photo.clone(), "image/jpeg")
        .expect(201)
        .typed();
    assert_eq!((m.width, m.height), (400, 800));
    let stored = app.get(path(&m.url)).expect(200).bytes;
    assert!(!contains(&stored, b"GPS") && !contains(&stored, b"Exif"));
    let d = image::load_from_memory(&stored).unwrap().into_rgb8();
    assert_eq!(d.dimensions(), (400, 800));
    // The gradient's dark corner (the source's top left) is now at the top right.
    let top_right = d.get_pixel(399, 0).0;
    let top_left = d.get_pixel(0, 0).0;
    assert!(top_right[0] < 40 && top_right[1] < 40, "{top_right:?}");
    assert!(top_left[1] > 200, "{top_left:?}");
    let widths: Vec<u32> = m.variants.iter().map(|v| v.width).collect();
    assert_eq!(widths, [320]);
    assert_eq!(m.variants[0].height, 640);
}

#[test]
fn the_library_is_listed_changed_and_deleted_by_its_rules() {
    let n = Newsroom::new();
    let app = &n.app;
    let (_, contributor) = app.staff(newsdesk::editors::Role::Contributor);
    let (_, other) = app.staff(newsdesk::editors::Role::Contributor);
    let ids: Vec<String> = (0..3)
        .map(|i| {
            let m: Value = upload(app, &contributor, "", png(50 + i, 40), "image/png")
                .expect(201)
                .json();
            m["id"].as_str().unwrap().to_owned()
        })
        .collect();
    app.get("/api/v1/media").problem(401, "unauthorized");
    let page = app
        .req("GET", "/api/v1/media?limit=2")
        .token(&other)
        .send()
        .expect(200);
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    let page = page.json();
    let listed: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [ids[2].as_str(), ids[1].as_str()], "newest first");
    let cursor = page["page"]["next_cursor"].as_str().unwrap();
    let rest = app
        .req("GET", &format!("/api/v1/media?limit=2&cursor={cursor}"))
        .token(&other)
        .send()
        .expect(200)
        .json();
    assert_eq!(rest["data"][0]["id"], ids[0].as_str());
    assert!(rest["page"]["next_cursor"].is_null());

    let patch = json!({"caption": "村民在纺布", "credit": "刘建平", "alt": "纺布"});
    app.req("PATCH", &format!("/api/v1/media/{}", ids[0]))
        .token(&other)
        .json(&patch)
        .send()
        .problem(403, "forbidden");
    let changed: wire::Media = app
        .req("PATCH", &format!("/api/v1/media/{}", ids[0]))
        .token(&contributor)
        .json(&patch)
        .send()
        .expect(200)
        .typed();
    assert_eq!(
        (
            changed.caption.as_deref(),
            changed.credit.as_deref(),
            changed.alt.as_deref()
        ),
        (Some("村民在纺布"), Some("刘建平"), Some("纺布"))
    );
    app.req("PATCH", &format!("/api/v1/media/{}", ids[0]))
        .token(&n.admin)
        .json(&json!({"alt": "\u{1}"}))
        .send()
        .problem(422, "validation_failed");

    // In use as a cover, or in a body: 409, and it stays.
    let mut with_cover = n.article("有封面的稿件");
    with_cover["cover_image"] = json!({"media_id": ids[0]});
    let covered = app.draft(&n.admin, &with_cover);
    let mut with_image = n.article("正文有图的稿件");
    with_image["body_html"] = json!(format!("<p>文字</p><figure><img src=\"https://news.example.cn/api/v1/media/{}/variants/320\" alt=\"\"></figure>", ids[1]));
    let illustrated = app.draft(&n.admin, &with_image);
    for id in &ids[..2] {
        app.req("DELETE", &format!("/api/v1/media/{id}"))
            .token(&n.admin)
            .send()
            .problem(409, "media_in_use");
    }
    app.req("DELETE", &format!("/api/v1/media/{}", ids[2]))
        .token(&other)
        .send()
        .problem(403, "forbidden");
    let dir = app.media_dir.clone().unwrap();
    assert!(dir.join(&ids[2]).exists());
    app.req("DELETE", &format!("/api/v1/media/{}", ids[2]))
        .token(&contributor)
        .send()
        .expect(204);
    assert!(!dir.join(&ids[2]).exists(), "its files are gone");
    app.get(&format!("/api/v1/media/{}", ids[2]))
        .problem(404, "not_found");

    // Once the articles let go of them, they can go.
    for (a, field) in [(&covered, "cover_image"), (&illustrated, "body_html")] {
        let body = if field == "cover_image" {
            json!({"cover_image": null, "version": a["version"]})
        } else {
            json!({"body_html": "<p>没有图了</p>", "version": a["version"]})
        };
        app.req(
            "PATCH",
            &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&body)
        .send()
        .expect(200);
    }
    for id in &ids[..2] {
        app.req("DELETE", &format!("/api/v1/media/{id}"))
            .token(&n.admin)
            .send()
            .expect(204);
    }
    assert_eq!(app.rows("media"), 0);
}

#[test]
fn a_cover_must_name_one_image_that_exists() {
    let n = Newsroom::new();
    let create = |cover: Value, body: Option<String>| {
        let mut a = n.article("封面不存在");
        a["cover_image"] = cover;
        if let Some(b) = body {
            a["body_html"] = json!(b);
        }
        n.app
            .req("POST", "/api/v1/articles")
            .token(&n.admin)
            .json(&a)
            .send()
    };
    let missing = uuid::Uuid::now_v7();
    let v = create(json!({"media_id": missing}), None).problem(422, "validation_failed");
    assert_eq!(v["errors"][0]["field"], "cover_image.media_id", "{v}");
    let both = json!({"media_id": missing, "url": "https://img.example.cn/a.jpg"});
    let v = create(both, None).problem(400, "malformed_request");
    assert_eq!(v["errors"][0]["field"], "cover_image", "{v}");
    create(json!({"caption": "只有说明"}), None).problem(400, "malformed_request");
    let body = format!("<p>图</p><img src=\"/api/v1/media/{missing}\">");
    let v = create(Value::Null, Some(body)).problem(422, "validation_failed");
    assert_eq!(v["errors"][0]["field"], "body_html", "{v}");
    assert_eq!(n.app.rows("articles"), 0);
}

#[test]
fn a_library_cover_shows_in_the_view_and_in_every_feed() {
    let n = Newsroom::new();
    let app = &n.app;
    let m: wire::Media = upload(
        app,
        &n.admin,
        "?caption=%E7%BA%BA%E5%B8%83&credit=%E5%88%98%E5%BB%BA%E5%B9%B3&alt=%E6%9D%91%E6%B0%91",
        phone_jpeg(1400, 700, 1),
        "image/jpeg",
    )
    .expect(201)
    .typed();
    let mut body = n.article("嘉鱼县：年轻干部一线练兵");
    body["cover_image"] = json!({"media_id": m.id});
    let a = app.published(&n.admin, &body);
    let slug = a["slug"].as_str().unwrap();
    let view: wire::Article = app
        .get(&format!("/api/v1/articles/{slug}"))
        .expect(200)
        .typed();
    let cover = view.cover_image.as_ref().unwrap();
    assert_eq!(cover.media_id, Some(m.id));
    assert_eq!(cover.url, m.url);
    assert_eq!((cover.width, cover.height), (Some(1400), Some(700)));
    assert_eq!(
        (
            cover.caption.as_deref(),
            cover.credit.as_deref(),
            cover.alt.as_deref()
        ),
        (Some("纺布"), Some("刘建平"), Some("村民"))
    );
    assert_eq!(cover.variants, m.variants);
    let list = app.get("/api/v1/articles").expect(200).json();
    assert_eq!(list["data"][0]["cover_image"]["media_id"], m.id.to_string());

    let rss = app.get("/api/v1/feed.rss").expect(200).body;
    let doc = roxmltree::Document::parse(&rss).unwrap();
    let enclosure = doc
        .descendants()
        .find(|e| e.has_tag_name("enclosure"))
        .unwrap();
    assert_eq!(enclosure.attribute("url"), Some(m.url.as_str()));
    assert_eq!(enclosure.attribute("type"), Some("image/jpeg"));
    assert_eq!(
        enclosure.attribute("length"),
        Some(m.bytes.to_string().as_str())
    );
    let content = doc
        .descendants()
        .find(|e| e.has_tag_name(("http://search.yahoo.com/mrss/", "content")))
        .expect("media:content");
    assert_eq!(content.attribute("url"), Some(m.url.as_str()));
    assert_eq!(content.attribute("width"), Some("1400"));
    let credit = content
        .children()
        .find(|e| e.has_tag_name(("http://search.yahoo.com/mrss/", "credit")))
        .unwrap();
    assert_eq!(credit.text(), Some("刘建平"));

    let atom = app.get("/api/v1/feed.atom").expect(200).body;
    let doc = roxmltree::Document::parse(&atom).unwrap();
    let link = doc
        .descendants()
        .find(|e| e.has_tag_name("link") && e.attribute("rel") == Some("enclosure"))
        .expect("an enclosure link");
    assert_eq!(link.attribute("href"), Some(m.url.as_str()));
    assert_eq!(link.attribute("type"), Some("image/jpeg"));
    assert_eq!(link.attribute("length"), Some(m.bytes.to_string().as_str()));

    let feed = app.get("/api/v1/feed.json").expect(200).json();
    assert_eq!(feed["items"][0]["image"], m.variants[2].url.as_str());

    let ninjs = app
        .get(&format!("/api/v1/articles/{slug}/ninjs"))
        .expect(200)
        .json();
    let validator = crate::feeds::ninjs_validator();
    let errors: Vec<String> = validator
        .iter_errors(&ninjs)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?}\n{ninjs}");
    let picture = &ninjs["associations"][0];
    assert_eq!(picture["type"], "picture");
    assert_eq!(picture["by"], "刘建平");
    assert_eq!(picture["renditions"][0]["href"], m.url.as_str());
    assert_eq!(
        picture["renditions"].as_array().unwrap().len(),
        1 + m.variants.len()
    );

    // The library's caption shows where the article has none: changing it shows at once.
    app.req("PATCH", &format!("/api/v1/media/{}", m.id))
        .token(&n.admin)
        .json(&json!({"caption": "村民在纺布"}))
        .send()
        .expect(200);
    let view = app
        .get(&format!("/api/v1/articles/{slug}"))
        .expect(200)
        .json();
    assert_eq!(view["cover_image"]["caption"], "村民在纺布");
    // An article's own caption wins.
    let edited = app
        .req("PATCH", &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()))
        .token(&n.admin)
        .json(&json!({"cover_image": {"media_id": m.id, "caption": "稿件自己的说明"}, "version": view["version"]}))
        .send()
        .expect(200)
        .json();
    assert_eq!(edited["cover_image"]["caption"], "稿件自己的说明");
    assert_eq!(edited["cover_image"]["credit"], "刘建平");
    let revisions = app
        .req(
            "GET",
            &format!("/api/v1/articles/{}/revisions", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .send()
        .expect(200)
        .json();
    assert_eq!(
        revisions["data"][0]["snapshot"]["cover_image"]["media_id"],
        m.id.to_string()
    );
}

/// The pixels of a gradient under noise: it compresses like a phone's photo of a busy street
/// (a 12-megapixel one is 20 MB at quality 92).
fn noisy(width: u32, height: u32) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut pixels = vec![0u8; (width * height * 3) as usize];
    for (i, p) in pixels.iter_mut().enumerate() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let x = (i / 3) as u32 % width;
        *p = ((x * 200 / width) as u8).wrapping_add((state >> 59) as u8 * 4);
    }
    pixels
}

/// `pixels` as a JPEG, its first pixels set from `seed` (so that every one is other bytes).
fn jpeg_of(pixels: &mut [u8], width: u32, height: u32, seed: u8) -> Vec<u8> {
    pixels[..48].fill(seed.wrapping_mul(23));
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 92)
        .encode(
            pixels,
            width as u16,
            height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .unwrap();
    out
}

fn peak_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM")
}

/// Ten 12-megapixel uploads at once take the memory of `NEWSDESK_MEDIA_UPLOADS` (2) of them, not
/// of ten: the others wait their turn before their bodies are read. The bound stated in the
/// README: each upload in progress holds its body, its stripped copy, its decoded pixels (3
/// bytes each for a JPEG) and its variants' buffers.
#[test]
fn ten_parallel_uploads_take_the_memory_of_two() {
    let app = TestApp::spawn_without_scheduler();
    let token = app.admin();
    let store =
        std::env::temp_dir().join(format!("newsdesk-media-{}", uuid::Uuid::new_v4().simple()));
    let spec = format!("file:{}", store.display());
    let server = crate::server::Server::on_database_with(
        app.database_url(),
        &[
            ("NEWSDESK_MEDIA_STORE", spec.as_str()),
            ("NEWSDESK_MEDIA_UPLOADS", "2"),
            ("NEWSDESK_WRITE_LIMIT", "0"),
        ],
    );
    let (w, h) = (4000u32, 3000u32);
    let mut pixels = noisy(w, h);
    let photos: Vec<Vec<u8>> = (0..11).map(|i| jpeg_of(&mut pixels, w, h, i)).collect();
    let post = |body: &[u8]| {
        ureq::post(&format!("{}/api/v1/media", server.base))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "image/jpeg")
            .timeout(Duration::from_secs(120))
            .send_bytes(body)
            .map(|r| r.status())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // One first, alone: what a single upload costs on top of the idle server.
    let idle = peak_kib(server.child.id());
    assert_eq!(post(&photos[0]), 201);
    let one = peak_kib(server.child.id()) - idle;
    let started = std::time::Instant::now();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let handles: Vec<_> = photos[1..]
            .iter()
            .map(|p| s.spawn(move || post(p)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let elapsed = started.elapsed();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let ten = peak_kib(server.child.id()) - idle;
    let body = photos[1].len() as u64;
    let per_upload = (2 * body + 4 * u64::from(w * h) + 16 * 1024 * 1024) / 1024;
    println!(
        "uploads of {} × {} JPEGs ({} KiB each): one alone +{} MiB peak, ten at once +{} MiB peak in {:.1} s; stated bound 2 × {} MiB",
        w,
        h,
        body / 1024,
        one / 1024,
        ten / 1024,
        elapsed.as_secs_f64(),
        per_upload / 1024
    );
    assert!(
        ten <= 2 * per_upload,
        "ten uploads took {ten} KiB, more than 2 × {per_upload}"
    );
    assert_eq!(app.rows("media"), 11);
    server.stop();
    let _ = std::fs::remove_dir_all(&store);
}
