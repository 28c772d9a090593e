//! The outbox's statements: a message written with its change, claimed with a lease by one
//! process, finished with the attempt's outcome; the delivery history of a webhook.

use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

/// How long a claimed message is the claimer's: longer than an attempt may take.
pub const LEASE: Duration = Duration::seconds(60);

/// The delays after each failed attempt (Standard Webhooks' schedule): 8 attempts over 27.6 h.
pub const RETRY_AFTER: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/// A message to write.
#[derive(Debug, Clone)]
pub struct NewMessage {
    pub id: Uuid,
    pub kind: &'static str,
    pub webhook_id: Option<Uuid>,
    pub event: &'static str,
    pub ordering_key: String,
    pub payload: serde_json::Value,
}

/// Writes `messages`, due now, in one statement.
pub fn insert(conn: &mut PgConnection, messages: &[NewMessage]) -> QueryResult<usize> {
    use diesel::sql_types::Array;
    if messages.is_empty() {
        return Ok(0);
    }
    diesel::sql_query(
        "INSERT INTO outbox (id, kind, webhook_id, event, ordering_key, payload, next_attempt_at) \
         SELECT id, kind, webhook_id, event, ordering_key, payload, now() \
         FROM unnest($1, $2, $3, $4, $5, $6) AS m(id, kind, webhook_id, event, ordering_key, payload)",
    )
    .bind::<Array<SqlUuid>, _>(messages.iter().map(|m| m.id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(messages.iter().map(|m| m.kind).collect::<Vec<_>>())
    .bind::<Array<Nullable<SqlUuid>>, _>(messages.iter().map(|m| m.webhook_id).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(messages.iter().map(|m| m.event).collect::<Vec<_>>())
    .bind::<Array<Text>, _>(messages.iter().map(|m| m.ordering_key.as_str()).collect::<Vec<_>>())
    .bind::<Array<Jsonb>, _>(messages.iter().map(|m| &m.payload).collect::<Vec<_>>())
    .execute(conn)
}

/// A claimed message, with where it goes.
#[derive(Debug, Clone, QueryableByName)]
pub struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
    /// This attempt's number (1 for the first).
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    pub url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub secret: Option<String>,
}

/// Claims up to `n` due messages for this process: the first written pending one of each
/// ordering key (`seq`, taken in the writes' transactions: so a key's messages go in the order
/// their writes committed, whichever process or clock wrote them), not leased by another
/// process, each leased for [`LEASE`] and its attempt counted.
///
/// The due index is read in order and stops after `n`; the head of each candidate's key is a
/// correlated `min(seq)` (a probe of `outbox_order` per candidate, which no plan turns into a
/// join): with thousands pending a claim stays under a millisecond, where an anti-join the
/// planner misjudged from stale statistics compared every pending pair (8.5 s at 3 000).
pub fn claim(conn: &mut PgConnection, n: i64) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS ( \
           SELECT o.id FROM outbox o \
           WHERE o.state = 'pending' AND o.next_attempt_at <= now() \
             AND (o.lease_until IS NULL OR o.lease_until < now()) \
             AND o.seq = (SELECT min(e.seq) FROM outbox e \
                          WHERE e.ordering_key = o.ordering_key AND e.state = 'pending') \
           ORDER BY o.next_attempt_at, o.seq LIMIT $1 \
           FOR UPDATE OF o SKIP LOCKED), \
         leased AS ( \
           UPDATE outbox o SET lease_until = now() + make_interval(secs => $2), attempts = o.attempts + 1 \
           FROM due WHERE o.id = due.id \
           RETURNING o.id, o.kind, o.event, o.payload, o.attempts, o.webhook_id) \
         SELECT l.id, l.kind, l.event, l.payload, l.attempts, w.url, w.secret \
         FROM leased l LEFT JOIN webhooks w ON w.id = l.webhook_id ORDER BY l.id",
    )
    .bind::<diesel::sql_types::BigInt, _>(n)
    .bind::<diesel::sql_types::Double, _>(LEASE.num_seconds() as f64)
    .load(conn)
}

/// What an attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<i32>,
    pub error: Option<String>,
    pub delivered: bool,
    pub started: DateTime<Utc>,
    pub duration_ms: i32,
}

/// What follows attempt `m.attempts` with outcome `o`: delivered, pending until the next
/// attempt after its delay, or failed for good after the last.
fn next_state(m: &Claimed, o: &Outcome) -> (&'static str, Option<DateTime<Utc>>) {
    let delay = usize::try_from(m.attempts - 1)
        .ok()
        .and_then(|i| RETRY_AFTER.get(i))
        .copied();
    match (o.delivered, delay) {
        (true, _) => ("delivered", None),
        (false, Some(secs)) => ("pending", Some(Utc::now() + Duration::seconds(secs))),
        (false, None) => ("failed", None),
    }
}

