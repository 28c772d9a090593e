//! `POST /articles`: a new draft at version 1 with revision 1.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::{Connection, PgConnection};
use uuid::Uuid;

use super::credits;
use super::draft::{self, Draft};
use super::store::{self, Revision};
use super::Written;
use crate::articles::model::Article;
use crate::articles::policy;
use crate::articles::queries;
use crate::articles::views::CreateArticleRequest;
use crate::directory::Directory;
use crate::editors::Editor;
use crate::error::{AppError, FieldError};

pub fn create(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    mut req: CreateArticleRequest,
) -> Result<Written, AppError> {
    credits::exclusive(&req.byline, &req.byline_text)?;
    if req.editor_id.is_some() {
        policy::may_set_editor(actor)?;
    }
    match credits::resolve(conn, req.byline.take(), req.byline_text.take())? {
        Some(byline) => req.byline = Some(byline),
        None => {
            return Err(AppError::BadRequest {
                code: "malformed_request",
                detail: "invalid body: missing field `byline` (or send byline_text)".into(),
                errors: vec![FieldError::new(
                    "byline",
                    "required, unless byline_text is sent",
                )],
            })
        }
    }
    let slug_given = req.slug.is_some();
    let mut d = Draft::new(req);
    if !slug_given {
        d.s.slug = draft::unique_slug(conn, &d.s.title, None)?;
    }
    d.validate(conn, dir)?;
    if slug_given && queries::slug_taken(conn, &d.s.slug, None)? {
        return Err(draft::slug_taken_error());
    }
    let a = if slug_given {
        store::insert(conn, Uuid::now_v7(), &d, actor.id)?
    } else {
        insert_under_a_generated_slug(conn, &mut d, actor.id)?
    };
    let revision = Revision {
        editor: Some(actor.id),
        action: "create",
        note: None,
        changed: &[],
    };
    store::record(conn, &dir.names, &a, revision)
}

/// How many generated slugs a create tries when concurrent creates take them first.
const SLUG_TRIES: usize = 32;

/// Inserts `d` under its generated slug; when a concurrent create of the same title committed
/// that slug first, the next free suffix is tried (each try in a savepoint). A 409 is only for
/// a slug the client chose.
fn insert_under_a_generated_slug(
    conn: &mut PgConnection,
    d: &mut Draft,
    by: Uuid,
) -> Result<Article, AppError> {
    let id = Uuid::now_v7();
    for _ in 0..SLUG_TRIES {
        match conn.transaction(|c| store::insert(c, id, d, by)) {
            Ok(a) => return Ok(a),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info))
                if info.constraint_name() == Some("articles_slug_key") =>
            {
                d.s.slug = draft::unique_slug(conn, &d.s.title, None)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(draft::slug_taken_error())
}
