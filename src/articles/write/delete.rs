//! `DELETE /articles/{id}`: the desk only; a published article must be archived first, so what
//! is deleted is not public and no cached page changes.

use diesel::PgConnection;
use uuid::Uuid;

use super::{locked, store};
use crate::articles::policy;
use crate::articles::workflow::Status;
use crate::editors::Editor;
use crate::error::AppError;

pub fn delete(conn: &mut PgConnection, actor: &Editor, id: Uuid) -> Result<(), AppError> {
    policy::may_delete(actor)?;
    let current = locked(conn, id)?;
    if current.status() == Status::Published {
        return Err(AppError::conflict(
            "article_published",
            "archive a published article before deleting it",
        ));
    }
    store::delete(conn, &current, actor.id)?;
    Ok(())
}
