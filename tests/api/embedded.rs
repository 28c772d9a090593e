//! The embedded cluster after a crash: a postmaster killed outright (reaped, or left a zombie
//! because nothing reaps it) is not taken for a running one; its leftovers are recovered.

use std::process::Command;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use newsdesk::embedded_pg::EmbeddedPg;

fn answers(pg: &EmbeddedPg) -> bool {
    PgConnection::establish(&pg.url_for("postgres"))
        .and_then(|mut c| {
            diesel::sql_query("SELECT 1")
                .execute(&mut c)
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
        })
        .is_ok()
}

/// `ps`'s state letter of `pid` (`Z` for a zombie), `None` once it is gone.
fn state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.trim_start().chars().next()
}

#[test]
fn a_killed_or_zombie_postmaster_is_recovered() {
    let dir = std::env::temp_dir().join(format!("newsdesk-pg-{}", uuid::Uuid::new_v4().simple()));
    let mut pg = EmbeddedPg::new(&dir).unwrap();
    pg.start().unwrap();
    assert!(answers(&pg));

    // kill -9: the postmaster is gone (or a zombie, where nothing reaps it).
    let pid = pg.running_pid().expect("running");
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !matches!(state(pid), None | Some('Z')) {
        assert!(Instant::now() < deadline, "postmaster {pid} still alive");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Its backends notice their postmaster died and leave too.
    std::thread::sleep(Duration::from_millis(500));
    let mut again = EmbeddedPg::new(&dir).unwrap();
    assert_eq!(
        again.running_pid(),
        None,
        "a dead postmaster taken for a live one"
    );
    again.start().unwrap();
    assert!(again.started_here(), "reused a dead cluster");
    assert!(answers(&again));
    again.stop().unwrap();

    // A zombie `postgres` (a child of ours, never waited for) named by the pid and socket lock
    // files, as a container without an init leaves them.
    let mut zombie = Command::new(pg.bindir().join("postgres"))
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let zpid = i32::try_from(zombie.id()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while state(zpid) != Some('Z') {
        assert!(Instant::now() < deadline, "{zpid} never became a zombie");
        std::thread::sleep(Duration::from_millis(20));
    }
    let comm = std::fs::read_to_string(format!("/proc/{zpid}/comm")).unwrap();
    assert_eq!(comm.trim(), "postgres");
    let pgdata = pg.pgdata().to_owned();
    std::fs::write(
        pgdata.join("postmaster.pid"),
        format!("{zpid}\n{}\n", pgdata.display()),
    )
    .unwrap();
    std::fs::write(
        pgdata.join(".s.PGSQL.5432.lock"),
        format!("{zpid}\n{}\n", pgdata.display()),
    )
    .unwrap();
    let mut third = EmbeddedPg::new(&dir).unwrap();
    assert_eq!(
        third.running_pid(),
        None,
        "a zombie taken for a live postmaster"
    );
    third.start().unwrap();
    assert!(third.started_here() && answers(&third));
    third.stop().unwrap();
    zombie.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
