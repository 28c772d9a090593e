//! A real streaming replica (API.md §12): a primary the test starts, a standby made from it with
//! `pg_basebackup -R`, replay paused and resumed, the standby stopped and started again.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use newsdesk::config::ReplicaConfig;
use newsdesk::embedded_pg::EmbeddedPg;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{Newsroom, TestApp, TestDb};
use crate::server::Server;

/// The most replay lag the tests' replica may have and still answer.
const MAX_LAG: Duration = Duration::from_secs(3);

/// A primary and its standby, each in a directory of its own (removed on drop).
struct Pair {
    primary: EmbeddedPg,
    standby: EmbeddedPg,
    database: String,
    dirs: [PathBuf; 2],
}

impl Pair {
    /// A primary holding a migrated database, and a running standby of it.
    fn new() -> Pair {
        let root = std::env::temp_dir().join(format!("newsdesk-pair-{}", Uuid::new_v4().simple()));
        let dirs = [root.join("primary"), root.join("standby")];
        let mut primary = EmbeddedPg::new(&dirs[0]).expect("PostgreSQL binaries");
        primary.start().expect("start the primary");
        let database = format!("t_{}", Uuid::new_v4().simple());
        primary.ensure_database(&database).expect("create database");
        let mut conn = PgConnection::establish(&primary.url_for(&database)).unwrap();
        newsdesk::db::migrate(&mut conn).expect("migrate");
        let mut standby = primary.standby_of(&dirs[1]).expect("pg_basebackup -R");
        standby.start().expect("start the standby");
        Pair {
            primary,
            standby,
            database,
            dirs,
        }
    }

    fn primary_url(&self) -> String {
        self.primary.url_for(&self.database)
    }

    fn standby_url(&self) -> String {
        self.standby.url_for(&self.database)
    }

    /// The database as a [`TestDb`] (its drop looks for it in the shared cluster: a no-op).
    fn test_db(&self) -> TestDb {
        TestDb {
            name: self.database.clone(),
            url: self.primary_url(),
        }
    }

    /// A test app on the primary reading anonymously from the standby.
    fn newsroom(&self) -> Newsroom {
        let url = self.standby_url();
        Newsroom::with(TestApp::spawn_on_with(self.test_db(), |c| {
            c.replica = Some(ReplicaConfig {
                url,
                max_lag: MAX_LAG,
            })
        }))
    }

    fn on_standby(&self, sql: &str) {
        let mut c = PgConnection::establish(&self.standby_url()).expect("standby");
        diesel::sql_query(sql).execute(&mut c).expect(sql);
    }

    /// Waits until the standby has replayed everything the primary has written so far.
    fn caught_up(&self) {
        #[derive(QueryableByName)]
        struct Lsn {
            #[diesel(sql_type = diesel::sql_types::Text)]
            lsn: String,
        }
        let mut p = PgConnection::establish(&self.primary_url()).unwrap();
        let mut s = PgConnection::establish(&self.standby_url()).unwrap();
        let at: Lsn = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn")
            .get_result(&mut p)
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            #[derive(QueryableByName)]
            struct Done {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                done: bool,
            }
            let d: Done = diesel::sql_query(format!(
                "SELECT pg_last_wal_replay_lsn() >= '{}'::pg_lsn AS done",
                at.lsn
            ))
            .get_result(&mut s)
            .unwrap();
            if d.done {
                return;
            }
            assert!(Instant::now() < deadline, "the standby does not catch up");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = self.standby.stop();
        let _ = self.primary.stop();
        if let Some(root) = self.dirs[0].parent() {
            let _ = std::fs::remove_dir_all(root);
        }
    }
}

/// `/readyz`'s view of the replica.
fn replica_health(n: &Newsroom) -> Value {
    n.app.get("/readyz").expect(200).json()["replica"].clone()
}

fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) -> Duration {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        std::thread::sleep(Duration::from_millis(25));
    }
    started.elapsed()
}

