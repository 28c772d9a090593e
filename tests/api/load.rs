//! Load and shutdown, against the real binary on its own PostgreSQL.
//!
//! - 64 clients mix list reads, article reads, feed polls, searches and creates for a bounded
//!   time: no 5xx, no transport error, every acknowledged create stored exactly once and nothing
//!   else stored, the server's memory bounded. The figures (requests, p50/p99 per kind, RSS) are
//!   printed and written to `target/load-report.md`.
//! - A SIGTERM in the middle of a load: every request sent on an accepted connection is answered,
//!   new connections are refused (never reset), and the server exits cleanly within its grace.
//!
//! The write and search rate limits are switched off here (`NEWSDESK_*_LIMIT=0`): they are per
//! client and all 64 clients share one address and one token; their own test is in operating.rs.

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::server::{data_dir, Server};

const SAMPLE: &str =
    "/api/v1/articles/jia-yu-xian-nian-qing-gan-bu-yi-xian-lian-bing-zhang-cai-gan";
const TITLE_PREFIX: &str = "负载测试稿件";

/// What one client does on its n-th request: a kind (for the report) and the request.
fn operation(n: usize) -> (&'static str, &'static str, String) {
    match n % 10 {
        0 | 1 => ("list", "GET", "/api/v1/articles?limit=20".into()),
        2 => (
            "section",
            "GET",
            "/api/v1/sections/counties/articles?limit=20".into(),
        ),
        3 => ("article", "GET", SAMPLE.into()),
        4 => ("feed", "GET", "/api/v1/sections/jiayu/feed.rss".into()),
        5 => ("feed", "GET", "/api/v1/feed.atom".into()),
        6 => (
            "search",
            "GET",
            "/api/v1/articles?q=%E5%9B%AD%E5%8C%BA".into(),
        ),
        7 => (
            "search",
            "GET",
            "/api/v1/articles?q=%E5%98%89%E9%B1%BC%20%E5%B9%B2%E9%83%A8".into(),
        ),
        8 => ("create", "POST", "/api/v1/articles".into()),
        _ => ("taxonomy", "GET", "/api/v1/tags".into()),
    }
}

