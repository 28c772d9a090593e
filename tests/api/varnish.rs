//! A real Varnish (Debian's `varnish` and `varnish-modules`) in front of newsdesk, purged by
//! surrogate keys through the outbox: a title change shows through Varnish within seconds, an
//! unrelated section's page stays a cache hit. Also the fastly and cloudflare request shapes.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use newsdesk::config::{PurgeStyle, PurgeTarget};
use serde_json::json;

use crate::helpers::{Newsroom, TestApp};
use crate::receiver::Receiver;
use crate::server::free_port;

struct Varnish {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Varnish {
    /// varnishd on `port` in front of the app at `backend` (`host:port`).
    fn start(port: u16, backend_port: u16) -> Varnish {
        let dir = std::env::temp_dir().join(format!(
            "newsdesk-varnish-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        // Varnish started as root drops to its own users: they must reach the files.
        let _ = Command::new("chmod")
            .args(["755", dir.to_str().unwrap()])
            .status();
        let vcl = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/varnish/newsdesk.vcl"
        ))
        .unwrap()
        .replace("BACKEND_PORT", &backend_port.to_string());
        let vcl_path = dir.join("newsdesk.vcl");
        std::fs::write(&vcl_path, vcl).unwrap();
        let child = Command::new("varnishd")
            .arg("-F")
            .args(["-a", &format!("127.0.0.1:{port}")])
            .arg("-f")
            .arg(&vcl_path)
            .arg("-n")
            .arg(dir.join("work"))
            .args(["-s", "malloc,32m", "-T", "none"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("varnishd (apt-get install varnish varnish-modules)");
        let v = Varnish { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "varnishd did not listen");
            std::thread::sleep(Duration::from_millis(100));
        }
        v
    }

    fn get(&self, path: &str) -> (String, String) {
        let r = ureq::get(&format!("http://127.0.0.1:{}{path}", self.port))
            .call()
            .unwrap();
        let cache = r.header("x-cache").unwrap_or_default().to_owned();
        (cache, r.into_string().unwrap())
    }
}

impl Drop for Varnish {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits until the outbox has sent everything (10 s at most).
fn drained(app: &TestApp) {
    use diesel::prelude::*;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pending: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM outbox WHERE state = 'pending')",
        ))
        .get_result(&mut app.conn())
        .unwrap();
        if pending == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{pending} messages still pending"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_change_purges_exactly_its_pages_from_varnish() {
    let varnish_port = free_port();
    let app = TestApp::spawn_with(|c| {
        c.purge = Some(PurgeTarget {
            url: format!("http://127.0.0.1:{varnish_port}/"),
            style: PurgeStyle::Xkey,
            token: None,
        })
    });
    let backend_port: u16 = app.address.rsplit(':').next().unwrap().parse().unwrap();
    let varnish = Varnish::start(varnish_port, backend_port);
    let n = Newsroom::with(app);
    let a = n.app.published(&n.admin, &n.article("园区招商旧标题"));
    // Another section, through the API (the server's section tree learns of it).
    n.app.section(&n.admin, "minsheng", "民生", None);
    let mut other = n.article("民生新闻");
    other["section_id"] = n.app.get("/api/v1/sections/minsheng").json()["id"].clone();
    n.app.published(&n.admin, &other);
    // The purges of these writes are done before the pages are cached.
    drained(&n.app);
    let slug = a["slug"].as_str().unwrap();
    let article = format!("/api/v1/articles/{slug}");
    let unrelated = "/api/v1/sections/minsheng/articles";
    // Keys name what each page shows.
    let r = n.app.get(&article).expect(200);
    let keys = r.header("surrogate-key").unwrap().to_owned();
    for k in [
        format!("article-{}", a["id"].as_str().unwrap()),
        "all".into(),
    ] {
        assert!(keys.split(' ').any(|x| x == k), "{k} not in {keys}");
    }
    let r = n.app.get("/api/v1/sections/counties/articles").expect(200);
    let keys = r.header("surrogate-key").unwrap().to_owned();
    assert!(keys.contains("section-counties"), "{keys}");
    assert_eq!(r.header("cache-tag").unwrap(), keys.replace(' ', ","));
    // Through Varnish: a miss, then hits.
    for path in [article.as_str(), unrelated] {
        assert_eq!(varnish.get(path).0, "MISS", "{path}");
        assert_eq!(varnish.get(path).0, "HIT", "{path}");
    }
    // A new title: the article's page is purged and shows it within seconds…
    n.app
        .req(
            "PATCH",
            &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .json(&json!({"title": "园区招商新标题", "version": a["version"]}))
        .send()
        .expect(200);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let (_, body) = varnish.get(&article);
        if body.contains("园区招商新标题") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still the old title through Varnish"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // …while an unrelated section's page stays cached.
    assert_eq!(varnish.get(unrelated).0, "HIT");
}

#[test]
fn fastly_and_cloudflare_purges_have_their_shapes() {
    for (style, token) in [
        (PurgeStyle::Fastly, "fastly-token"),
        (PurgeStyle::Cloudflare, "cf-token"),
    ] {
        let receiver = Receiver::start(&[]);
        let url = format!("{}/purge", receiver.url);
        let n = Newsroom::with(TestApp::spawn_with(|c| {
            c.purge = Some(PurgeTarget {
                url,
                style,
                token: Some(token.into()),
            })
        }));
        let a = n.app.published(&n.admin, &n.article("清除缓存"));
        let got = receiver.wait_for(1, 10);
        let id = a["id"].as_str().unwrap();
        let last = got.last().unwrap();
        assert_eq!(last.method, "POST");
        match style {
            PurgeStyle::Fastly => {
                assert_eq!(last.header("fastly-key"), Some(token));
                let keys = last.header("surrogate-key").unwrap();
                assert!(
                    keys.split(' ').any(|k| k == format!("article-{id}")),
                    "{keys}"
                );
                assert!(keys.split(' ').any(|k| k == "section-jiayu"), "{keys}");
            }
            _ => {
                assert_eq!(
                    last.header("authorization"),
                    Some(&*format!("Bearer {token}"))
                );
                let tags = last.json()["tags"].clone();
                let tags: Vec<&str> = tags
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap())
                    .collect();
                assert!(tags.contains(&&*format!("article-{id}")), "{tags:?}");
                assert!(tags.contains(&"site"), "{tags:?}");
            }
        }
    }
}
