//! The README's first command, end to end: the real binary on a fresh data dir runs its own
//! PostgreSQL with demo content, stops it on SIGTERM, recovers a stale pid file and reuses the
//! data on the next start.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::prelude::*;

use serde_json::json;

use crate::server::{data_dir, Server};

#[test]
fn the_server_runs_its_own_postgres_with_demo_content() {
    let dir = data_dir();
    let server = Server::start(&dir);
    let a =
        server.get("/api/v1/articles/jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan");
    assert_eq!(a["title"], "嘉鱼县：年轻干部一线练兵长才干");
    assert_eq!(a["byline"].as_array().unwrap().len(), 3);
    assert_eq!(a["section"]["slug"], "jiayu");
    assert_eq!(a["tags"][0]["name"], "干部素质提升年");
    assert_eq!(a["editor"]["display_name"], "何帆");
    assert_eq!(
        a["links"]["previous"]["title"],
        "【央媒省媒看咸宁】全国九座在建大桥缆索“嘉鱼造”"
    );
    assert_eq!(
        a["links"]["next"]["title"],
        "嘉鱼渡普镇人大服务特色产业发展"
    );
    let jiayu = server.get("/api/v1/sections/jiayu");
    assert_eq!(jiayu["parent"]["name"], "县市区");
    let all = server.get("/api/v1/articles?limit=100&count=true");
    assert!(
        all["page"]["total"].as_i64().unwrap() >= 20,
        "{}",
        all["page"]
    );
    let password = server.admin_password();
    assert_eq!(server.login(&password), 200);
    // A CLI command beside the running server joins its cluster and leaves it running.
    let out = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
        .args([
            "create-editor",
            "--email",
            "desk@newsdesk.test",
            "--name",
            "何帆",
            "--role",
            "editor",
        ])
        .env_remove("DATABASE_URL")
        .env("NEWSDESK_DATA_DIR", &dir)
        .env("NEWSDESK_PASSWORD", "a-long-password")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created editor desk@newsdesk.test"));
    let login = ureq::post(&format!("{}/api/v1/auth/login", server.base))
        .set("Content-Type", "application/json")
        .send_string(
            &json!({"email": "desk@newsdesk.test", "password": "a-long-password"}).to_string(),
        )
        .expect("the new editor logs in through the running server");
    assert_eq!(login.status(), 200);
    server.stop();
    let pidfile = dir.join("pg/postmaster.pid");
    assert!(
        !pidfile.exists(),
        "PostgreSQL still running after the server stopped"
    );

    // A crash leaves a pid file naming a process that is gone: recovered on the next start.
    let mut gone = Command::new("true").spawn().unwrap();
    let dead_pid = gone.id();
    gone.wait().unwrap();
    std::fs::write(
        &pidfile,
        format!("{dead_pid}\n{}\n", dir.join("pg").display()),
    )
    .unwrap();
    let server = Server::start(&dir);
    assert_eq!(server.login(&password), 200, "the data was not reused");
    assert!(
        !server.stdout.lock().unwrap().contains("password:"),
        "seeded twice"
    );
    server.stop();

    // Backup (the cluster is started for the command and stopped after), restore into a new
    // data dir, and serve from it: the same articles and accounts.
    let file = dir.join("backup.dump");
    let cli = |data: &Path, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .args(args)
            .env_remove("DATABASE_URL")
            .env("NEWSDESK_DATA_DIR", data)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    cli(&dir, &["backup", "--out", file.to_str().unwrap()]);
    assert!(
        !dir.join("pg/postmaster.pid").exists(),
        "the backup left the cluster running"
    );
    let copy = data_dir();
    cli(&copy, &["restore", file.to_str().unwrap()]);
    let restored = Server::start(&copy);
    assert_eq!(restored.login(&password), 200);
    let a = restored
        .get("/api/v1/articles/jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan");
    assert_eq!(a["byline"].as_array().unwrap().len(), 3);
    assert!(
        !restored.stdout.lock().unwrap().contains("password:"),
        "a restored database is not seeded"
    );
    restored.stop();
    let _ = std::fs::remove_dir_all(&copy);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs `pg_ctl` on the cluster in `dir` (as `postgres` when the tests run as root).
fn pg_ctl(dir: &Path, args: &str) {
    let bindir = newsdesk::embedded_pg::find_bindir().unwrap();
    let pg = dir.join("pg");
    let line = format!(
        "'{}' -D '{}' -w -s {args} -o \"-k '{}' -c listen_addresses=\" -l '{}/postgres.log'",
        bindir.join("pg_ctl").display(),
        pg.display(),
        pg.display(),
        pg.display()
    );
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc::geteuid() } == 0;
    let status = if root {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", &line])
            .status()
    } else {
        Command::new("sh").args(["-c", &line]).status()
    }
    .unwrap();
    assert!(status.success(), "pg_ctl {args}");
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn a_database_outage_gives_503_and_the_server_recovers_without_a_restart() {
    let dir = data_dir();
    let server = Server::start_with(&dir, "warn", &[("NEWSDESK_WRITE_LIMIT", "0")]);
    let status = |path: &str| match ureq::get(&format!("{}{path}", server.base)).call() {
        Ok(r) => (r.status(), r.content_type().to_owned()),
        Err(ureq::Error::Status(code, r)) => (code, r.content_type().to_owned()),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status("/api/v1/articles").0, 200);
    // Writers keep creating tags through the outage; each remembers what was acknowledged.
    let token = server.admin_token();
    let writing = Arc::new(AtomicBool::new(true));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (base, token, writing) = (server.base.clone(), token.clone(), writing.clone());
            std::thread::spawn(move || {
                let (mut acked, mut refused, mut unknown) = (Vec::new(), 0, Vec::new());
                for n in 0.. {
                    if !writing.load(Ordering::SeqCst) {
                        break;
                    }
                    let name = format!("停电测试-{w}-{n}");
                    match ureq::post(&format!("{base}/api/v1/tags"))
                        .set("Authorization", &format!("Bearer {token}"))
                        .set("Content-Type", "application/json")
                        .send_string(&json!({ "name": name }).to_string())
                    {
                        Ok(r) if r.status() == 201 => {
                            let tag: serde_json::Value =
                                serde_json::from_str(&r.into_string().unwrap()).unwrap();
                            acked.push((name, tag["id"].as_str().unwrap().to_owned()));
                        }
                        // Refused; or lost during its commit, and said so: maybe saved.
                        Err(ureq::Error::Status(503, r)) => {
                            let body = r.into_string().unwrap_or_default();
                            if body.contains("commit_outcome_unknown") {
                                unknown.push(name);
                            } else {
                                refused += 1;
                            }
                        }
                        other => panic!("{name}: {other:?}"),
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                (acked, refused, unknown)
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    pg_ctl(&dir, "-m immediate stop");
    for path in ["/api/v1/articles", "/api/v1/sections", "/readyz"] {
        let started = Instant::now();
        let (code, media) = status(path);
        assert_eq!(
            (code, media.as_str()),
            (503, "application/problem+json"),
            "{path}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    pg_ctl(&dir, "start");
    let back = Instant::now();
    while status("/api/v1/articles").0 != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(5),
            "not recovered within 5 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let recovery = back.elapsed();
    assert_eq!(status("/readyz").0, 200);
    std::thread::sleep(Duration::from_millis(500));
    writing.store(false, Ordering::SeqCst);
    let (mut acked, mut refused, mut unknown) = (std::collections::HashMap::new(), 0, Vec::new());
    for w in writers {
        let (a, r, u) = w.join().unwrap();
        acked.extend(a);
        refused += r;
        unknown.extend(u);
    }
    let mut conn = PgConnection::establish(
        &newsdesk::embedded_pg::EmbeddedPg::new(&dir)
            .unwrap()
            .database_url(),
    )
    .unwrap();
    let stored: HashSet<String> = newsdesk::schema::tags::table
        .select(newsdesk::schema::tags::name)
        .filter(newsdesk::schema::tags::name.like("停电测试-%"))
        .load(&mut conn)
        .unwrap()
        .into_iter()
        .collect();
    println!(
        "outage: recovered {recovery:?} after PostgreSQL came back; writes acknowledged {}, \
         stored {}, refused with 503 {refused}, cut off during their commit {}",
        acked.len(),
        stored.len(),
        unknown.len()
    );
    assert!(refused > 0, "some writes met the outage");
    let lost: Vec<String> = acked
        .iter()
        .filter(|(name, _)| !stored.contains(*name))
        .map(|(name, id)| {
            let audited: i64 = diesel::sql_query(format!(
                "SELECT count(*) AS n FROM audit_log WHERE entity_id = '{id}'"
            ))
            .get_result::<Count>(&mut conn)
            .map_or(-1, |c| c.n);
            format!("{name} (id {id}, audit entries {audited})")
        })
        .collect();
    // A write whose commit was cut off may be saved: the client was told so, and only those.
    let unacknowledged: Vec<&String> = stored
        .iter()
        .filter(|s| !acked.contains_key(*s) && !unknown.contains(*s))
        .collect();
    assert!(
        lost.is_empty() && unacknowledged.is_empty(),
        "acknowledged but not stored: {lost:?}; stored but refused: {unacknowledged:?}"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_password_or_token_reaches_the_log() {
    let dir = data_dir();
    let server = Server::start_logging(&dir, "debug");
    let password = server.admin_password();
    let post = |path: &str, token: Option<&str>, body: serde_json::Value| -> serde_json::Value {
        let mut r =
            ureq::post(&format!("{}{path}", server.base)).set("Content-Type", "application/json");
        if let Some(t) = token {
            r = r.set("Authorization", &format!("Bearer {t}"));
        }
        let text = r
            .send_string(&body.to_string())
            .expect(path)
            .into_string()
            .unwrap();
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    };
    let tokens = post(
        "/api/v1/auth/login",
        None,
        json!({"email": "admin@newsdesk.local", "password": password}),
    );
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    let renewed = post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    );
    post("/api/v1/tags", Some(&access), json!({"name": "日志检查"}));
    let _ = ureq::post(&format!("{}/api/v1/auth/login", server.base))
        .set("Content-Type", "application/json")
        .send_string(
            &json!({"email": "admin@newsdesk.local", "password": "wrong-password-123"}).to_string(),
        );
    let stderr = server.stderr.clone();
    server.stop();
    let log = stderr.lock().unwrap().clone();
    assert!(log.contains("served"), "the debug log has request lines");
    let secrets = [
        password.as_str(),
        "wrong-password-123",
        access.as_str(),
        refresh.as_str(),
        renewed["access_token"].as_str().unwrap(),
        renewed["refresh_token"].as_str().unwrap(),
    ];
    for secret in secrets {
        assert!(!log.contains(secret), "a secret reached the log");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