/// The titles of a list page nobody has asked for before (a key of its own: no cache entry).
fn fresh_titles(n: &Newsroom, token: Option<&str>) -> Vec<String> {
    let path = format!(
        "/api/v1/articles?published_before={}",
        (chrono::Utc::now()
            + chrono::Duration::days(1)
            + chrono::Duration::microseconds(rand_us()))
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
    );
    let mut req = n.app.req("GET", &path);
    if let Some(t) = token {
        req = req.token(t);
    }
    req.send().expect(200).json()["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_owned())
        .collect()
}

/// The replica's lines of `/metrics` (why reads went to the primary), for failure messages.
fn fallbacks(n: &Newsroom) -> String {
    let m = n.app.get("/metrics").expect(200);
    m.body
        .lines()
        .filter(|l| l.starts_with("replica_") || l.starts_with("db_reads"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Lets the cache listener hear the notifications of the writes so far: it records the
/// primary's position when it does, and a write made straight into the primary after that
/// would count as known (the reads would rightly go to the primary).
fn listener_quiet() {
    std::thread::sleep(newsdesk::cache::listener::POLL * 5);
}

fn rand_us() -> i64 {
    i64::from(Uuid::new_v4().as_fields().1)
}

#[test]
fn anonymous_reads_use_the_replica_only_while_it_is_fresh_and_never_behind_a_known_write() {
    let pair = Pair::new();
    let n = pair.newsroom();
    wait_until("the replica in use", Duration::from_secs(20), || {
        replica_health(&n)["in_use"] == true
    });
    let a = n.app.published(&n.admin, &n.article("副本上的稿件"));
    let id = a["id"].as_str().unwrap().to_owned();
    let page = format!("/api/v1/articles/{}", a["slug"].as_str().unwrap());
    // An editor's own write is read back at once, by them and by everyone.
    assert_eq!(n.app.get(&page).expect(200).json()["title"], "副本上的稿件");
    assert_eq!(fresh_titles(&n, None), ["副本上的稿件"]);

    // 1. Fresh enough: the replica answers. A write nobody announced (straight into the
    // primary) is not on the paused replica, and anonymous readers do not see it yet …
    listener_quiet();
    pair.caught_up();
    pair.on_standby("SELECT pg_wal_replay_pause()");
    let mut primary = PgConnection::establish(&pair.primary_url()).unwrap();
    diesel::sql_query(format!(
        "UPDATE articles SET title = '主库直改' WHERE id = '{id}'"
    ))
    .execute(&mut primary)
    .unwrap();
    assert_eq!(
        fresh_titles(&n, None),
        ["副本上的稿件"],
        "served by the replica\n{}",
        fallbacks(&n)
    );
    // … staff read the primary …
    assert_eq!(fresh_titles(&n, Some(&n.admin)), ["主库直改"]);
    // … and once the lag passes NEWSDESK_REPLICA_MAX_LAG, everyone does.
    let after = wait_until("the primary answering", MAX_LAG * 3, || {
        fresh_titles(&n, None) == ["主库直改"]
    });
    assert!(
        after + Duration::from_millis(600) >= MAX_LAG,
        "{after:?}\n{}",
        fallbacks(&n)
    );
    assert_eq!(replica_health(&n)["in_use"], false);
    pair.on_standby("SELECT pg_wal_replay_resume()");
    wait_until("the replica in use again", Duration::from_secs(20), || {
        replica_health(&n)["in_use"] == true
    });

    // 2. Never behind a known write: with replay paused (and the lag still short), a write of
    // this process and one another process announces are read back at once, and nothing
    // rendered from the replica's older rows stays in the cache.
    let other = Server::on_database(&pair.primary_url());
    pair.caught_up();
    pair.on_standby("SELECT pg_wal_replay_pause()");
    let patch = |base: &str, title: &str| {
        let current = n
            .app
            .req("GET", &format!("/api/v1/articles/{id}"))
            .token(&n.admin)
            .send();
        let etag = current.header("etag").unwrap().to_owned();
        let r = ureq::request("PATCH", &format!("{base}/api/v1/articles/{id}"))
            .set("Authorization", &format!("Bearer {}", n.admin))
            .set("Content-Type", "application/json")
            .set("If-Match", &etag)
            .send_string(&json!({"title": title}).to_string())
            .expect("PATCH");
        assert_eq!(r.status(), 200);
    };
    let paused = Instant::now();
    patch(&n.app.address, "本进程改过");
    assert_eq!(n.app.get(&page).json()["title"], "本进程改过");
    assert_eq!(fresh_titles(&n, None), ["本进程改过"]);
    patch(&other.base, "别的进程改过");
    wait_until("the other process's write", Duration::from_secs(1), || {
        n.app.get(&page).json()["title"] == "别的进程改过"
    });
    assert_eq!(fresh_titles(&n, None), ["别的进程改过"]);
    assert!(
        paused.elapsed() < MAX_LAG,
        "the lag rule, not the known writes, may have sent these reads to the primary"
    );
    pair.on_standby("SELECT pg_wal_replay_resume()");
    pair.caught_up();
    // What the cache kept meanwhile is the newest.
    assert_eq!(n.app.get(&page).json()["title"], "别的进程改过");
    other.stop();
}

#[test]
fn a_replica_that_is_down_costs_no_error_and_is_used_again_when_back() {
    let mut pair = Pair::new();
    let n = pair.newsroom();
    let a = n.app.published(&n.admin, &n.article("副本停机"));
    wait_until("the replica in use", Duration::from_secs(20), || {
        replica_health(&n)["in_use"] == true
    });
    pair.caught_up();
    assert_eq!(fresh_titles(&n, None), ["副本停机"]);
    pair.standby.stop().expect("stop the standby");
    // Every anonymous read answers, from the primary, without waiting on the replica.
    let mut slowest = Duration::ZERO;
    for _ in 0..40 {
        let t = Instant::now();
        assert_eq!(fresh_titles(&n, None), ["副本停机"]);
        let page = format!("/api/v1/articles/{}", a["slug"].as_str().unwrap());
        n.app.get(&page).expect(200);
        slowest = slowest.max(t.elapsed());
    }
    assert!(
        slowest < Duration::from_secs(1),
        "a read waited {slowest:?}"
    );
    // The watch sees it is gone (its lag cannot be measured).
    wait_until("the replica marked down", Duration::from_secs(3), || {
        replica_health(&n) == json!({"in_use": false, "lag_ms": null})
    });
    // Back: the watch finds it again and anonymous reads return to it.
    pair.standby.start().expect("start the standby");
    wait_until("the replica back in use", Duration::from_secs(20), || {
        replica_health(&n)["in_use"] == true
    });
    // Proof that it answers: a write it has not replayed is not seen.
    listener_quiet();
    pair.caught_up();
    pair.on_standby("SELECT pg_wal_replay_pause()");
    let mut primary = PgConnection::establish(&pair.primary_url()).unwrap();
    diesel::sql_query("UPDATE articles SET title = '主库直改'")
        .execute(&mut primary)
        .unwrap();
    assert_eq!(
        fresh_titles(&n, None),
        ["副本停机"],
        "served by the replica\n{}",
        fallbacks(&n)
    );
    assert_eq!(fresh_titles(&n, Some(&n.admin)), ["主库直改"]);
    pair.on_standby("SELECT pg_wal_replay_resume()");
}
