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

/// Claims up to `n` due messages for this process: the oldest pending one of each ordering key
/// (so a key's messages go in order), not leased by another process, each leased for [`LEASE`]
/// and its attempt counted.
pub fn claim(conn: &mut PgConnection, n: i64) -> QueryResult<Vec<Claimed>> {
    diesel::sql_query(
        "WITH due AS ( \
           SELECT o.id FROM outbox o \
           WHERE o.state = 'pending' AND o.next_attempt_at <= now() \
             AND (o.lease_until IS NULL OR o.lease_until < now()) \
             AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.ordering_key = o.ordering_key \
                             AND e.state = 'pending' AND e.id < o.id) \
           ORDER BY o.next_attempt_at, o.id LIMIT $1 \
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

/// Records attempt `m.attempts` of `m` and what follows: delivered, the next attempt after
/// its delay, or failed for good after the last.
pub fn finish(conn: &mut PgConnection, m: &Claimed, o: &Outcome) -> QueryResult<()> {
    conn.transaction(|c| {
        diesel::sql_query(
            "INSERT INTO outbox_attempts (outbox_id, number, at, status, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
        )
        .bind::<SqlUuid, _>(m.id)
        .bind::<Integer, _>(m.attempts)
        .bind::<Timestamptz, _>(o.started)
        .bind::<Nullable<Integer>, _>(o.status)
        .bind::<Nullable<Text>, _>(o.error.as_deref())
        .bind::<Integer, _>(o.duration_ms)
        .execute(c)?;
        let delay = usize::try_from(m.attempts - 1)
            .ok()
            .and_then(|i| RETRY_AFTER.get(i))
            .copied();
        let (state, next) = match (o.delivered, delay) {
            (true, _) => ("delivered", None),
            (false, Some(secs)) => ("pending", Some(Utc::now() + Duration::seconds(secs))),
            (false, None) => ("failed", None),
        };
        diesel::sql_query(
            "UPDATE outbox SET state = $2, next_attempt_at = $3, lease_until = NULL, \
             last_status = $4, last_error = $5, \
             delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END \
             WHERE id = $1",
        )
        .bind::<SqlUuid, _>(m.id)
        .bind::<Text, _>(state)
        .bind::<Nullable<Timestamptz>, _>(next)
        .bind::<Nullable<Integer>, _>(o.status)
        .bind::<Nullable<Text>, _>(o.error.as_deref())
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

/// Sends a webhook's delivery again now (one more attempt, whatever its state); `None` when
/// the webhook has no such delivery.
pub fn retry(
    conn: &mut PgConnection,
    webhook: Uuid,
    delivery: Uuid,
) -> QueryResult<Option<Delivery>> {
    diesel::sql_query(
        "UPDATE outbox SET state = 'pending', next_attempt_at = now(), lease_until = NULL \
         WHERE id = $2 AND webhook_id = $1 \
         RETURNING id, event, state, attempts, last_status, last_error, next_attempt_at, delivered_at, created_at",
    )
    .bind::<SqlUuid, _>(webhook)
    .bind::<SqlUuid, _>(delivery)
    .get_result(conn)
    .optional()
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
