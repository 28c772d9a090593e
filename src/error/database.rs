//! Database errors as the client's problem or ours: a unique or foreign-key violation names what
//! clashed (409/422), a lost connection is 503 and retryable, anything else a logged 500.

use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::AppError;

impl From<DieselError> for AppError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => AppError::NotFound("not found".into()),
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default().to_owned();
                match kind {
                    DatabaseErrorKind::UniqueViolation => {
                        let (code, detail) = unique_violation(&constraint);
                        AppError::conflict(code, detail)
                    }
                    DatabaseErrorKind::ForeignKeyViolation
                        if info.message().starts_with("update or delete") =>
                    {
                        match constraint.as_str() {
                            "articles_cover_media_fkey" | "article_media_media_fkey" => {
                                AppError::conflict(
                                    "media_in_use",
                                    "an article uses this media (as its cover or in its body)",
                                )
                            }
                            _ => AppError::conflict(
                                "in_use",
                                "it is still referenced by other records",
                            ),
                        }
                    }
                    DatabaseErrorKind::ForeignKeyViolation => AppError::invalid_field(
                        &constraint,
                        "refers to a record that does not exist",
                    ),
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        AppError::Invalid {
                            code: "validation_failed",
                            detail: info.message().to_owned(),
                            errors: vec![],
                        }
                    }
                    DatabaseErrorKind::SerializationFailure => AppError::conflict(
                        "write_conflict",
                        "a concurrent write got there first; retry",
                    ),
                    DatabaseErrorKind::ClosedConnection => {
                        AppError::Unavailable("the database connection was lost".into())
                    }
                    // The server went away under a pooled connection: retryable, not a bug.
                    _ if is_connection_loss(info.message()) => AppError::Unavailable(format!(
                        "database connection lost: {}",
                        info.message()
                    )),
                    // SQLSTATE 57014: a bounded query ran out of its time ([`crate::lane`]).
                    _ if info.message().contains("canceling statement due to statement timeout") => {
                        AppError::Overloaded(
                            "the query took longer than an anonymous request may; narrow it or retry later".into(),
                        )
                    }
                    // PostgreSQL text cannot hold NUL (SQLSTATE 22021): the client sent it.
                    _ if info.message().contains("invalid byte sequence") => AppError::bad_request(
                        "invalid_text",
                        "text must be valid UTF-8 without NUL characters",
                    ),
                    _ => AppError::internal("database", DieselError::DatabaseError(kind, info)),
                }
            }
            other => AppError::internal("database", other),
        }
    }
}

/// libpq's words for a connection that died (server restart, crash, network).
fn is_connection_loss(message: &str) -> bool {
    [
        "server closed the connection",
        "terminating connection",
        "no connection to the server",
        "could not connect",
        "connection to server",
        "could not receive data from server",
        "could not send data to server",
    ]
    .iter()
    .any(|m| message.contains(m))
}

fn unique_violation(constraint: &str) -> (&'static str, String) {
    match constraint {
        "articles_slug_key" | "article_slug_redirects_pkey" => (
            "article_slug_taken",
            "an article already uses this slug".into(),
        ),
        "sections_slug_key" => (
            "section_slug_taken",
            "a section already uses this slug".into(),
        ),
        "tags_slug_key" => ("tag_slug_taken", "a tag already uses this slug".into()),
        "correspondents_slug_key" => (
            "correspondent_slug_taken",
            "a correspondent already uses this slug".into(),
        ),
        "editors_email_key" => (
            "editor_email_taken",
            "an editor already uses this email".into(),
        ),
        "article_tags_pkey" => ("duplicate_tag", "a tag is listed twice".into()),
        "media_sha256_key" | "media_source_sha256_key" => (
            "media_exists",
            "the library already holds this image".into(),
        ),
        other => ("duplicate", format!("the value must be unique ({other})")),
    }
}