#[derive(Default)]
struct Tally {
    /// Latencies in milliseconds by kind.
    latencies: BTreeMap<&'static str, Vec<f64>>,
    statuses: BTreeMap<u16, u64>,
    transport_errors: Vec<String>,
    /// The ids of acknowledged creates.
    created: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[test]
fn sixty_four_clients_lose_nothing_and_see_no_5xx() {
    let seconds: u64 = std::env::var("NEWSDESK_LOAD_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(15);
    let dir = data_dir();
    let server = Server::start_with(
        &dir,
        "warn",
        &[
            ("NEWSDESK_WRITE_LIMIT", "0"),
            ("NEWSDESK_SEARCH_LIMIT", "0"),
        ],
    );
    let token = server.admin_token();
    let sections = server.get("/api/v1/sections");
    let correspondent = server.get("/api/v1/correspondents")["data"][0]["id"].clone();
    let jiayu = sections["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["slug"] == "jiayu")
        .expect("the demo has 嘉鱼")["id"]
        .clone();
    // Warm up (caches, pool, allocator), then take the baseline.
    for n in 0..200 {
        let (_, method, path) = operation(n);
        if method == "GET" {
            let _ = ureq::get(&format!("{}{path}", server.base)).call();
        }
    }
    let rss_before = server.rss_kib();

    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let clients: Vec<_> = (0..64)
        .map(|client| {
            let (base, token, tally, jiayu, correspondent) = (
                server.base.clone(),
                token.clone(),
                tally.clone(),
                jiayu.clone(),
                correspondent.clone(),
            );
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                let mut mine = Tally::default();
                let mut n = client;
                while Instant::now() < deadline {
                    let (kind, method, path) = operation(n);
                    let url = format!("{base}{path}");
                    let t = Instant::now();
                    let result = if method == "POST" {
                        let body = json!({
                            "title": format!("{TITLE_PREFIX} {client}-{n}"),
                            "body_html": "<p>产业园区是县域经济发展的主引擎。</p>",
                            "section_id": jiayu,
                            "byline": [{"correspondent_id": correspondent, "role": "reporter"}],
                        });
                        agent
                            .post(&url)
                            .set("Authorization", &format!("Bearer {token}"))
                            .set("Content-Type", "application/json")
                            .send_string(&body.to_string())
                    } else {
                        agent.get(&url).call()
                    };
                    let ms = t.elapsed().as_secs_f64() * 1000.0;
                    let (status, body) = match result {
                        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
                        Err(ureq::Error::Status(code, r)) => {
                            (code, r.into_string().unwrap_or_default())
                        }
                        Err(e) => {
                            mine.transport_errors.push(format!("{method} {path}: {e}"));
                            n += 1;
                            continue;
                        }
                    };
                    *mine.statuses.entry(status).or_default() += 1;
                    mine.latencies.entry(kind).or_default().push(ms);
                    if method == "POST" && status == 201 {
                        let v: Value = serde_json::from_str(&body).expect("a created article");
                        mine.created.push(v["id"].as_str().unwrap().to_owned());
                    }
                    n += 1;
                }
                let mut all = tally.lock().unwrap();
                for (k, v) in mine.latencies {
                    all.latencies.entry(k).or_default().extend(v);
                }
                for (k, v) in mine.statuses {
                    *all.statuses.entry(k).or_default() += v;
                }
                all.transport_errors.extend(mine.transport_errors);
                all.created.extend(mine.created);
            })
        })
        .collect();
    for c in clients {
        c.join().unwrap();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_after = server.rss_kib();

    let tally = tally.lock().unwrap();
    let mut conn = PgConnection::establish(
        &newsdesk::embedded_pg::EmbeddedPg::new(&dir)
            .unwrap()
            .database_url(),
    )
    .unwrap();
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let stored: Vec<String> = diesel::sql_query(format!(
        "SELECT id::text AS id FROM articles WHERE title LIKE '{TITLE_PREFIX}%'"
    ))
    .load::<Id>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect();

    let sent: u64 = tally.statuses.values().sum::<u64>() + tally.transport_errors.len() as u64;
    let server_errors: u64 = tally
        .statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    let mut all: Vec<f64> = tally.latencies.values().flatten().copied().collect();
    all.sort_by(f64::total_cmp);
    let mut report = format!(
        "# Load test: 64 clients, {elapsed:.1} s (debug build)\n\n\
         requests sent: {sent} ({:.0}/s); statuses: {:?}; transport errors: {}\n\
         creates acknowledged: {}; stored: {}\n\
         server RSS: {} KiB before, {} KiB after\n\n\
         | kind | requests | p50 ms | p99 ms |\n|---|---:|---:|---:|\n",
        sent as f64 / elapsed,
        tally.statuses,
        tally.transport_errors.len(),
        tally.created.len(),
        stored.len(),
        rss_before,
        rss_after,
    );
    for (kind, v) in &tally.latencies {
        let mut v = v.clone();
        v.sort_by(f64::total_cmp);
        report += &format!(
            "| {kind} | {} | {:.1} | {:.1} |\n",
            v.len(),
            percentile(&v, 50.0),
            percentile(&v, 99.0)
        );
    }
    report += &format!(
        "| all | {} | {:.1} | {:.1} |\n",
        all.len(),
        percentile(&all, 50.0),
        percentile(&all, 99.0)
    );
    println!("{report}");
    let _ = std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("../load-report.md"),
        &report,
    );

    assert!(
        tally.transport_errors.is_empty(),
        "{:?}",
        tally.transport_errors
    );
    assert_eq!(server_errors, 0, "5xx under load: {:?}", tally.statuses);
    assert!(tally.created.len() > 100, "too few writes to mean anything");
    let acked: HashSet<&String> = tally.created.iter().collect();
    let kept: HashSet<&String> = stored.iter().collect();
    assert_eq!(acked.len(), tally.created.len(), "an id acknowledged twice");
    assert_eq!(kept.len(), stored.len(), "a row stored twice");
    assert_eq!(acked, kept, "acknowledged creates and stored rows differ");
    // Memory: warm caches and the pool may grow it a little; a leak would not stay under this.
    assert!(
        rss_after <= rss_before + 64 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

/// How one request of the shutdown test ended.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    /// A whole response, with its status.
    Answered(u16),
    /// The connection was refused: the server no longer accepts.
    Refused,
    /// The connection closed before any byte of a response: the server did not take the
    /// request (an idle connection closed as the request was sent); a client may retry it.
    Unanswered(String),
    /// The connection broke in the middle of a response.
    Broken(String),
}

/// A minimal HTTP/1.1 keep-alive client, so that no retry logic can hide a broken connection.
struct Client {
    addr: String,
    conn: Option<BufReader<TcpStream>>,
}

impl Client {
    fn get(&mut self, path: &str, request_id: &str) -> Outcome {
        if self.conn.is_none() {
            match TcpStream::connect(&self.addr) {
                Ok(s) => {
                    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                    self.conn = Some(BufReader::new(s));
                }
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    return Outcome::Refused
                }
                Err(e) => return Outcome::Unanswered(format!("connect: {e}")),
            }
        }
        let conn = self.conn.as_mut().unwrap();
        let (outcome, keep) = Self::exchange(conn, path, request_id);
        if !keep {
            self.conn = None;
        }
        outcome
    }

    /// Sends one request and reads its response; also whether the connection may be reused
    /// (not after an error, nor after the server said `Connection: close`).
    fn exchange(conn: &mut BufReader<TcpStream>, path: &str, request_id: &str) -> (Outcome, bool) {
        let outcome = Self::read_exchange(conn, path, request_id);
        match outcome {
            Ok((status, close)) => (Outcome::Answered(status), !close),
            Err(failed) => (failed, false),
        }
    }

    fn read_exchange(
        conn: &mut BufReader<TcpStream>,
        path: &str,
        request_id: &str,
    ) -> Result<(u16, bool), Outcome> {
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: {request_id}\r\n\r\n");
        if let Err(e) = conn.get_mut().write_all(request.as_bytes()) {
            return Err(Outcome::Unanswered(format!("write: {e}")));
        }
        let mut line = String::new();
        match conn.read_line(&mut line) {
            Ok(0) => return Err(Outcome::Unanswered("closed".into())),
            Err(e) => return Err(Outcome::Unanswered(format!("read: {e}"))),
            Ok(_) => {}
        }
        let Some(status) = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()) else {
            return Err(Outcome::Broken(format!("status line {line:?}")));
        };
        let (mut length, mut close) = (None, false);
        loop {
            line.clear();
            match conn.read_line(&mut line) {
                Ok(0) => return Err(Outcome::Broken("closed in the headers".into())),
                Err(e) => return Err(Outcome::Broken(format!("headers: {e}"))),
                Ok(_) => {}
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse::<usize>().ok(),
                "connection" => close = value.trim().eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let Some(length) = length else {
            return Err(Outcome::Broken("no Content-Length".into()));
        };
        let mut body = vec![0; length];
        if let Err(e) = conn.read_exact(&mut body) {
            return Err(Outcome::Broken(format!("body: {e}")));
        }
        Ok((status, close))
    }
}

#[test]
fn a_shutdown_under_load_answers_every_accepted_request() {
    let dir = data_dir();
    let mut server = Server::start_with(
        &dir,
        "warn,newsdesk::operating=info",
        &[
            ("NEWSDESK_SEARCH_LIMIT", "0"),
            ("NEWSDESK_SHUTDOWN_GRACE", "20"),
            // Every request reaches the database, so some are surely in the middle of being
            // served when the signal comes (cache hits take a fraction of a millisecond: one
            // run caught none in flight).
            ("NEWSDESK_CACHE", "off"),
        ],
    );
    let addr = server.base.trim_start_matches("http://").to_owned();
    let signalled = Arc::new(AtomicBool::new(false));
    // Each client records (request id, sent after the signal, answered after it, outcome).
    type Record = (String, bool, bool, Outcome);
    let clients: Vec<_> = (0..32)
        .map(|client| {
            let (addr, signalled) = (addr.clone(), signalled.clone());
            std::thread::spawn(move || -> Vec<Record> {
                let mut http = Client { addr, conn: None };
                let mut records = Vec::new();
                let deadline = Instant::now() + Duration::from_secs(30);
                for n in client.. {
                    let (_, method, path) = operation(n);
                    if method != "GET" {
                        continue;
                    }
                    let id = format!("shutdown-{client}-{n}");
                    let sent_after = signalled.load(Ordering::SeqCst);
                    let outcome = http.get(&path, &id);
                    let done_after = signalled.load(Ordering::SeqCst);
                    let refused = outcome == Outcome::Refused;
                    records.push((id, sent_after, done_after, outcome));
                    if refused || Instant::now() > deadline {
                        break;
                    }
                }
                records
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    let pid = i32::try_from(server.child.id()).unwrap();
    signalled.store(true, Ordering::SeqCst);
    let signal_at = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let records: Vec<Record> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    let status = server
        .wait_exit(Duration::from_secs(30))
        .expect("the server did not exit");
    let exit_after = signal_at.elapsed();
    let log = server.stderr.lock().unwrap().clone();

    let count = |f: &dyn Fn(&Record) -> bool| records.iter().filter(|r| f(r)).count();
    let in_flight_answered = count(&|r| !r.1 && r.2 && matches!(r.3, Outcome::Answered(_)));
    let refused = count(&|r| r.3 == Outcome::Refused);
    let unanswered: Vec<&Record> = records
        .iter()
        .filter(|r| matches!(r.3, Outcome::Unanswered(_)))
        .collect();
    let broken: Vec<&Record> = records
        .iter()
        .filter(|r| matches!(r.3, Outcome::Broken(_)))
        .collect();
    let server_errors = count(&|r| matches!(r.3, Outcome::Answered(s) if s >= 500));
    println!(
        "shutdown under load: {} requests; {in_flight_answered} in flight at SIGTERM and answered; \
         {} closed unread; {refused} refused; {} broken; exit {exit_after:?} after the signal",
        records.len(),
        unanswered.len(),
        broken.len()
    );
    assert!(broken.is_empty(), "responses cut short: {broken:?}");
    assert_eq!(server_errors, 0);
    // A request the server took is one it logged; every such request was answered in full.
    for (id, _, _, outcome) in &unanswered {
        assert!(
            !log.contains(&format!("request_id={id} ")),
            "{id} was taken by the server but not answered: {outcome:?}"
        );
    }
    assert!(
        log.matches("served").count() >= records.len() - unanswered.len() - refused,
        "the log has a line per answered request"
    );
    assert_eq!(refused, 32, "every client ends on a refused connection");
    assert!(
        in_flight_answered > 0,
        "requests in flight at the signal are finished"
    );
    assert!(status.success(), "exit status {status}");
    assert!(
        exit_after < Duration::from_secs(20),
        "the server took {exit_after:?} to stop"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Slowloris: 200 connections trickling a request head never get a worker's attention for long;
/// a normal request is answered meanwhile (in milliseconds when alone), and each slow
/// connection is cut (408 or closed) once its 5 s to send the head are up, however steadily it
/// trickles.
#[test]
fn slow_clients_do_not_tie_up_the_server() {
    let dir = data_dir();
    let server = Server::start(&dir);
    let addr = server.base.trim_start_matches("http://").to_owned();
    let mut slow: Vec<TcpStream> = (0..200)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET /api/v1/articles HTTP/1.1\r\nHost: localhost\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
            s
        })
        .collect();
    let opened = Instant::now();
    let mut closed_after = vec![None; slow.len()];
    let mut served = 0;
    while opened.elapsed() < Duration::from_secs(9) {
        // A well-behaved client is answered promptly all along.
        let t = Instant::now();
        ureq::get(&format!("{}/api/v1/articles?limit=1", server.base))
            .call()
            .expect("a normal request is served");
        // (Generous: the rest of the suite shares the two cores.)
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "took {:?}",
            t.elapsed()
        );
        served += 1;
        for (i, s) in slow.iter_mut().enumerate() {
            if closed_after[i].is_some() {
                continue;
            }
            // One more header line each round: the head never ends.
            let _ = s.write_all(format!("X-Slow-{served}: 1\r\n").as_bytes());
            let mut buf = [0u8; 256];
            match s.read(&mut buf) {
                Ok(0) => closed_after[i] = Some(opened.elapsed()),
                Ok(n) => {
                    let head = String::from_utf8_lossy(&buf[..n]).to_string();
                    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
                    closed_after[i] = Some(opened.elapsed());
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => closed_after[i] = Some(opened.elapsed()),
            }
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let cut: Vec<Duration> = closed_after.iter().flatten().copied().collect();
    println!(
        "slow clients: {} of {} cut, the first after {:?}, the last after {:?}; {served} normal requests served",
        cut.len(),
        slow.len(),
        cut.iter().min(),
        cut.iter().max()
    );
    assert_eq!(cut.len(), slow.len(), "every slow connection is cut");
    assert!(
        cut.iter().all(|d| *d >= Duration::from_secs(4)),
        "not before its time: {cut:?}"
    );
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
