//! The real `newsdesk serve` binary on a data dir of its own, for the tests that need a process:
//! its own PostgreSQL, signals, memory, a load spanning a shutdown.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;

/// A fresh data dir under the system's temporary directory.
pub fn data_dir() -> PathBuf {
    std::env::temp_dir().join(format!("newsdesk-bin-{}", uuid::Uuid::new_v4().simple()))
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub base: String,
    pub stdout: Arc<Mutex<String>>,
    pub stderr: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(dir: &Path) -> Server {
        Self::start_logging(dir, "warn")
    }

    /// Starts the server with `RUST_LOG=filter`; its log (stderr) is kept in `stderr`.
    pub fn start_logging(dir: &Path, filter: &str) -> Server {
        Self::start_with(dir, filter, &[])
    }

    /// Starts the server with `RUST_LOG=filter` and the extra environment `vars`.
    pub fn start_with(dir: &Path, filter: &str, vars: &[(&str, &str)]) -> Server {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_newsdesk"))
            .arg("serve")
            .env_remove("DATABASE_URL")
            .env_remove("NEWSDESK_JWT_SECRET")
            .env("NEWSDESK_DATA_DIR", dir)
            .env("NEWSDESK_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", filter)
            .envs(vars.iter().copied())
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

    pub fn get(&self, path: &str) -> serde_json::Value {
        let body = ureq::get(&format!("{}{path}", self.base))
            .call()
            .expect(path)
            .into_string()
            .unwrap();
        serde_json::from_str(&body).unwrap()
    }

    pub fn login(&self, password: &str) -> u16 {
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

    /// A server on the (test) database at `url`, signing tokens as the tests do.
    pub fn on_database(url: &str) -> Server {
        Self::on_database_with(url, &[])
    }

    /// Like [`Server::on_database`], with the extra environment `vars`.
    pub fn on_database_with(url: &str, vars: &[(&str, &str)]) -> Server {
        let secret = String::from_utf8(crate::helpers::JWT_SECRET.to_vec()).unwrap();
        let mut all = vec![
            ("DATABASE_URL", url),
            ("NEWSDESK_JWT_SECRET", secret.as_str()),
            ("NEWSDESK_DB_POOL_SIZE", "3"),
        ];
        all.extend_from_slice(vars);
        Self::start_with(&std::env::temp_dir(), "warn", &all)
    }

    /// The demo admin's password, printed once on the first start.
    pub fn admin_password(&self) -> String {
        let out = self.stdout.lock().unwrap().clone();
        out.split("password: ")
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .expect("the first start prints the demo admin's password")
            .to_owned()
    }

    /// An access token for the demo admin.
    pub fn admin_token(&self) -> String {
        let body = ureq::post(&format!("{}/api/v1/auth/login", self.base))
            .set("Content-Type", "application/json")
            .send_string(
                &json!({"email": "admin@newsdesk.local", "password": self.admin_password()})
                    .to_string(),
            )
            .expect("login")
            .into_string()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["access_token"].as_str().unwrap().to_owned()
    }

    /// The server process's resident memory (VmRSS), in KiB; PostgreSQL's processes not included.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS")
    }

    /// Waits (up to `limit`) for the process to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// SIGTERM, then wait (up to 40 s) for the exit status.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
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
    pub fn stop(mut self) {
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
