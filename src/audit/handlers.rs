//! `GET /audit`: the audit log for admins, filterable by editor, article and time, newest first.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::queries::{self, AuditFilter};
use super::views::{AuditEntryView, AuditQuery, TokenRef};
use crate::auth::Auth;
use crate::editors::views::EditorRef;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::pagination::{self, Cursor, Page, PageInfo};
use crate::state::AppState;
use crate::validate::query_time;
use crate::{db, http_cache};

/// The audit log, newest first (admins).
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of audit entries", body = Page<AuditEntryView>),
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
    let filter = AuditFilter {
        editor: q.editor,
        article: q.article,
        since,
        until,
    };
    let (rows, tokens) = db::run(&state.pool, move |c| {
        let rows = queries::list(c, &filter, after.as_ref(), limit)?;
        let accounts: Vec<uuid::Uuid> = rows.iter().filter_map(|r| r.2).collect();
        let tokens = crate::tokens::queries::of_accounts(c, &accounts)?;
        Ok((rows, tokens))
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
                    token: tokens
                        .iter()
                        .find(|(account, _, _)| Some(*account) == editor_id)
                        .map(|(_, id, name)| TokenRef {
                            id: *id,
                            name: name.clone(),
                        }),
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
