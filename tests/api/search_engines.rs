//! IndexNow and Baidu link submission: the website pages of articles published, updated and
//! unpublished are pushed through the outbox (those due together in one request).

use newsdesk::config::IndexNow;
use newsdesk::site::{ArticleUrl, Site};

use crate::helpers::{Newsroom, TestApp};
use crate::receiver::Receiver;

#[test]
fn published_pages_are_pushed_to_indexnow_and_baidu() {
    let (indexnow, baidu) = (Receiver::start(&[]), Receiver::start(&[]));
    let (indexnow_url, baidu_url) = (
        format!("{}/indexnow", indexnow.url),
        format!("{}/urls?site=www.xnnews.com.cn&token=t", baidu.url),
    );
    let app = TestApp::spawn_with(|c| {
        let mut site = Site::new(&c.public_url);
        site.article_url =
            ArticleUrl::parse("https://www.xnnews.com.cn/{section}/{slug}.html").unwrap();
        c.site = std::sync::Arc::new(site);
        c.indexnow = Some(IndexNow {
            key: "0123456789abcdef".into(),
            url: indexnow_url,
        });
        c.baidu_push_url = Some(baidu_url);
    });
    let n = Newsroom::with(app);
    let mut pages = Vec::new();
    for title in ["嘉鱼县招商", "咸安区开工", "赤壁市文旅"] {
        let a = n.app.published(&n.admin, &n.article(title));
        pages.push(format!(
            "https://www.xnnews.com.cn/jiayu/{}.html",
            a["slug"].as_str().unwrap()
        ));
    }
    // A draft is not pushed.
    n.app.draft(&n.admin, &n.article("草稿"));
    let pushed = |r: &Receiver, n: usize| -> Vec<String> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let urls: Vec<String> = r
                .received()
                .iter()
                .flat_map(|req| {
                    if req.path.starts_with("/indexnow") {
                        let v = req.json();
                        assert_eq!(v["host"], "www.xnnews.com.cn");
                        assert_eq!(v["key"], "0123456789abcdef");
                        v["urlList"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|u| u.as_str().unwrap().to_owned())
                            .collect::<Vec<_>>()
                    } else {
                        assert_eq!(req.path, "/urls?site=www.xnnews.com.cn&token=t");
                        assert_eq!(req.header("content-type"), Some("text/plain"));
                        String::from_utf8(req.body.clone())
                            .unwrap()
                            .lines()
                            .map(str::to_owned)
                            .collect()
                    }
                })
                .collect();
            if urls.len() >= n || std::time::Instant::now() > deadline {
                return urls;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    };
    let mut by_indexnow = pushed(&indexnow, 3);
    let mut by_baidu = pushed(&baidu, 3);
    by_indexnow.sort();
    by_baidu.sort();
    pages.sort();
    assert_eq!(by_indexnow, pages);
    assert_eq!(by_baidu, pages);
    assert!(indexnow.received().iter().all(|r| r.method == "POST"));
    // Archiving a page is pushed too (the engine learns it is gone).
    let first = n.app.get(&format!(
        "/api/v1/articles/{}",
        pages[0]
            .rsplit('/')
            .next()
            .unwrap()
            .trim_end_matches(".html")
    ));
    let id = first.json()["id"].as_str().unwrap().to_owned();
    n.app.move_to(&n.admin, &id, "archived");
    assert_eq!(pushed(&indexnow, 4).len(), 4);
}
