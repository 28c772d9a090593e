//! The test harness: one PostgreSQL cluster per test process (the embedded one, or the server
//! named by DATABASE_URL), a template database migrated once, and a fresh database cloned from
//! it for every test. `TestApp::spawn()` runs the real HTTP server on a free port against it.

use std::sync::mpsc;
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::{web, HttpServer};
use diesel::prelude::*;
use serde_json::{json, Value};
use uuid::Uuid;

use newsdesk::auth::jwt::JwtKeys;
use newsdesk::config::{Config, Secret};
use newsdesk::correspondents::model::Correspondent;
use newsdesk::db::{self, QueryCounter};
use newsdesk::editors::Role;
use newsdesk::embedded_pg::EmbeddedPg;
use newsdesk::sections::model::Section;
use newsdesk::startup::app;
use newsdesk::state::{AppState, Writer};
use newsdesk::tags::model::Tag;

use crate::builders::{CorrespondentBuilder, SectionBuilder, TagBuilder};

pub const PASSWORD: &str = "correct-horse-battery";
pub const JWT_SECRET: &[u8] = b"test-secret-test-secret-test-secret-0123456789";

/// The cluster of this test process and how to reach one of its databases.
struct Cluster {
    /// `url_for(database)`.
    base: Box<dyn Fn(&str) -> String + Send + Sync>,
    template: String,
}

fn admin_url() -> String {
    (cluster().base)("postgres")
}

fn cluster() -> &'static Cluster {
    static CLUSTER: OnceLock<Cluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        newsdesk::auth::password::use_fast_params_for_tests();
        let template = format!("newsdesk_template_{}", std::process::id());
        let base: Box<dyn Fn(&str) -> String + Send + Sync> = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => {
                let (path, query) = match url.split_once('?') {
                    Some((p, q)) => (p.to_owned(), format!("?{q}")),
                    None => (url.clone(), String::new()),
                };
                let prefix = path
                    .rsplit_once('/')
                    .expect("DATABASE_URL names a database")
                    .0
                    .to_owned();
                Box::new(move |db| format!("{prefix}/{db}{query}"))
            }
            _ => {
                let dir = std::env::temp_dir().join(format!(
                    "newsdesk-test-{}-{}",
                    std::process::id(),
                    Uuid::new_v4().simple()
                ));
                std::fs::create_dir_all(&dir).expect("test data dir");
                let mut pg = EmbeddedPg::new(&dir).expect("PostgreSQL binaries");
                pg.start().expect("start the test cluster");
                // Stop the cluster and remove its directory once this process has exited: the
                // watchdog outlives this process by design, so it is never waited for.
                #[expect(
                    clippy::zombie_processes,
                    reason = "the watchdog must outlive the test process"
                )]
                let _watchdog = pg
                    .stop_command_when_gone(std::process::id(), &dir)
                    .spawn()
                    .expect("watchdog");
                let pg = Box::leak(Box::new(pg));
                Box::new(move |db| pg.url_for(db))
            }
        };
        let c = Cluster { base, template };
        let mut conn =
            PgConnection::establish(&(c.base)("postgres")).expect("connect to the cluster");
        diesel::sql_query(format!("DROP DATABASE IF EXISTS {}", c.template))
            .execute(&mut conn)
            .expect("drop template");
        diesel::sql_query(format!("CREATE DATABASE {}", c.template))
            .execute(&mut conn)
            .expect("create template");
        let mut tconn =
            PgConnection::establish(&(c.base)(&c.template)).expect("connect to the template");
        db::migrate(&mut tconn).expect("migrate the template");
        c
    })
}

/// A fresh database cloned from the migrated template; dropped with the value.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    pub fn new() -> TestDb {
        let c = cluster();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin_url()).expect("connect");
        diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {}", c.template))
            .execute(&mut conn)
            .expect("clone template");
        TestDb {
            url: (c.base)(&name),
            name,
        }
    }
}

impl TestDb {
    /// A database without any table (not cloned from the template).
    pub fn empty() -> TestDb {
        let c = cluster();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::establish(&admin_url()).expect("connect");
        diesel::sql_query(format!(
            "CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"
        ))
        .execute(&mut conn)
        .expect("create database");
        TestDb {
            url: (c.base)(&name),
            name,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&admin_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    /// The body as text (lossy for binary bodies; `bytes` has them as sent).
    pub body: String,
    pub bytes: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    /// Asserts the status (printing the body when it differs) and returns self.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }
    /// Asserts a problem+json error with this status and code.
    #[track_caller]
    /// The body as one of the contract's typed shapes ([`crate::wire`]).
    pub fn typed<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not the contract's shape: {e}; body: {}", self.body))
    }

    pub fn problem(self, status: u16, code: &str) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "{}",
            self.body
        );
        let v = self.json();
        assert_eq!(v["code"], code, "{v}");
        assert_eq!(v["status"], status, "{v}");
        assert!(v["type"].as_str().unwrap().ends_with(code), "{v}");
        assert!(v["title"].is_string() && v["detail"].is_string(), "{v}");
        v
    }
}

