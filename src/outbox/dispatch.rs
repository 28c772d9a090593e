//! The dispatcher: in every process, claims due messages (each attempt made by exactly one
//! process), sends them with a 10 s timeout, and records the outcome. Woken by this process's
//! commits; polls every second for the others' and for retries that come due.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use tokio::sync::Notify;

use super::guard::{self, PublicOnly};
use super::queries::{self, Claimed, Outcome};
use super::signature;
use super::Targets;
use crate::db::{self, DbPool};
use crate::error::chain;

/// How long one attempt may take.
pub const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Messages claimed at once.
const BATCH: i64 = 64;

/// How often the outbox is looked at without a wake-up.
const POLL: Duration = Duration::from_secs(1);

/// After this many finished messages (and at least [`VACUUM_PAUSE`] since the last time) the
/// dispatcher vacuums the outbox itself: autovacuum wakes once a minute, and under a stream of
/// publications a minute's dead index entries made each claim read a thousand pages (2→7 ms).
const VACUUM_EVERY: usize = 1_000;
const VACUUM_PAUSE: Duration = Duration::from_secs(10);

/// How long the dispatcher lets commits gather before it claims (after a wake-up, and after
/// a batch that did not fill up): under a stream of publications one round then carries
/// several, and their purges and pushes go out as one request each — for at most this much
/// more latency.
const GATHER: Duration = Duration::from_millis(20);

/// An HTTP client of outgoing messages: rustls, a 10 s timeout, no redirects followed (a
/// redirect could lead anywhere); with `guard`, public addresses only (webhooks), without it
/// any (the operator's own endpoints: the CDN's purge URL, search engines).
pub fn client(guard: Option<PublicOnly>) -> reqwest::Result<reqwest::Client> {
    let builder = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("newsdesk/", env!("CARGO_PKG_VERSION")));
    match guard {
        Some(g) => builder.dns_resolver(Arc::new(g)),
        None => builder,
    }
    .build()
}

/// What an attempt that took from `started` (`clock`) came to.
fn outcome(result: Result<u16, String>, started: chrono::DateTime<Utc>, clock: Instant) -> Outcome {
    let duration_ms = i32::try_from(clock.elapsed().as_millis()).unwrap_or(i32::MAX);
    match result {
        Ok(status) => Outcome {
            status: Some(i32::from(status)),
            error: (!(200..300).contains(&status)).then(|| format!("answered {status}")),
            delivered: (200..300).contains(&status),
            started,
            duration_ms,
        },
        Err(error) => Outcome {
            status: None,
            error: Some(error),
            delivered: false,
            started,
            duration_ms,
        },
    }
}

/// The clients and targets messages go out with.
struct Senders {
    /// For webhooks: public addresses only (unless allowed).
    hooks: reqwest::Client,
    /// For the operator's own endpoints (the CDN's purge URL, search engines): any address.
    ops: reqwest::Client,
    targets: Targets,
}

/// Sends one webhook delivery.
async fn send(senders: &Senders, m: &Claimed) -> Outcome {
    let (started, clock) = (Utc::now(), Instant::now());
    outcome(deliver(senders, m).await, started, clock)
}

/// One HTTP request for webhook delivery `m`: its status, or why there was none.
async fn deliver(senders: &Senders, m: &Claimed) -> Result<u16, String> {
    let (Some(url), Some(secret)) = (&m.url, &m.secret) else {
        return Err("the webhook is gone".into());
    };
    let url = guard::check_url(url, senders.targets.allow_private)?;
    let body = serde_json::to_vec(&m.payload).map_err(|e| e.to_string())?;
    let id = m.id.to_string();
    let timestamp = Utc::now().timestamp();
    let signature = signature::sign(secret, &id, timestamp, &body)
        .ok_or("the webhook's secret is malformed")?;
    let res = senders
        .hooks
        .post(url)
        .header("content-type", "application/json")
        .header("webhook-id", id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| chain(&e))?;
    Ok(res.status().as_u16())
}

/// The one request that sends a batch of messages of `kind` that go together: the union of
/// purges' keys, or search-engine messages' page URLs.
async fn push(senders: &Senders, kind: &str, batch: &[Claimed]) -> Result<u16, String> {
    let urls: Vec<&str> = batch
        .iter()
        .filter_map(|m| m.payload["url"].as_str())
        .collect();
    let request = match kind {
        "purge" => {
            let target = senders
                .targets
                .purge
                .as_ref()
                .ok_or("NEWSDESK_PURGE_URL is not set")?;
            let mut keys: Vec<String> = Vec::new();
            for m in batch {
                for k in m.payload["keys"].as_array().into_iter().flatten() {
                    if let Some(k) = k.as_str().filter(|k| !keys.iter().any(|x| x == k)) {
                        keys.push(k.to_owned());
                    }
                }
            }
            crate::cdn::purge::request(&senders.ops, target, &keys)?
        }
        "indexnow" => {
            let target = senders
                .targets
                .indexnow
                .as_ref()
                .ok_or("NEWSDESK_INDEXNOW_KEY is not set")?;
            let host = reqwest::Url::parse(urls.first().copied().unwrap_or_default())
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            senders.ops.post(&target.url).json(&serde_json::json!({
                "host": host,
                "key": target.key,
                "urlList": urls,
            }))
        }
        _ => {
            let url = senders
                .targets
                .baidu_push_url
                .as_ref()
                .ok_or("NEWSDESK_BAIDU_PUSH_URL is not set")?;
            senders
                .ops
                .post(url)
                .header("content-type", "text/plain")
                .body(urls.join("\n"))
        }
    };
    let res = request.send().await.map_err(|e| chain(&e))?;
    Ok(res.status().as_u16())
}

