//! The README's first command, end to end: the real binary on a fresh data dir runs its own
//! PostgreSQL with demo content, stops it on SIGTERM, recovers a stale pid file and reuses the
//! data on the next start.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    base: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Self::start_logging(dir, "warn")
    }

    /// Starts the server with `RUST_LOG=filter`; its log (stderr) is kept in `stderr`.
    fn start_logging(dir: &Path, filter: &str) -> Server {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env_remove("NEWSDESK_JWT_SECRET")
            .env("NEWSDESK_DATA_DIR", dir)
            .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start newsdesk");
        let collect = |mut pipe: Box<dyn Read + Send>| {
            let text = Arc::new(Mutex::new(String::new()));
            let sink = text.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = pipe.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    sink.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
            text
        };
        let stdout = collect(Box::new(child.stdout.take().unwrap()));
        let stderr = collect(Box::new(child.stderr.take().unwrap()));
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
            stdout,
            stderr,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Ok(r) = ureq::get(&format!("{}/readyz", server.base)).call() {
                if r.status() == 200 {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "the server did not become ready");
            std::thread::sleep(Duration::from_millis(200));
        }
        server
    }

    fn get(&self, path: &str) -> serde_json::Value {
        let body = ureq::get(&format!("{}{path}", self.base))
            .call()
            .expect(path)
            .into_string()
            .unwrap();
        serde_json::from_str(&body).unwrap()
    }

    fn login(&self, password: &str) -> u16 {
        match ureq::post(&format!("{}/api/v1/auth/login", self.base))
            .set("Content-Type", "application/json")
            .send_string(
                &json!({"email": "admin@newsdesk.local", "password": password}).to_string(),
            ) {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        }
    }

    /// SIGTERM, then wait (up to 40 s) for the exit status.
    fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        if let Ok(Some(status)) = self.child.try_wait() {
            return Some(status);
        }
        let pid = i32::try_from(self.child.id()).expect("pid");
        // SAFETY: kill(2) on our own child's pid.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(40);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }

    /// SIGTERM, then a clean exit.
    fn stop(mut self) {
        let status = self
            .terminate()
            .expect("the server did not stop within 40 s");
        assert!(status.success(), "exit status {status}");
    }
}

impl Drop for Server {
    /// A failed assertion must not leave the server (and its PostgreSQL) running.
    fn drop(&mut self) {
        if self.terminate().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn the_server_runs_its_own_postgres_with_demo_content() {
    let dir = std::env::temp_dir().join(format!("newsdesk-bin-{}", uuid::Uuid::new_v4().simple()));
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
    let out = server.stdout.lock().unwrap().clone();
    let password = out
        .split("password: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no demo password printed: {out}"))
        .to_owned();
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
    let copy = std::env::temp_dir().join(format!("newsdesk-bin-{}", uuid::Uuid::new_v4().simple()));
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

#[test]
fn a_database_outage_gives_503_and_the_server_recovers_without_a_restart() {
    let dir = std::env::temp_dir().join(format!("newsdesk-bin-{}", uuid::Uuid::new_v4().simple()));
    let server = Server::start(&dir);
    let status = |path: &str| match ureq::get(&format!("{}{path}", server.base)).call() {
        Ok(r) => (r.status(), r.content_type().to_owned()),
        Err(ureq::Error::Status(code, r)) => (code, r.content_type().to_owned()),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(status("/api/v1/articles").0, 200);
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
    assert_eq!(status("/readyz").0, 200);
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_password_or_token_reaches_the_log() {
    let dir = std::env::temp_dir().join(format!("newsdesk-bin-{}", uuid::Uuid::new_v4().simple()));
    let server = Server::start_logging(&dir, "debug");
    let out = server.stdout.lock().unwrap().clone();
    let password = out
        .split("password: ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_owned();
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
