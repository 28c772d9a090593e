//! Keyset pagination: limits, opaque cursors and the `{data, page}` envelope.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::AppError;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// Validates `?limit=` (1–100, default 20).
pub fn limit(requested: Option<i64>) -> Result<i64, AppError> {
    limit_within(requested, DEFAULT_LIMIT, MAX_LIMIT)
}

/// Validates a `?limit=` of 1–`max`, `default` when absent (400 `invalid_limit` otherwise).
pub fn limit_within(requested: Option<i64>, default: i64, max: i64) -> Result<i64, AppError> {
    match requested {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(AppError::BadRequest {
            code: "invalid_limit",
            detail: format!("limit must be between 1 and {max} (got {n})"),
            errors: vec![crate::error::FieldError::new(
                "limit",
                format!("must be between 1 and {max}"),
            )],
        }),
    }
}

/// The position after the last item of a page: the sort key of that item and its id.
/// `kind` names the ordering, so a cursor from one ordering is refused by another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub kind: char,
    /// The sort timestamp (`None` sorts before every timestamp: drafts have no `published_at`).
    pub at: Option<DateTime<Utc>>,
    /// A secondary text key (names, for alphabetic lists), when the ordering has one.
    pub key: Option<String>,
    pub id: Uuid,
}

impl Cursor {
    /// The cursor of an ordering by id alone.
    pub fn at_id(kind: char, id: Uuid) -> Cursor {
        Cursor {
            kind,
            at: None,
            key: None,
            id,
        }
    }

    pub fn encode(&self) -> String {
        let at = self
            .at
            .map_or_else(|| "-".to_owned(), |t| t.timestamp_micros().to_string());
        let key = self
            .key
            .as_deref()
            .map(|k| URL_SAFE_NO_PAD.encode(k))
            .unwrap_or_default();
        URL_SAFE_NO_PAD.encode(format!("{}|{at}|{key}|{}", self.kind, self.id))
    }

    /// Decodes a cursor made for ordering `kind`; anything else is a 400.
    pub fn decode(raw: &str, kind: char) -> Result<Cursor, AppError> {
        let bad = || AppError::BadRequest {
            code: "invalid_cursor",
            detail: "the cursor is malformed or belongs to another listing".into(),
            errors: vec![crate::error::FieldError::new("cursor", "invalid cursor")],
        };
        let bytes = URL_SAFE_NO_PAD.decode(raw).map_err(|_| bad())?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let mut parts = text.split('|');
        let (Some(k), Some(at), Some(key), Some(id), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad());
        };
        if k.len() != 1 || !k.starts_with(kind) {
            return Err(bad());
        }
        let at = match at {
            "-" => None,
            micros => Some(
                micros
                    .parse::<i64>()
                    .ok()
                    .and_then(DateTime::<Utc>::from_timestamp_micros)
                    // Within what PostgreSQL (and any real cursor) holds.
                    .filter(|t| (1..=9999).contains(&chrono::Datelike::year(t)))
                    .ok_or_else(bad)?,
            ),
        };
        let key = match key {
            "" => None,
            k => Some(
                URL_SAFE_NO_PAD
                    .decode(k)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(bad)?,
            ),
        };
        let id = Uuid::parse_str(id).map_err(|_| bad())?;
        Ok(Cursor { kind, at, key, id })
    }
}

/// `page` of the list envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageInfo {
    pub limit: i64,
    /// Opaque; pass as `?cursor=` for the next page. `null` on the last page.
    pub next_cursor: Option<String>,
    /// Total matching items, only with `?count=true`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub total: Option<i64>,
}

/// Every list answers `{ "data": [...], "page": {...} }`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub page: PageInfo,
}

impl<T> Page<T> {
    /// The page of a `limit + 1` fetch: its rows shown with `view`, the next cursor made from the
    /// last kept row.
    pub fn of<R>(
        rows: Vec<R>,
        limit: i64,
        total: Option<i64>,
        cursor_of: impl Fn(&R) -> Cursor,
        view: impl FnMut(R) -> T,
    ) -> Page<T> {
        let (rows, next_cursor) = finish(rows, limit, cursor_of);
        Page {
            data: rows.into_iter().map(view).collect(),
            page: PageInfo {
                limit,
                next_cursor,
                total,
            },
        }
    }
}

/// The position a `?cursor=` names in the ordering `kind` (400 when it is not one of its).
pub fn after(raw: Option<&str>, kind: char) -> Result<Option<Cursor>, AppError> {
    raw.map(|c| Cursor::decode(c, kind)).transpose()
}

/// Trims a `limit + 1` fetch to `limit` and makes the next cursor from the last kept row.
pub fn finish<R>(
    mut rows: Vec<R>,
    limit: i64,
    cursor_of: impl Fn(&R) -> Cursor,
) -> (Vec<R>, Option<String>) {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    if rows.len() > limit {
        rows.truncate(limit);
        let next = rows.last().map(|r| cursor_of(r).encode());
        (rows, next)
    } else {
        (rows, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trip() {
        let c = Cursor {
            kind: 'p',
            at: DateTime::from_timestamp_micros(1_775_000_000_123_456),
            key: Some("嘉鱼".into()),
            id: Uuid::now_v7(),
        };
        assert_eq!(Cursor::decode(&c.encode(), 'p').unwrap(), c);
        let none = Cursor {
            at: None,
            key: None,
            ..c.clone()
        };
        assert_eq!(Cursor::decode(&none.encode(), 'p').unwrap(), none);
    }

    #[test]
    fn bad_cursors_are_refused() {
        let c = Cursor {
            kind: 'p',
            at: None,
            key: None,
            id: Uuid::nil(),
        };
        assert!(Cursor::decode(&c.encode(), 'u').is_err());
        // A time far outside PostgreSQL's range must not reach the database.
        let far =
            URL_SAFE_NO_PAD.encode("p|-6000000000000000000||00000000-0000-0000-0000-000000000000");
        for raw in [
            "",
            "!!!",
            "cA",
            &URL_SAFE_NO_PAD.encode("p|x||00000000-0000-0000-0000-000000000000"),
            &far,
        ] {
            assert!(Cursor::decode(raw, 'p').is_err(), "{raw}");
        }
    }

    #[test]
    fn limits() {
        assert_eq!(limit(None).unwrap(), 20);
        assert_eq!(limit(Some(100)).unwrap(), 100);
        assert!(limit(Some(0)).is_err());
        assert!(limit(Some(101)).is_err());
    }
}

/// `?limit=&cursor=&count=` of the simple lists.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `page.next_cursor` (opaque, base64url).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// `true` adds `page.total`.
    pub count: Option<bool>,
}