/// A request under construction.
pub struct Req<'a> {
    app: &'a TestApp,
    method: &'static str,
    path: String,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl Req<'_> {
    pub fn token(mut self, token: &str) -> Self {
        self.headers
            .push(("Authorization".into(), format!("Bearer {token}")));
        self
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn json(mut self, v: &Value) -> Self {
        self.body = Some(v.to_string().into_bytes());
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }
    pub fn raw(self, body: &str, content_type: &str) -> Self {
        self.bytes(body.as_bytes().to_vec(), content_type)
    }
    pub fn bytes(mut self, body: Vec<u8>, content_type: &str) -> Self {
        self.body = Some(body);
        self.headers
            .push(("Content-Type".into(), content_type.into()));
        self
    }
    pub fn send(self) -> Resp {
        let url = format!("{}{}", self.app.address, self.path);
        let mut r = self.app.agent.request(self.method, &url);
        for (k, v) in &self.headers {
            r = r.set(k, v);
        }
        let result = match self.body {
            Some(b) => r.send_bytes(&b),
            None => r.call(),
        };
        let resp = match result {
            Ok(resp) => resp,
            Err(ureq::Error::Status(_, resp)) => resp,
            Err(e) => panic!("{} {}: {e}", self.method, self.path),
        };
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .flat_map(|n| {
                resp.all(&n)
                    .into_iter()
                    .map(move |v| (n.clone(), v.to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut bytes = Vec::new();
        let _ = std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes);
        Resp {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }
}

/// The server, its database and ready-made helpers.
pub struct TestApp {
    pub address: String,
    pub queries: QueryCounter,
    pub jwt: JwtKeys,
    agent: ureq::Agent,
    stop: Option<actix_web::dev::ServerHandle>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The media store's directory (a `file:` store).
    pub media_dir: Option<std::path::PathBuf>,
    /// Dropped last: the database outlives the server and the pool.
    _db: TestDb,
}

pub fn config() -> Config {
    Config {
        database_url: None,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(Secret::new(JWT_SECRET.to_vec())),
        public_url: "https://news.example.cn".into(),
        data_dir: std::env::temp_dir(),
        pool_size: 4,
        shutdown_grace_secs: 1,
        cors_origins: vec!["https://www.example.cn".into()],
        write_limit: 600,
        search_limit: 600,
        cache: true,
        body_timeout_secs: 30,
        search_timeout_ms: 3000,
        webhook_allow_private: true,
        purge: None,
        indexnow: None,
        baidu_push_url: None,
        site: std::sync::Arc::new(newsdesk::site::Site::new("https://news.example.cn")),
        media: newsdesk::config::MediaConfig {
            // A directory of the test's own (removed with its TestApp).
            store: newsdesk::config::MediaStoreSpec::File(std::env::temp_dir().join(format!(
                "newsdesk-test-media-{}",
                uuid::Uuid::new_v4().simple()
            ))),
            max_bytes: 20 * 1024 * 1024,
            uploads: 2,
        },
        replica: None,
    }
}

impl TestApp {
    pub fn spawn() -> TestApp {
        Self::spawn_on(TestDb::new())
    }

    /// The server on a database prepared beforehand.
    pub fn spawn_on(db: TestDb) -> TestApp {
        Self::start(db, true)
    }

    /// The server without its scheduler (when other processes are to publish).
    pub fn spawn_without_scheduler() -> TestApp {
        Self::start(TestDb::new(), false)
    }

    /// The server with a configuration changed by `change`.
    pub fn spawn_with(change: impl FnOnce(&mut Config)) -> TestApp {
        let mut c = config();
        change(&mut c);
        Self::start_with(TestDb::new(), true, c)
    }

    /// The server on a database prepared beforehand, its configuration changed by `change`.
    pub fn spawn_on_with(db: TestDb, change: impl FnOnce(&mut Config)) -> TestApp {
        let mut c = config();
        change(&mut c);
        Self::start_with(db, true, c)
    }

    fn start(db: TestDb, scheduler: bool) -> TestApp {
        Self::start_with(db, scheduler, config())
    }

    fn start_with(db: TestDb, with_scheduler: bool, config: Config) -> TestApp {
        let (pool, queries) = db::build_counted_pool(&db.url, 4);
        let jwt = JwtKeys::new(&Secret::new(JWT_SECRET.to_vec()));
        let targets = newsdesk::outbox::Targets::of(&config);
        let outbox = std::sync::Arc::new(newsdesk::outbox::Outbox::new(targets.clone()));
        let media_dir = match &config.media.store {
            newsdesk::config::MediaStoreSpec::File(dir) => Some(dir.clone()),
            newsdesk::config::MediaStoreSpec::S3 { .. } => None,
        };
        let state = web::Data::new(
            AppState::new(pool, config, jwt.clone())
                .expect("media store")
                .announcing(outbox.clone()),
        );
        if state.reads.replica().is_some() {
            // What `serve` runs beside a replica: its watch, and the listener that keeps the
            // process told of the other processes' writes.
            state.watch_replica(&db.url);
            newsdesk::cache::listener::spawn(
                db.url.clone(),
                &state.cache,
                &state.directory,
                state.seen(),
            );
        }
        let (tx, rx) = mpsc::channel();
        // The scheduler and the outbox's dispatcher poll every second: their own pools keep
        // their statements out of the count.
        let scheduler = Writer::new(
            db::build_pool(&db.url, 1),
            state.cache.clone(),
            state.directory.clone(),
        )
        .announcing(outbox.clone());
        let dispatcher_pool = db::build_pool(&db.url, 1);
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(move || app(state.clone()))
                    .workers(2)
                    .bind(("127.0.0.1", 0))
                    .expect("bind");
                let addr = server.addrs()[0];
                let server = server.shutdown_timeout(1).run();
                if with_scheduler {
                    actix_web::rt::spawn(newsdesk::articles::scheduler::run(scheduler));
                }
                actix_web::rt::spawn(newsdesk::outbox::dispatch::run(
                    dispatcher_pool,
                    outbox.wake_handle(),
                    targets,
                ));
                tx.send((addr, server.handle())).expect("send address");
                let _ = server.await;
            })
        });
        let (addr, handle) = rx.recv().expect("server started");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(30))
            .redirects(0)
            .build();
        TestApp {
            address: format!("http://{addr}"),
            queries,
            jwt,
            agent,
            stop: Some(handle),
            thread: Some(thread),
            media_dir,
            _db: db,
        }
    }

    /// The URL of this test's database.
    pub fn database_url(&self) -> &str {
        &self._db.url
    }

    pub fn req(&self, method: &'static str, path: &str) -> Req<'_> {
        Req {
            app: self,
            method,
            path: path.to_owned(),
            headers: vec![],
            body: None,
        }
    }
    pub fn get(&self, path: &str) -> Resp {
        self.req("GET", path).send()
    }

    /// How many rows `table` holds.
    pub fn rows(&self, table: &str) -> i64 {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "(SELECT count(*) FROM {table})"
        )))
        .get_result(&mut self.conn())
        .expect("count")
    }

    /// A direct database connection, for arranging and checking state.
    pub fn conn(&self) -> PgConnection {
        PgConnection::establish(&self._db.url).expect("connection")
    }

    /// Creates a staff account directly; returns its id.
    pub fn editor(&self, email: &str, role: Role) -> Uuid {
        let hash = newsdesk::auth::password::hash_blocking(PASSWORD).expect("hash");
        let id = Uuid::now_v7();
        diesel::insert_into(newsdesk::schema::editors::table)
            .values((
                newsdesk::schema::editors::id.eq(id),
                newsdesk::schema::editors::email.eq(email),
                newsdesk::schema::editors::display_name.eq(format!(
                    "{} {}",
                    role.as_str(),
                    &email[..email.find('@').unwrap_or(0)]
                )),
                newsdesk::schema::editors::role.eq(role.as_str()),
                newsdesk::schema::editors::password_hash.eq(hash),
            ))
            .execute(&mut self.conn())
            .expect("insert editor");
        id
    }

    /// Logs in through the API; returns the whole token response.
    pub fn login(&self, email: &str) -> Value {
        self.req("POST", "/api/v1/auth/login")
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .expect(200)
            .json()
    }

    /// A new account of `role` and an access token for it.
    pub fn staff(&self, role: Role) -> (Uuid, String) {
        let email = format!(
            "{}-{}@newsdesk.test",
            role.as_str(),
            &Uuid::new_v4().simple().to_string()[..8]
        );
        let id = self.editor(&email, role);
        let token = self.login(&email)["access_token"]
            .as_str()
            .expect("token")
            .to_owned();
        (id, token)
    }

    pub fn admin(&self) -> String {
        self.staff(Role::Admin).1
    }

    /// Creates a section through the API; returns its JSON.
    pub fn section(&self, token: &str, slug: &str, name: &str, parent: Option<&str>) -> Value {
        self.req("POST", "/api/v1/sections")
            .token(token)
            .json(&json!({"slug": slug, "name": name, "parent_id": parent}))
            .send()
            .expect(201)
            .json()
    }

    pub fn tag(&self, token: &str, name: &str) -> Value {
        self.req("POST", "/api/v1/tags")
            .token(token)
            .json(&json!({"name": name}))
            .send()
            .expect(201)
            .json()
    }

    pub fn person(&self, token: &str, name: &str) -> Value {
        self.req("POST", "/api/v1/correspondents")
            .token(token)
            .json(&json!({"name": name, "affiliation": "嘉鱼县委宣传部", "email": "secret@example.cn", "phone": "13800000000", "notes": "private"}))
            .send()
            .expect(201)
            .json()
    }

    /// Creates a draft through the API.
    pub fn draft(&self, token: &str, body: &Value) -> Value {
        self.req("POST", "/api/v1/articles")
            .token(token)
            .json(body)
            .send()
            .expect(201)
            .json()
    }

    /// Moves an article; asserts 200.
    pub fn move_to(&self, token: &str, id: &str, to: &str) -> Value {
        self.req("POST", &format!("/api/v1/articles/{id}/transition"))
            .token(token)
            .json(&json!({"to": to}))
            .send()
            .expect(200)
            .json()
    }

    /// Creates and publishes an article; returns it as published.
    pub fn published(&self, token: &str, body: &Value) -> Value {
        let a = self.draft(token, body);
        let id = a["id"].as_str().expect("id").to_owned();
        self.move_to(token, &id, "in_review");
        self.move_to(token, &id, "published")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(handle) = self.stop.take() {
            actix_web::rt::System::new().block_on(handle.stop(false));
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(dir) = &self.media_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A newsroom: an admin, a section tree (县市区 › 嘉鱼), a tag and three correspondents, their
/// rows inserted directly (the tests are about what comes after).
pub struct Newsroom {
    pub app: TestApp,
    pub admin: String,
    pub counties: Section,
    pub jiayu: Section,
    pub tag: Tag,
    pub people: Vec<Correspondent>,
}

impl Newsroom {
    pub fn new() -> Newsroom {
        Self::with(TestApp::spawn())
    }

    pub fn with(app: TestApp) -> Newsroom {
        let admin = app.admin();
        let mut conn = app.conn();
        let counties = SectionBuilder::new("counties", "县市区").insert(&mut conn);
        let jiayu = SectionBuilder::new("jiayu", "嘉鱼")
            .under(&counties)
            .insert(&mut conn);
        let tag = TagBuilder::new("干部素质提升年").insert(&mut conn);
        let people = ["夏洋", "洪秀", "周全"]
            .iter()
            .map(|name| CorrespondentBuilder::new(name).insert(&mut conn))
            .collect();
        Newsroom {
            app,
            admin,
            counties,
            jiayu,
            tag,
            people,
        }
    }

    /// A valid create body in 嘉鱼 with the three correspondents and the tag.
    pub fn article(&self, title: &str) -> Value {
        json!({
            "title": title,
            "body_html": "<p>今年以来，嘉鱼县聚焦聚力支点建设。</p><h2>走下去</h2><p>产业园区是县域经济发展的主引擎。</p>",
            "section_id": self.jiayu.id,
            "byline": self.people.iter().map(|p| json!({"correspondent_id": p.id, "role": "correspondent"})).collect::<Vec<_>>(),
            "tag_ids": [self.tag.id],
            "source": "咸宁新闻网",
        })
    }
}

/// The slugs of a list response's items, in order.
pub fn slugs(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .collect()
}

/// A command from PyPI: the path in the environment variable `var`, else `command` on `PATH`,
/// else `command` installed once (pip) into `target/<venv>` with `requirement` — whichever
/// `works` accepts first.
pub fn python_tool(
    var: &str,
    command: &str,
    venv: &str,
    requirement: &str,
    works: impl Fn(&std::path::Path) -> bool,
) -> std::path::PathBuf {
    use std::path::{Path, PathBuf};
    use std::process::Command;
    if let Some(path) = std::env::var_os(var) {
        return PathBuf::from(path);
    }
    if works(Path::new(command)) {
        return PathBuf::from(command);
    }
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("..").join(venv);
    let bin = venv.join("bin").join(command);
    if !works(&bin) {
        let run = |cmd: &mut Command| {
            let status = cmd
                .status()
                .expect("run python3 (apt-get install python3-venv)");
            assert!(status.success(), "{cmd:?} failed");
        };
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv));
        run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", requirement]));
    }
    bin
}
