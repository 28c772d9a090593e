//! `PATCH /articles/{id}`: applies the fields sent, checks the version under a row lock, bumps
//! it and stores a revision listing the changed fields. [`apply`] is shared with restore.

use diesel::PgConnection;
use uuid::Uuid;

use super::credits;
use super::draft::{self, Draft};
use super::store::{self, Revision};
use super::{check_version, locked, shown, Written};
use crate::articles::model::Article;
use crate::articles::policy;
use crate::articles::queries;
use crate::articles::views::UpdateArticleRequest;
use crate::articles::workflow::Status;
use crate::cache::{Changes, Event};
use crate::directory::Directory;
use crate::editors::Editor;
use crate::error::AppError;

pub fn update(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    mut req: UpdateArticleRequest,
    if_match: Option<i32>,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    credits::exclusive(&req.byline, &req.byline_text)?;
    let current = locked(conn, id)?;
    policy::may_edit(actor, &current)?;
    if req.editor_id.is_some() {
        policy::may_set_editor(actor)?;
    }
    if let (Some(h), Some(b)) = (if_match, req.version) {
        if h != b {
            return Err(AppError::bad_request(
                "version_mismatch",
                "If-Match and version disagree",
            ));
        }
    }
    check_version(&current, if_match.or(req.version))?;
    req.byline = credits::resolve(conn, req.byline.take(), req.byline_text.take())?;
    let edit = Edit {
        actor,
        action: "update",
        note: None,
    };
    apply(conn, dir, &current, req, edit, changes)
}

/// Who edits, and the revision's action and note.
pub(super) struct Edit<'a> {
    pub actor: &'a Editor,
    pub action: &'a str,
    pub note: Option<&'a str>,
}

/// Applies `req` to the locked article `current`, whose permission and version the caller
/// checked: validation, the slug, the row, the revision, and where the public sees it.
pub(super) fn apply(
    conn: &mut PgConnection,
    dir: &Directory,
    current: &Article,
    req: UpdateArticleRequest,
    edit: Edit<'_>,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let before = Draft::of(conn, &dir.names, current)?;
    shown(conn, dir, current, &before.s, changes)?;
    let d = before.edited(req);
    d.validate(conn, dir)?;
    if d.s.slug != before.s.slug {
        if queries::slug_taken(conn, &d.s.slug, Some(current.id))? {
            return Err(draft::slug_taken_error());
        }
        let was_public = current.published_at.is_some();
        store::move_slug(conn, current.id, &before.s.slug, &d.s.slug, was_public)?;
    }
    let changed = draft::changed_fields(&before.s, &d.s);
    let a = store::update(conn, current, &before, &d, &changed)?;
    let tree = dir.sections.tree_with(conn, a.section_id)?;
    let revision = Revision {
        editor: Some(edit.actor.id),
        action: edit.action,
        note: edit.note,
        changed: &changed,
    };
    let written = store::record(conn, &dir.names, &a, revision)?;
    if current.status() == Status::Published && !changed.is_empty() {
        changes.announce(Event::ArticleUpdated(a.id));
    }
    Ok(written.publicly(conn, &tree, changes)?)
}
