//! `newsdesk backup` / `restore`: a round trip that compares every table.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use serde_json::json;

use crate::helpers::{Newsroom, TestDb};

#[derive(QueryableByName, Debug, PartialEq)]
struct Digest {
    #[diesel(sql_type = BigInt)]
    rows: i64,
    #[diesel(sql_type = Text)]
    md5: String,
}

const TABLES: [&str; 13] = [
    "editors",
    "refresh_tokens",
    "sections",
    "tags",
    "correspondents",
    "articles",
    "article_bylines",
    "article_tags",
    "article_slug_redirects",
    "article_revisions",
    "audit_log",
    "idempotency_keys",
    "__diesel_schema_migrations",
];

fn digests(url: &str) -> Vec<(String, Digest)> {
    let mut conn = PgConnection::establish(url).unwrap();
    TABLES
        .iter()
        .map(|t| {
            let d: Digest = diesel::sql_query(format!(
                "SELECT count(*) AS rows, coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') AS md5 FROM {t} x"
            ))
            .get_result(&mut conn)
            .unwrap();
            ((*t).to_owned(), d)
        })
        .collect()
}

#[test]
fn a_backup_restores_every_table_exactly() {
    let n = Newsroom::new();
    let a = n.app.published(&n.admin, &n.article("备份前的稿件"));
    n.app
        .req(
            "PATCH",
            &format!("/api/v1/articles/{}", a["id"].as_str().unwrap()),
        )
        .token(&n.admin)
        .header("Idempotency-Key", "k")
        .json(&json!({"slug": "bei-fen", "version": a["version"]}))
        .send()
        .expect(200);
    n.app.draft(&n.admin, &n.article("草稿"));
    let file =
        std::env::temp_dir().join(format!("newsdesk-{}.dump", uuid::Uuid::new_v4().simple()));
    newsdesk::backup::dump(n.app.database_url(), &file).expect("pg_dump");
    let target = TestDb::empty();
    newsdesk::backup::restore(&target.url, &file).expect("pg_restore");
    let (before, after) = (digests(n.app.database_url()), digests(&target.url));
    assert!(
        before
            .iter()
            .find(|(t, _)| t == "article_revisions")
            .unwrap()
            .1
            .rows
            >= 4
    );
    assert_eq!(before, after);
    // A database that already holds newsdesk is never overwritten.
    let again = newsdesk::backup::restore(&target.url, &file);
    assert!(
        matches!(again, Err(newsdesk::backup::BackupError::NotEmpty)),
        "{again:?}"
    );
    let _ = std::fs::remove_file(&file);
}

/// The photos of a `file:` store go beside the dump (`FILE.media/`), and only what is new is
/// copied again.
#[test]
fn a_backup_copies_the_photos_of_a_file_store() {
    let n = Newsroom::new();
    let photo = crate::media::phone_jpeg(900, 600, 1);
    let m = n
        .app
        .req("POST", "/api/v1/media")
        .token(&n.admin)
        .bytes(photo, "image/jpeg")
        .send()
        .expect(201)
        .json();
    let id = m["id"].as_str().unwrap();
    let file =
        std::env::temp_dir().join(format!("newsdesk-{}.dump", uuid::Uuid::new_v4().simple()));
    let copy = newsdesk::backup::media_dir(&file);
    assert!(copy.to_string_lossy().ends_with(".dump.media"));
    let store = n.app.media_dir.clone().unwrap();
    assert_eq!(newsdesk::backup::copy_media(&store, &copy).unwrap(), 3);
    for name in ["original.jpg", "320.jpg", "640.jpg"] {
        assert_eq!(
            std::fs::read(copy.join(id).join(name)).unwrap(),
            std::fs::read(store.join(id).join(name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(newsdesk::backup::copy_media(&store, &copy).unwrap(), 0);
    let _ = std::fs::remove_dir_all(&copy);
}
