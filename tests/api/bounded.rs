//! Anonymous searches and counts cost us a bounded share: a lane of the pool with a time limit
//! per statement, and `page.total` counted once for every page of a list.

use std::time::Duration;

use diesel::RunQueryDsl;
use newsdesk::error::AppError;
use newsdesk::lane::Lane;
use newsdesk::replica::{Reader, Reads};

use crate::helpers::{Newsroom, TestApp};

#[test]
fn a_count_serves_every_limit_and_cursor_until_a_write() {
    let n = Newsroom::new();
    for i in 0..3 {
        n.app
            .published(&n.admin, &n.article(&format!("园区招商{i}")));
    }
    let total = |path: &str| -> (i64, usize) {
        let before = n.app.queries.get();
        let v = n.app.get(path).expect(200).json();
        (
            v["page"]["total"].as_i64().unwrap(),
            n.app.queries.get() - before,
        )
    };
    // A first search leases this client's allowance (one statement the counts below leave out).
    n.app
        .get("/api/v1/articles?q=%E6%8B%9B%E5%95%86")
        .expect(200);
    let q = "/api/v1/articles?q=%E5%9B%AD%E5%8C%BA&count=true";
    let (first, counted) = total(&format!("{q}&limit=1"));
    assert_eq!(first, 3);
    // Another limit misses the response cache but not the count.
    let (second, shared) = total(&format!("{q}&limit=2"));
    assert_eq!(second, 3);
    assert_eq!(shared, counted - 1, "the count ran again");
    // A write makes it stale.
    n.app.published(&n.admin, &n.article("园区招商又一篇"));
    assert_eq!(total(&format!("{q}&limit=3")).0, 4);
}

#[test]
fn the_lane_bounds_its_statements_and_its_places() {
    let app = TestApp::spawn();
    let pool = newsdesk::db::build_pool(app.database_url(), 4);
    let reads = Reads::new(pool.clone(), None);
    let rt = actix_web::rt::System::new();
    // A statement over the lane's time is cancelled: 503, not a connection held for minutes.
    let short = Lane::new(4, Duration::from_millis(200));
    let r = rt.block_on(short.run(&reads, Reader::Public, |c| {
        diesel::sql_query("SELECT pg_sleep(2)").execute(c)?;
        Ok(())
    }));
    assert!(matches!(r, Err(AppError::Overloaded(_))), "{r:?}");
    assert_eq!(short.places(), 1, "a pool of 4 gives the lane one place");
    // While the lane's one place is taken, the others wait for it (and give up after a while);
    // the rest of the pool stays free for other readers.
    let lane = std::sync::Arc::new(Lane::new(4, Duration::from_secs(30)));
    let (busy_lane, busy_reads) = (lane.clone(), reads.clone());
    let busy = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(busy_lane.run(&busy_reads, Reader::Public, |c| {
            diesel::sql_query("SELECT pg_sleep(7)").execute(c)?;
            Ok(())
        }))
    });
    std::thread::sleep(Duration::from_millis(300));
    let other = rt.block_on(newsdesk::db::run(&pool, |c| {
        diesel::sql_query("SELECT 1").execute(c)?;
        Ok(())
    }));
    assert!(other.is_ok(), "{other:?}");
    let queued = rt.block_on(lane.run(&reads, Reader::Public, |c| {
        diesel::sql_query("SELECT 1").execute(c)?;
        Ok(())
    }));
    assert!(matches!(queued, Err(AppError::Overloaded(_))), "{queued:?}");
    busy.join().unwrap().unwrap();
}
