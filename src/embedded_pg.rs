//! The private PostgreSQL cluster used when no `DATABASE_URL` is set: found from the machine's
//! PostgreSQL binaries, `initdb` on first run, a Unix socket in the cluster dir and no TCP port,
//! stale pid files recovered, stopped cleanly with the server. When newsdesk runs as root the
//! cluster runs as the `postgres` system user, since PostgreSQL refuses to run as root.

use std::ffi::CString;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The database name inside the embedded cluster.
pub const DB_NAME: &str = "newsdesk";
/// The cluster's superuser, created by `initdb`.
pub const SUPERUSER: &str = "newsdesk";

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedPgError {
    #[error(
        "PostgreSQL server binaries not found (looked at `pg_config --bindir` and /usr/lib/postgresql/*/bin). \
         Install them, e.g. `apt-get install -y postgresql`, or set DATABASE_URL to an existing server."
    )]
    BinariesNotFound,
    #[error("running as root, but there is no `postgres` system user to run the cluster as (install the postgresql package, or run newsdesk as another user)")]
    NoPostgresUser,
    #[error("{what}: {detail}")]
    Command { what: String, detail: String },
    #[error("{0}: {1}")]
    Io(String, std::io::Error),
}

fn io_err(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedPgError {
    let what = what.into();
    move |e| EmbeddedPgError::Io(what, e)
}

/// A running (or about to run) cluster in `<data_dir>/pg`.
#[derive(Debug)]
pub struct EmbeddedPg {
    bindir: PathBuf,
    pgdata: PathBuf,
    run_as: Option<(u32, u32)>,
    /// Whether this process started the postmaster (and so must stop it).
    started_here: bool,
}

/// Locates `initdb`, `pg_ctl` and `postgres`.
pub fn find_bindir() -> Result<PathBuf, EmbeddedPgError> {
    let has_server = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        if out.status.success() {
            let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
            if has_server(&dir) {
                return Ok(dir);
            }
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has_server(&bin).then_some((version, bin))
        })
        .collect();
    candidates.sort();
    candidates
        .pop()
        .map(|(_, dir)| dir)
        .ok_or(EmbeddedPgError::BinariesNotFound)
}

fn postgres_user_ids() -> Result<(u32, u32), EmbeddedPgError> {
    let name = CString::new("postgres").map_err(|_| EmbeddedPgError::NoPostgresUser)?;
    // SAFETY: getpwnam returns a pointer into static storage or null; we copy the ids at once.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err(EmbeddedPgError::NoPostgresUser);
    }
    // SAFETY: pw is non-null and points to a valid passwd record.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok((uid, gid))
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn chown(path: &Path, uid: u32, gid: u32) -> Result<(), EmbeddedPgError> {
    std::os::unix::fs::chown(path, Some(uid), Some(gid))
        .map_err(io_err(format!("chown {}", path.display())))
}

/// Lets the `postgres` user traverse every ancestor of `dir` (search permission only).
fn make_traversable(dir: &Path) -> Result<(), EmbeddedPgError> {
    for ancestor in dir.ancestors().skip(1) {
        if ancestor.as_os_str().is_empty() {
            continue;
        }
        let meta = std::fs::metadata(ancestor).map_err(io_err(ancestor.display().to_string()))?;
        let mode = meta.permissions().mode();
        if mode & 0o001 == 0 {
            tracing::info!(dir = %ancestor.display(), "adding o+x so the postgres user can reach the data dir");
            let mut perms = meta.permissions();
            perms.set_mode(mode | 0o001);
            std::fs::set_permissions(ancestor, perms)
                .map_err(io_err(format!("chmod o+x {}", ancestor.display())))?;
        }
    }
    Ok(())
}

impl EmbeddedPg {
    /// Prepares the cluster directory `<data_dir>/pg` (created by `initdb` when missing).
    pub fn new(data_dir: &Path) -> Result<EmbeddedPg, EmbeddedPgError> {
        let bindir = find_bindir()?;
        std::fs::create_dir_all(data_dir)
            .map_err(io_err(format!("create {}", data_dir.display())))?;
        let data_dir =
            std::fs::canonicalize(data_dir).map_err(io_err(data_dir.display().to_string()))?;
        let run_as = if is_root() {
            Some(postgres_user_ids()?)
        } else {
            None
        };
        if run_as.is_some() {
            // The data dir and every directory above it.
            make_traversable(&data_dir.join("pg"))?;
        }
        Ok(EmbeddedPg {
            bindir,
            pgdata: data_dir.join("pg"),
            run_as,
            started_here: false,
        })
    }

    /// The PostgreSQL binaries it runs.
    pub fn bindir(&self) -> &Path {
        &self.bindir
    }

    /// The directory holding the cluster and its socket.
    pub fn pgdata(&self) -> &Path {
        &self.pgdata
    }

    /// A libpq URL reaching `database` through the cluster's Unix socket.
    pub fn url_for(&self, database: &str) -> String {
        format!(
            "postgres://{SUPERUSER}@localhost/{database}?host={}",
            self.pgdata.display()
        )
    }

