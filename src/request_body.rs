//! Reading request bodies: a deadline for the whole body (a client trickling a byte every few
//! seconds is cut off, not waited for), the 2 MiB limit, and JSON bodies whose errors name the
//! field (`byline[0].role: invalid type …`), as API.md §7 asks.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes, BytesMut};
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::{Stream, StreamExt};
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// Request bodies above this are refused with 413.
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// How long a request's body may take to arrive, from the end of its head
/// (`NEWSDESK_BODY_TIMEOUT`); registered as app data for [`deadline`].
#[derive(Debug, Clone, Copy)]
pub struct BodyTimeout(pub Duration);

/// The payload of a request, cut off with a timeout error once its deadline has passed.
struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        if self.sleep.as_mut().poll(cx).is_ready() {
            self.expired = true;
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Pin::new(&mut self.inner).poll_next(cx)
    }
}

/// Whether a request comes with a body (a length above zero, or chunks).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(actix_web::http::header::TRANSFER_ENCODING)
        || declared_length(req.request()).is_some_and(|n| n > 0)
}

/// Whether `req` uploads an image (`POST /api/v1/media`): its body may be larger than 2 MiB,
/// its deadline starts when its turn comes ([`with_deadline`]), and it is idempotent by content.
pub fn is_upload(req: &HttpRequest) -> bool {
    req.method() == actix_web::http::Method::POST && req.path() == "/api/v1/media"
}

/// `payload`, cut off with a timeout error `timeout` from now.
pub fn with_deadline(payload: Payload, timeout: Duration) -> Payload {
    let stream = Deadline {
        inner: payload,
        sleep: Box::pin(tokio::time::sleep(timeout)),
        expired: false,
    };
    Payload::Stream {
        payload: Box::pin(stream),
    }
}

/// Gives every request body a deadline ([`BodyTimeout`]); whoever reads it past then reads a
/// timeout, answered 408. Requests without a body (most reads) get no timer; uploads get theirs
/// when their turn comes.
pub async fn deadline(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let timeout = (has_body(&req) && !is_upload(req.request()))
        .then(|| req.app_data::<web::Data<BodyTimeout>>().map(|t| t.0))
        .flatten();
    if let Some(timeout) = timeout {
        let inner = req.take_payload();
        req.set_payload(with_deadline(inner, timeout));
    }
    next.call(req).await
}

/// The problem a failed body read is: 408 past the deadline, 413 over the limit, else 400.
pub fn read_error(e: &PayloadError) -> AppError {
    match e {
        PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            AppError::RequestTimeout
        }
        PayloadError::Overflow => AppError::PayloadTooLarge { limit: MAX_BODY },
        other => AppError::bad_request(
            "malformed_request",
            format!("cannot read the body: {other}"),
        ),
    }
}

/// The whole body, at most [`MAX_BODY`] bytes.
pub async fn read(payload: Payload, declared: Option<usize>) -> Result<Bytes, AppError> {
    read_at_most(payload, declared, MAX_BODY).await
}

/// The whole body, at most `limit` bytes (413 beyond, before reading when it says so).
pub async fn read_at_most(
    mut payload: Payload,
    declared: Option<usize>,
    limit: usize,
) -> Result<Bytes, AppError> {
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let mut body = BytesMut::with_capacity(declared.unwrap_or(1024).min(limit));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| read_error(&e))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The `Content-Length` a request declares.
pub fn declared_length(req: &HttpRequest) -> Option<usize> {
    req.headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// A JSON request body (`application/json` or a `+json` type), decoded into `T`; what is wrong
/// with it names the field.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(m)) => {
            (m.type_() == "application" && m.subtype() == "json")
                || m.suffix().is_some_and(|s| s == "json")
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType(
                    "send the body as application/json".into(),
                ));
            }
            let body = read(payload, declared).await?;
            decode(&body).map(Json)
        })
    }
}

/// An optional JSON body: none (or only white space) and `null` are `None`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let declared = declared_length(req);
        let payload = payload.take();
        Box::pin(async move {
            let body = read(payload, declared).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(None));
            }
            decode::<Option<T>>(&body).map(OptionalJson)
        })
    }
}

