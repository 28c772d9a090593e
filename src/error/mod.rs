//! The one error type: every failure becomes an RFC 9457 `application/problem+json` body with a
//! stable snake_case `code`. Internal causes are logged, never sent. How database errors map
//! onto it is [`database`].

mod database;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// Base of every problem `type` URI.
pub const PROBLEM_BASE: &str = "https://newsdesk.dev/problems/";

/// One invalid field of a request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, dotted for nested fields (`byline[0].role`).
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The problem+json body (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// `https://newsdesk.dev/problems/<code>`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `stale_version`.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// On 412: the article's current version.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub current_version: Option<i32>,
    /// On 409 for an illegal transition: the statuses reachable from the current one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub allowed: Option<Vec<String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 400: malformed request (JSON, path, query, cursor, unknown field).
    #[error("{detail}")]
    BadRequest {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 422: well-formed but invalid values.
    #[error("{detail}")]
    Invalid {
        code: &'static str,
        detail: String,
        errors: Vec<FieldError>,
    },
    /// 401.
    #[error("{0}")]
    Unauthorized(String),
    /// 403.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 409.
    #[error("{detail}")]
    Conflict {
        code: &'static str,
        detail: String,
        allowed: Option<Vec<String>>,
    },
    /// 412: the version sent is not the current one.
    #[error("stale version: the article is at version {current}")]
    StaleVersion { current: i32 },
    /// 428: a versioned update without a version.
    #[error("a version is required")]
    VersionRequired,
    /// 413: the body is larger than `limit` bytes.
    #[error("the request body is larger than {}", size(*limit))]
    PayloadTooLarge { limit: usize },
    /// 408: the body did not arrive within `NEWSDESK_BODY_TIMEOUT`.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    /// 415.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 405, with the methods the path does support.
    #[error("this path supports {}", allowed.join(", "))]
    MethodNotAllowed { allowed: Vec<String> },
    /// 429.
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    /// 503: the database is unreachable or the pool exhausted.
    #[error("{0}")]
    Unavailable(String),
    /// 503: the lane for expensive anonymous reads is full, or the query ran out of its time.
    #[error("{0}")]
    Overloaded(String),
    /// 503: the connection was lost while the write was being committed; it may be saved.
    #[error("commit outcome unknown: {0}")]
    CommitUnknown(String),
    /// 500: a bug or an unexpected failure; the cause and its chain are logged, never sent.
    #[error("internal error: {0}")]
    Internal(#[source] BoxedError),
}

/// The original error behind an [`AppError::Internal`], kept for the log.
pub type BoxedError = Box<dyn std::error::Error + Send + Sync>;

/// An unexpected failure named by what was being done, with the error that caused it.
#[derive(Debug, thiserror::Error)]
#[error("{doing}")]
pub struct Failed {
    doing: &'static str,
    #[source]
    cause: BoxedError,
}

impl AppError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::BadRequest {
            code,
            detail: detail.into(),
            errors: vec![],
        }
    }
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        AppError::Invalid {
            code: "validation_failed",
            detail,
            errors,
        }
    }
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }
    pub fn not_found(what: &str) -> Self {
        AppError::NotFound(format!("{what} not found"))
    }
    /// 500 for `cause`, met while `doing` something (both logged).
    pub fn internal(doing: &'static str, cause: impl Into<BoxedError>) -> Self {
        AppError::Internal(Box::new(Failed {
            doing,
            cause: cause.into(),
        }))
    }

    /// 500 for a broken invariant (no underlying error).
    pub fn bug(what: &'static str) -> Self {
        AppError::Internal(what.into())
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        AppError::Conflict {
            code,
            detail: detail.into(),
            allowed: None,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            AppError::BadRequest { code, .. } | AppError::Invalid { code, .. } => code,
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict { code, .. } => code,
            AppError::StaleVersion { .. } => "stale_version",
            AppError::VersionRequired => "version_required",
            AppError::PayloadTooLarge { .. } => "payload_too_large",
            AppError::RequestTimeout => "request_timeout",
            AppError::UnsupportedMediaType(_) => "unsupported_media_type",
            AppError::MethodNotAllowed { .. } => "method_not_allowed",
            AppError::TooManyRequests { .. } => "too_many_requests",
            AppError::Unavailable(_) => "service_unavailable",
            AppError::Overloaded(_) => "overloaded",
            AppError::CommitUnknown(_) => "commit_outcome_unknown",
            AppError::Internal(_) => "internal_error",
        }
    }

    /// The body sent to the client.
    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".to_owned(),
            // The cause (socket paths, libpq's words) is logged, not sent.
            AppError::Unavailable(_) => "the service is temporarily unavailable; retry shortly".to_owned(),
            AppError::CommitUnknown(_) => "the database went away while this write was being committed: it may or may not have been saved; read it back before sending it again".to_owned(),
            AppError::StaleVersion { current } => format!(
                "the article was changed by someone else: it is at version {current}; reload it and re-apply your changes"
            ),
            AppError::VersionRequired => {
                "send the version you edited, as If-Match: \"<etag>\" or \"version\" in the body".to_owned()
            }
            other => other.to_string(),
        };
        let errors = match self {
            AppError::BadRequest { errors, .. } | AppError::Invalid { errors, .. } => {
                errors.clone()
            }
            _ => vec![],
        };
        Problem {
            type_: format!("{PROBLEM_BASE}{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: self.code().to_owned(),
            errors,
            current_version: match self {
                AppError::StaleVersion { current } => Some(*current),
                _ => None,
            },
            allowed: match self {
                AppError::Conflict { allowed, .. } => allowed.clone(),
                _ => None,
            },
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict { .. } => StatusCode::CONFLICT,
            AppError::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
            AppError::VersionRequired => StatusCode::PRECONDITION_REQUIRED,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::CommitUnknown(_) | AppError::Overloaded(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            AppError::Internal(cause) => {
                tracing::error!(cause = %chain(cause.as_ref()), "internal error")
            }
            AppError::Unavailable(cause) => tracing::warn!(%cause, "service unavailable"),
            AppError::CommitUnknown(cause) => tracing::error!(%cause, "commit outcome unknown"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json")
            .insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            AppError::TooManyRequests { retry_after, .. } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            AppError::Unavailable(_) | AppError::CommitUnknown(_) | AppError::Overloaded(_) => {
                res.insert_header((header::RETRY_AFTER, "5"));
            }
            AppError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            AppError::MethodNotAllowed { allowed } => {
                res.insert_header((header::ALLOW, allowed.join(", ")));
            }
            _ => {}
        }
        res.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

/// `2 MiB`, `1536 KiB`, `700 bytes`.
fn size(bytes: usize) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// An error and its sources, `outer: inner: innermost`.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

impl From<serde_json::Error> for AppError {
    fn from(e: serde_json::Error) -> Self {
        AppError::internal("JSON", e)
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::internal("the blocking task failed", e)
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        AppError::Unavailable(format!("database unavailable: {e}"))
    }
}

impl From<diesel::ConnectionError> for AppError {
    fn from(e: diesel::ConnectionError) -> Self {
        AppError::Unavailable(format!("database unavailable: {e}"))
    }
}