    /// The URL of newsdesk's own database.
    pub fn database_url(&self) -> String {
        self.url_for(DB_NAME)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid).gid(gid);
        }
        cmd.env("LC_ALL", "C.UTF-8")
            .env("LANG", "C.UTF-8")
            .env_remove("PGDATA");
        cmd
    }

    fn run(&self, mut cmd: Command, what: &str) -> Result<(), EmbeddedPgError> {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .map_err(io_err(format!("{what}: cannot run")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(EmbeddedPgError::Command {
                what: what.to_owned(),
                detail: format!(
                    "{}{}",
                    String::from_utf8_lossy(&out.stdout).trim(),
                    String::from_utf8_lossy(&out.stderr).trim()
                ),
            })
        }
    }

    fn initdb_if_needed(&self) -> Result<(), EmbeddedPgError> {
        if self.pgdata.join("PG_VERSION").is_file() {
            return Ok(());
        }
        std::fs::create_dir_all(&self.pgdata)
            .map_err(io_err(format!("create {}", self.pgdata.display())))?;
        std::fs::set_permissions(&self.pgdata, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(format!("chmod {}", self.pgdata.display())))?;
        if let Some((uid, gid)) = self.run_as {
            chown(&self.pgdata, uid, gid)?;
        }
        tracing::info!(dir = %self.pgdata.display(), "initialising the embedded PostgreSQL cluster");
        let mut cmd = self.command("initdb");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .args([
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--auth=trust",
                "--no-instructions",
            ])
            .arg(format!("--username={SUPERUSER}"));
        self.run(cmd, "initdb")?;
        let extra = "\n# newsdesk: private cluster, Unix socket only\nlisten_addresses = ''\nunix_socket_permissions = 0700\nfsync = on\nmax_connections = 200\nshared_buffers = 128MB\n# a bulk import writes gigabytes of WAL: fewer checkpoints, fewer full-page images\nmax_wal_size = 4GB\n";
        let conf = self.pgdata.join("postgresql.conf");
        let mut text =
            std::fs::read_to_string(&conf).map_err(io_err(conf.display().to_string()))?;
        text.push_str(extra);
        std::fs::write(&conf, text).map_err(io_err(conf.display().to_string()))?;
        Ok(())
    }

    /// The postmaster's pid when one is running on this cluster: the pid file names a live
    /// (not zombie) `postgres` process *and* the cluster's socket answers. A postmaster that is
    /// alive but not answering yet (another process is starting it) gets a few seconds.
    pub fn running_pid(&self) -> Option<i32> {
        let text = std::fs::read_to_string(self.pgdata.join("postmaster.pid")).ok()?;
        let pid: i32 = text.lines().next()?.trim().parse().ok()?;
        let started = std::time::Instant::now();
        while postmaster_alive(pid) {
            if self.answers() {
                return Some(pid);
            }
            if started.elapsed() > std::time::Duration::from_secs(10) {
                tracing::warn!(
                    pid,
                    "a postgres process holds the pid file but the socket does not answer"
                );
                return None;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        None
    }

    /// Whether a server answers on the cluster's socket (`PQping`: accepting, or alive and
    /// refusing while it starts or stops).
    fn answers(&self) -> bool {
        let quoted = self
            .pgdata
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('\'', "\\'");
        let conninfo =
            format!("host='{quoted}' dbname=postgres user={SUPERUSER} connect_timeout=2");
        let Ok(conninfo) = std::ffi::CString::new(conninfo) else {
            return false;
        };
        // SAFETY: `conninfo` is a valid NUL-terminated string that outlives the call; PQping
        // keeps no pointer to it.
        let ping = unsafe { pq_sys::PQping(conninfo.as_ptr()) };
        matches!(
            ping,
            pq_sys::PGPing::PQPING_OK | pq_sys::PGPing::PQPING_REJECT
        )
    }

    /// Removes what a dead postmaster left that would stop a new one: its pid file and the
    /// socket's lock file (PostgreSQL takes a zombie's pid for a live postmaster).
    fn remove_stale_files(&self) -> Result<(), EmbeddedPgError> {
        let pidfile = self.pgdata.join("postmaster.pid");
        if pidfile.exists() {
            tracing::warn!("removing a stale postmaster.pid");
            std::fs::remove_file(&pidfile).map_err(io_err("remove stale postmaster.pid"))?;
        }
        let entries =
            std::fs::read_dir(&self.pgdata).map_err(io_err("read the cluster directory"))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".s.PGSQL.") {
                tracing::warn!(file = %name, "removing a stale socket file");
                std::fs::remove_file(entry.path()).map_err(io_err(format!("remove {name}")))?;
            }
        }
        Ok(())
    }

    /// Starts the cluster unless one is already running on it (another newsdesk process);
    /// the pid and socket lock files a crash left (its postmaster gone or a zombie) are removed
    /// first.
    pub fn start(&mut self) -> Result<(), EmbeddedPgError> {
        self.initdb_if_needed()?;
        if self.running_pid().is_some() {
            tracing::info!("embedded PostgreSQL already running; reusing it");
            return Ok(());
        }
        self.remove_stale_files()?;
        let log = self.pgdata.join("postgres.log");
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-s"])
            .arg("-o")
            .arg(format!("-k {} -c listen_addresses=", self.pgdata.display()))
            .arg("start");
        self.run(cmd, "pg_ctl start")
            .map_err(|e| match std::fs::read_to_string(&log) {
                Ok(text) => EmbeddedPgError::Command {
                    what: "pg_ctl start".into(),
                    detail: format!("{e}; server log tail: {}", tail(&text, 800)),
                },
                Err(_) => e,
            })?;
        self.started_here = true;
        tracing::info!(dir = %self.pgdata.display(), "embedded PostgreSQL started");
        Ok(())
    }

    /// Creates newsdesk's database when it does not exist yet.
    pub fn ensure_database(&self, name: &str) -> Result<(), EmbeddedPgError> {
        use diesel::prelude::*;
        let mut conn = PgConnection::establish(&self.url_for("postgres")).map_err(|e| {
            EmbeddedPgError::Command {
                what: "connect".into(),
                detail: e.to_string(),
            }
        })?;
        #[derive(QueryableByName)]
        struct Exists {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            exists: bool,
        }
        let found: Exists = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists",
        )
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(&mut conn)
        .map_err(|e| EmbeddedPgError::Command {
            what: "query".into(),
            detail: e.to_string(),
        })?;
        if !found.exists {
            diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .map_err(|e| EmbeddedPgError::Command {
                    what: "create database".into(),
                    detail: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// A streaming standby of this (running) cluster in `<data_dir>/pg`, copied with
    /// `pg_basebackup -R` over the cluster's socket and not started yet: a replica on one
    /// machine, for trying `NEWSDESK_REPLICA_URL` and for the tests. It has its own socket in its
    /// own directory ([`EmbeddedPg::url_for`]).
    pub fn standby_of(&self, data_dir: &Path) -> Result<EmbeddedPg, EmbeddedPgError> {
        let standby = EmbeddedPg::new(data_dir)?;
        if standby.pgdata.exists() {
            return Err(EmbeddedPgError::Command {
                what: "pg_basebackup".into(),
                detail: format!("{} exists already", standby.pgdata.display()),
            });
        }
        std::fs::create_dir_all(&standby.pgdata)
            .map_err(io_err(format!("create {}", standby.pgdata.display())))?;
        std::fs::set_permissions(&standby.pgdata, std::fs::Permissions::from_mode(0o700))
            .map_err(io_err(format!("chmod {}", standby.pgdata.display())))?;
        if let Some((uid, gid)) = standby.run_as {
            chown(&standby.pgdata, uid, gid)?;
        }
        let mut cmd = self.command("pg_basebackup");
        cmd.arg("-D")
            .arg(&standby.pgdata)
            .args(["-R", "-X", "stream", "-c", "fast", "-h"])
            .arg(&self.pgdata)
            .arg(format!("--username={SUPERUSER}"));
        self.run(cmd, "pg_basebackup")?;
        Ok(standby)
    }

    /// Whether this process started the postmaster.
    pub fn started_here(&self) -> bool {
        self.started_here
    }

    /// Stops the cluster if this process started it (fast shutdown: sessions end, data is flushed).
    pub fn stop(&mut self) -> Result<(), EmbeddedPgError> {
        if !self.started_here {
            return Ok(());
        }
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D")
            .arg(&self.pgdata)
            .args(["-m", "fast", "-w", "-s", "stop"]);
        self.run(cmd, "pg_ctl stop")?;
        self.started_here = false;
        tracing::info!("embedded PostgreSQL stopped");
        Ok(())
    }

    /// A watchdog that stops this cluster and removes `also_remove` once process `pid` has
    /// exited: the test harness's process has no reliable exit hook.
    pub fn stop_command_when_gone(&self, pid: u32, also_remove: &Path) -> Command {
        // pg_ctl refuses to run as root, the clean-up needs root: `su` only for pg_ctl.
        let stop = if self.run_as.is_some() {
            "su postgres -s /bin/sh -c \"'$0' -D '$1' -m immediate -w -s stop\""
        } else {
            "\"$0\" -D \"$1\" -m immediate -w -s stop"
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf \"$2\""
        );
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(script)
            .arg(self.bindir.join("pg_ctl"))
            .arg(&self.pgdata)
            .arg(also_remove)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        cmd
    }
}

fn tail(text: &str, n: usize) -> &str {
    let start = text.len().saturating_sub(n);
    let mut i = start;
    while !text.is_char_boundary(i) {
        i += 1;
    }
    &text[i..]
}

/// Whether `pid` is a live PostgreSQL process: it exists, is not a zombie (a postmaster killed
/// outright stays one where nothing reaps it, as in containers without an init), and is
/// `postgres`.
fn postmaster_alive(pid: i32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) state …`; comm may hold spaces and parentheses, the state follows the last ')'.
    let Some((head, rest)) = stat.rsplit_once(')') else {
        return false;
    };
    let comm = head.split_once('(').map(|(_, c)| c).unwrap_or_default();
    let state = rest.trim_start().chars().next();
    matches!(comm, "postgres" | "postmaster") && !matches!(state, None | Some('Z' | 'X'))
}
