//! `POST /articles/{id}/revisions/{n}/restore`: the editable fields of revision `n` (not the
//! status) as a new version, whose revision is marked `restore`. A version check is optional.

use diesel::PgConnection;
use uuid::Uuid;

use super::update::{apply, Edit};
use super::{check_version, locked, Written};
use crate::articles::policy;
use crate::articles::queries;
use crate::articles::views::{CoverImageInput, UpdateArticleRequest};
use crate::cache::Changes;
use crate::directory::Directory;
use crate::editors::Editor;
use crate::error::AppError;

pub fn restore(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    (number, version): (i32, Option<i32>),
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let current = locked(conn, id)?;
    policy::may_edit(actor, &current)?;
    let s = queries::revision_snapshot(conn, id, number)?
        .ok_or_else(|| AppError::not_found("revision"))?;
    check_version(&current, Some(version.unwrap_or(current.version)))?;
    let req = UpdateArticleRequest {
        title: Some(s.title),
        body_html: Some(s.body_html),
        section_id: Some(s.section_id),
        byline: Some(s.byline),
        byline_text: None,
        tag_ids: Some(s.tag_ids),
        // Contributors may not set the responsible editor: theirs stays as it is.
        editor_id: policy::may_set_editor(actor).is_ok().then_some(s.editor_id),
        slug: Some(s.slug),
        subtitle: Some(s.subtitle),
        summary: Some(Some(s.summary)),
        source: Some(s.source),
        cover_image: Some(s.cover_image.map(CoverImageInput::from)),
        version: None,
    };
    let note = format!("restored revision {number}");
    let edit = Edit {
        actor,
        action: "restore",
        note: Some(&note),
    };
    apply(conn, dir, &current, req, edit, changes)
}
