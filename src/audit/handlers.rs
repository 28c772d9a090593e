//! `GET /audit`: the audit log for admins, filterable by editor, article and time, newest first.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Auth;
use crate::editors::views::EditorRef;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::pagination::{self, Cursor, Page, PageInfo};
use crate::schema::{audit_log, editors};
use crate::state::AppState;
use crate::validate::query_time;
use crate::{db, http_cache};

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Who (`null` for the scheduler or a deleted account).
    pub editor: Option<EditorRef>,
    /// `login`, `create`, `update`, `delete`, `deactivate`, `change_password`, `submit`,
    /// `send_back`, `schedule`, `unschedule`, `publish`, `archive`, `restore`.
    pub action: String,
    /// `article`, `section`, `tag`, `correspondent` or `editor`.
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub article_id: Option<Uuid>,
    /// Details of the action (an article's version and changed fields, for instance).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// `GET /audit` query.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this editor did.
    pub editor: Option<Uuid>,
    /// Only entries about this article.
    pub article: Option<Uuid>,
    /// RFC 3339; inclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// RFC 3339; exclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `page.next_cursor` (opaque, base64url).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
}

type Row = (
    Uuid,
    DateTime<Utc>,
    Option<Uuid>,
    Option<String>,
    String,
    String,
    Option<Uuid>,
    Option<Uuid>,
    serde_json::Value,
);

/// The audit log, newest first (admins).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of audit entries", body = inline(Page<AuditEntryView>)),
        (status = 400, description = "Bad filter, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/audit")]
pub async fn list_audit(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, 'a'))
        .transpose()?;
    let since = query_time("since", q.since.as_deref())?;
    let until = query_time("until", q.until.as_deref())?;
    let rows: Vec<Row> = db::run(&state.pool, move |c| {
        let mut query = audit_log::table
            .left_join(editors::table)
            .select((
                audit_log::id,
                audit_log::at,
                audit_log::editor_id,
                editors::display_name.nullable(),
                audit_log::action,
                audit_log::entity,
                audit_log::entity_id,
                audit_log::article_id,
                audit_log::detail,
            ))
            .into_boxed();
        if let Some(e) = q.editor {
            query = query.filter(audit_log::editor_id.eq(e));
        }
        if let Some(a) = q.article {
            query = query.filter(audit_log::article_id.eq(a));
        }
        if let Some(t) = since {
            query = query.filter(audit_log::at.ge(t));
        }
        if let Some(t) = until {
            query = query.filter(audit_log::at.lt(t));
        }
        if let Some(c) = after {
            query = query.filter(
                sql::<Bool>("(audit_log.at, audit_log.id) < (")
                    .bind::<Timestamptz, _>(c.at.unwrap_or_else(Utc::now))
                    .sql(", ")
                    .bind::<SqlUuid, _>(c.id)
                    .sql(")"),
            );
        }
        Ok(query
            .order((audit_log::at.desc(), audit_log::id.desc()))
            .limit(limit + 1)
            .load(c)?)
    })
    .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        kind: 'a',
        at: Some(r.1),
        key: None,
        id: r.0,
    });
    let data = rows
        .into_iter()
        .map(
            |(id, at, editor_id, name, action, entity, entity_id, article_id, detail)| {
                AuditEntryView {
                    id,
                    at,
                    editor: editor_id
                        .zip(name)
                        .map(|(id, display_name)| EditorRef { id, display_name }),
                    action,
                    entity,
                    entity_id,
                    article_id,
                    detail,
                }
            },
        )
        .collect();
    http_cache::json_response(
        &req,
        true,
        &Page {
            data,
            page: PageInfo {
                limit,
                next_cursor,
                total: None,
            },
        },
    )
}