/// One batch's messages of `kind` that go together, sent as one request: each one's outcome.
async fn send_pushes(senders: &Senders, kind: &str, batch: &[Claimed]) -> Vec<Outcome> {
    if batch.is_empty() {
        return vec![];
    }
    let (started, clock) = (Utc::now(), Instant::now());
    let outcome = outcome(push(senders, kind, batch).await, started, clock);
    vec![outcome; batch.len()]
}

/// Claims and sends until there is nothing due, then waits for a wake-up or the next poll.
pub async fn run(pool: DbPool, wake: Arc<Notify>, targets: Targets) {
    let guard = PublicOnly {
        allow_private: targets.allow_private,
    };
    let senders = match (client(Some(guard)), client(None)) {
        (Ok(hooks), Ok(ops)) => Senders {
            hooks,
            ops,
            targets,
        },
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "cannot build the outbox's HTTP clients; nothing will be sent");
            return;
        }
    };
    let mut pruned = Instant::now();
    let (mut finished_since, mut vacuumed) = (0, Instant::now());
    loop {
        if finished_since >= VACUUM_EVERY && vacuumed.elapsed() > VACUUM_PAUSE {
            (finished_since, vacuumed) = (0, Instant::now());
            if let Err(e) = db::run(&pool, |c| Ok(queries::vacuum(c)?)).await {
                tracing::debug!(error = %e, "cannot vacuum the outbox");
            }
        }
        if pruned.elapsed() > Duration::from_secs(3600) {
            pruned = Instant::now();
            if let Err(e) = db::run(&pool, |c| Ok(queries::prune(c)?)).await {
                tracing::warn!(error = %e, "cannot prune the outbox");
            }
        }
        let claimed = db::run(&pool, |c| Ok(queries::claim(c, BATCH)?)).await;
        let batch = match claimed {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the outbox");
                Vec::new()
            }
        };
        if batch.is_empty() {
            if tokio::time::timeout(POLL, wake.notified()).await.is_ok() {
                tokio::time::sleep(GATHER).await;
            }
            continue;
        }
        let full = batch.len() as i64 == BATCH;
        // Webhooks one by one; purges and search-engine pushes due together as one request
        // per kind (a purge of the union of the keys).
        let (webhooks, grouped): (Vec<Claimed>, Vec<Claimed>) =
            batch.into_iter().partition(|m| m.kind == "webhook");
        let mut groups: Vec<(String, Vec<Claimed>)> = Vec::new();
        for m in grouped {
            match groups.iter_mut().find(|(k, _)| *k == m.kind) {
                Some((_, g)) => g.push(m),
                None => groups.push((m.kind.clone(), vec![m])),
            }
        }
        let sends = webhooks.iter().map(|m| send(&senders, m));
        let pushes = groups
            .iter()
            .map(|(kind, g)| send_pushes(&senders, kind, g));
        let (mut outcomes, pushed) = futures_util::future::join(
            futures_util::future::join_all(sends),
            futures_util::future::join_all(pushes),
        )
        .await;
        outcomes.extend(pushed.into_iter().flatten());
        let done: Vec<(Claimed, Outcome)> = webhooks
            .into_iter()
            .chain(groups.into_iter().flat_map(|(_, g)| g))
            .zip(outcomes)
            .collect();
        for (m, outcome) in &done {
            if !outcome.delivered {
                tracing::info!(id = %m.id, event = %m.event, attempt = m.attempts, error = ?outcome.error, "not delivered");
            }
            metrics::counter!("outbox_attempts_total", "kind" => kind_label(&m.kind), "delivered" => if outcome.delivered { "true" } else { "false" }).increment(1);
        }
        finished_since += done.len();
        // Every outcome of the batch in one transaction, two statements.
        let finished = db::run(&pool, move |c| Ok(queries::finish(c, &done)?)).await;
        if let Err(e) = finished {
            tracing::warn!(error = %e, "cannot record a batch's attempts; their leases will expire and they are sent again");
        }
        if !full {
            tokio::time::sleep(GATHER).await;
        }
    }
}

fn kind_label(kind: &str) -> &'static str {
    match kind {
        "webhook" => "webhook",
        "purge" => "purge",
        "indexnow" => "indexnow",
        "baidu" => "baidu",
        _ => "other",
    }
}