/// Records the attempts of a batch and what follows each, in two statements.
pub fn finish(conn: &mut PgConnection, done: &[(Claimed, Outcome)]) -> QueryResult<()> {
    use diesel::sql_types::Array;
    if done.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = done.iter().map(|(m, _)| m.id).collect();
    let numbers: Vec<i32> = done.iter().map(|(m, _)| m.attempts).collect();
    let started: Vec<DateTime<Utc>> = done.iter().map(|(_, o)| o.started).collect();
    let statuses: Vec<Option<i32>> = done.iter().map(|(_, o)| o.status).collect();
    let errors: Vec<Option<&str>> = done.iter().map(|(_, o)| o.error.as_deref()).collect();
    let durations: Vec<i32> = done.iter().map(|(_, o)| o.duration_ms).collect();
    // `o.id = ANY($1)` beside the join gives the planner the primary key to look rows up by,
    // whatever it guesses of the unnest's size (else a hash join may read the whole table).
    let (states, next): (Vec<&str>, Vec<Option<DateTime<Utc>>>) =
        done.iter().map(|(m, o)| next_state(m, o)).unzip();
    conn.transaction(|c| {
        diesel::sql_query(
            "INSERT INTO outbox_attempts (outbox_id, number, at, status, error, duration_ms) \
             SELECT * FROM unnest($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Integer>, _>(&numbers)
        .bind::<Array<Timestamptz>, _>(&started)
        .bind::<Array<Nullable<Integer>>, _>(&statuses)
        .bind::<Array<Nullable<Text>>, _>(&errors)
        .bind::<Array<Integer>, _>(&durations)
        .execute(c)?;
        diesel::sql_query(
            "UPDATE outbox o SET state = d.state, next_attempt_at = d.next, lease_until = NULL, \
             last_status = d.status, last_error = d.error, \
             delivered_at = CASE WHEN d.state = 'delivered' THEN now() ELSE o.delivered_at END \
             FROM unnest($1, $2, $3, $4, $5) AS d(id, state, next, status, error) \
             WHERE o.id = d.id AND o.id = ANY($1)",
        )
        .bind::<Array<SqlUuid>, _>(&ids)
        .bind::<Array<Text>, _>(&states)
        .bind::<Array<Nullable<Timestamptz>>, _>(&next)
        .bind::<Array<Nullable<Integer>>, _>(&statuses)
        .bind::<Array<Nullable<Text>>, _>(&errors)
        .execute(c)?;
        Ok(())
    })
}

/// One message of a webhook, as its delivery history shows it.
#[derive(Debug, Clone, QueryableByName)]
pub struct Delivery {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub event: String,
    #[diesel(sql_type = Text)]
    pub state: String,
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub last_status: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub last_error: Option<String>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub delivered_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
}

/// A webhook's deliveries, newest first, after `before` (a delivery id), at most `limit + 1`.
pub fn deliveries(
    conn: &mut PgConnection,
    webhook: Uuid,
    before: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<Delivery>> {
    diesel::sql_query(
        "SELECT id, event, state, attempts, last_status, last_error, next_attempt_at, delivered_at, created_at \
         FROM outbox WHERE webhook_id = $1 AND ($2::uuid IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
    )
    .bind::<SqlUuid, _>(webhook)
    .bind::<Nullable<SqlUuid>, _>(before)
    .bind::<diesel::sql_types::BigInt, _>(limit + 1)
    .load(conn)
}

/// Sends a webhook's delivery again now (one more attempt, whatever its state; an attempt in
/// flight keeps its lease, so no two run at once); `None` when the webhook has no such delivery.
pub fn retry(
    conn: &mut PgConnection,
    webhook: Uuid,
    delivery: Uuid,
) -> QueryResult<Option<Delivery>> {
    diesel::sql_query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = now(), \
         lease_until = CASE WHEN lease_until > now() THEN lease_until END \
         WHERE id = $2 AND webhook_id = $1 \
         RETURNING id, event, state, attempts, last_status, last_error, next_attempt_at, delivered_at, created_at",
    )
    .bind::<SqlUuid, _>(webhook)
    .bind::<SqlUuid, _>(delivery)
    .get_result(conn)
    .optional()
}

/// Vacuums the outbox (and refreshes its statistics): a finished message leaves a dead entry in
/// the partial indexes of pending rows, which every claim reads until a vacuum removes it.
pub fn vacuum(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query("VACUUM (ANALYZE, SKIP_LOCKED) outbox").execute(conn)
}

/// How long sent and failed messages (and their attempts) are kept for the history.
pub const KEPT_DAYS: i32 = 30;

/// Forgets messages done for longer than [`KEPT_DAYS`]; how many.
pub fn prune(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM outbox WHERE state <> 'pending' AND created_at < now() - make_interval(days => $1)",
    )
    .bind::<Integer, _>(KEPT_DAYS)
    .execute(conn)
}
