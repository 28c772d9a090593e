//! Login throttling: after 10 failed logins for one email within 15 minutes, or 50 from one
//! address, further attempts get 429 with `Retry-After` until the window has passed. The
//! failures are rows of `login_failures` (unlogged), so every process on the database counts
//! them together (API.md §12); statements on a connection, no HTTP.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::schema::login_failures;

pub const WINDOW_SECS: i64 = 15 * 60;
pub const MAX_PER_EMAIL: i64 = 10;
pub const MAX_PER_ADDRESS: i64 = 50;

fn email_key(email: &str) -> String {
    format!("e:{}", email.trim().to_lowercase())
}

fn address_key(addr: &str) -> String {
    format!("a:{addr}")
}

#[derive(QueryableByName)]
struct Wait {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Double>)]
    wait: Option<f64>,
}

/// Seconds until `key` is under `max` failures in the window again, when it is not now: the
/// `max`-th newest failure leaves the window then.
fn wait_of(conn: &mut PgConnection, key: &str, max: i64) -> QueryResult<Option<u64>> {
    let w: Wait = diesel::sql_query(
        "SELECT EXTRACT(EPOCH FROM (SELECT at FROM login_failures \
           WHERE key = $1 AND at > now() - make_interval(secs => $2) \
           ORDER BY at DESC OFFSET $3 - 1 LIMIT 1) + make_interval(secs => $2) - now())::float8 AS wait",
    )
    .bind::<Text, _>(key)
    .bind::<diesel::sql_types::Double, _>(WINDOW_SECS as f64)
    .bind::<BigInt, _>(max)
    .get_result(conn)?;
    // No such failure: under the limit.
    Ok(w.wait.map(|s| s.ceil().max(1.0) as u64))
}

/// `Some(seconds)` to wait when the email or the address is over its limit.
pub fn retry_after(conn: &mut PgConnection, email: &str, addr: &str) -> QueryResult<Option<u64>> {
    let by_email = wait_of(conn, &email_key(email), MAX_PER_EMAIL)?;
    let by_address = wait_of(conn, &address_key(addr), MAX_PER_ADDRESS)?;
    Ok(by_email.max(by_address))
}

/// A failed attempt, counted against the email and the address.
pub fn record_failure(conn: &mut PgConnection, email: &str, addr: &str) -> QueryResult<()> {
    diesel::insert_into(login_failures::table)
        .values(&vec![
            login_failures::key.eq(email_key(email)),
            login_failures::key.eq(address_key(addr)),
        ])
        .execute(conn)?;
    Ok(())
}

/// A successful login clears the email's failures (not the address's).
pub fn record_success(conn: &mut PgConnection, email: &str) -> QueryResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::key.eq(email_key(email))))
        .execute(conn)?;
    Ok(())
}

/// Drops the failures that left the window (the purge loop's, every ten minutes).
pub fn sweep(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM login_failures WHERE at < now() - interval '15 minutes'")
        .execute(conn)
}