/// `serde_json`'s message without its position (`… at line 1 column 10`).
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" at line ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}

/// The dotted path of a field inside `path` (`byline[0]` + `role`).
fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_owned()
    } else {
        format!("{path}.{field}")
    }
}

/// The name serde quotes after `after` in its message (`unknown field `x`` → `x`); also read
/// by the query-string error handler.
pub fn quoted(message: &str, after: &str) -> Option<String> {
    let rest = message.split(after).nth(1)?;
    Some(rest.split('`').next()?.to_owned())
}

/// Decodes `body` as `T`: malformed JSON is `malformed_json`; a value of the wrong shape names
/// its field (`unknown_field`, or `malformed_request` for a wrong type or a missing field).
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    let err = match serde_path_to_error::deserialize(&mut *de) {
        Ok(v) => {
            // Only white space may follow the value.
            return de.end().map(|()| v).map_err(|e| {
                AppError::bad_request("malformed_json", format!("malformed JSON: {e}"))
            });
        }
        Err(err) => err,
    };
    let inner = err.inner();
    if !inner.is_data() {
        return Err(AppError::bad_request(
            "malformed_json",
            format!("malformed JSON: {inner}"),
        ));
    }
    let path = err.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let message = without_position(inner);
    // The path of an unknown field ends with it; that of a missing one is its object's.
    let (code, field, said) = if let Some(name) = quoted(&message, "unknown field `") {
        let field = if path.is_empty() { name } else { path };
        ("unknown_field", field, "unknown field".to_owned())
    } else if let Some(name) = quoted(&message, "missing field `") {
        (
            "malformed_request",
            join(&path, &name),
            "is required".to_owned(),
        )
    } else {
        ("malformed_request", path, message.clone())
    };
    let detail = if field.is_empty() {
        format!("invalid body: {message}")
    } else {
        format!("invalid body: {field}: {message}")
    };
    let errors = if field.is_empty() {
        vec![]
    } else {
        vec![FieldError::new(field, said)]
    };
    Err(AppError::BadRequest {
        code,
        detail,
        errors,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only decoded")]
    struct Credit {
        correspondent_id: uuid::Uuid,
        role: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "only decoded")]
    struct Body {
        title: String,
        byline: Vec<Credit>,
    }

    fn field_of(json: &str) -> (String, String) {
        match decode::<Body>(json.as_bytes()) {
            Err(AppError::BadRequest { code, errors, .. }) => (
                code.to_owned(),
                errors.first().map(|e| e.field.clone()).unwrap_or_default(),
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_field() {
        let id = "01a234ae-b98d-70cd-bdfd-b51096df5471";
        assert_eq!(
            field_of(r#"{"title": 5, "byline": []}"#),
            ("malformed_request".into(), "title".into())
        );
        assert_eq!(
            field_of(r#"{"byline": []}"#),
            ("malformed_request".into(), "title".into())
        );
        assert_eq!(
            field_of(&format!(
                r#"{{"title": "t", "byline": [{{"correspondent_id": "{id}", "role": 1}}]}}"#
            )),
            ("malformed_request".into(), "byline[0].role".into())
        );
        assert_eq!(
            field_of(r#"{"title": "t", "byline": [{"correspondent_id": "nope", "role": "x"}]}"#),
            (
                "malformed_request".into(),
                "byline[0].correspondent_id".into()
            )
        );
        assert_eq!(
            field_of(r#"{"title": "t", "byline": [], "colour": 1}"#),
            ("unknown_field".into(), "colour".into())
        );
        assert_eq!(
            field_of(&format!(
                r#"{{"title": "t", "byline": [{{"correspondent_id": "{id}", "role": "x", "x": 1}}]}}"#
            )),
            ("unknown_field".into(), "byline[0].x".into())
        );
        assert_eq!(
            field_of(r#"{"title": "#),
            ("malformed_json".into(), String::new())
        );
        assert_eq!(
            field_of(r#"{"title": "t", "byline": []} trailing"#),
            ("malformed_json".into(), String::new())
        );
    }
}
