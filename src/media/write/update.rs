//! `PATCH /media/{id}`: the caption, credit and alt text of an image. Articles whose cover it
//! is show its caption and credit where they have none of their own, so the public pages of
//! those that are published are evicted and purged (the image itself never changes).

use diesel::PgConnection;
use uuid::Uuid;

use crate::articles::queries::bylines_and_tags;
use crate::audit;
use crate::cache::Changes;
use crate::directory::Directory;
use crate::editors::Role;
use crate::error::AppError;
use crate::media::model::{Media, MediaChangeset};
use crate::media::views::UpdateMediaRequest;
use crate::media::{policy, queries};
use crate::validate::{clean_optional, Checks};

/// The texts of `req` checked (422 listing what is wrong) and cleaned.
pub fn changeset(req: UpdateMediaRequest) -> Result<MediaChangeset, AppError> {
    let mut checks = Checks::new();
    let clean = |v: Option<Option<String>>| v.map(clean_optional);
    let c = MediaChangeset {
        caption: clean(req.caption),
        credit: clean(req.credit),
        alt: clean(req.alt),
        updated_at: Some(chrono::Utc::now()),
    };
    checks.optional_text("caption", c.caption.clone().flatten().as_deref(), 500);
    checks.optional_text("credit", c.credit.clone().flatten().as_deref(), 200);
    checks.optional_text("alt", c.alt.clone().flatten().as_deref(), 500);
    checks.finish()?;
    Ok(c)
}

/// Applies `c` to media `id` for `who` (in the caller's transaction).
pub fn update(
    conn: &mut PgConnection,
    dir: &Directory,
    changes: &mut Changes,
    (who, role): (Uuid, Role),
    id: Uuid,
    c: &MediaChangeset,
) -> Result<Media, AppError> {
    let m = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("media"))?;
    policy::may_change(who, role, &m)?;
    let m = queries::update(conn, id, c)?;
    audit::entity(conn, who, "update", "media", id)?;
    let covered = queries::covered(conn, id)?;
    if !covered.is_empty() {
        let tree = dir.sections.tree(conn)?;
        let ids: Vec<Uuid> = covered.iter().map(|a| a.id).collect();
        let (bylines, tags) = bylines_and_tags(conn, &dir.names, &ids)?;
        for a in &covered {
            let people: Vec<Uuid> = bylines
                .iter()
                .filter(|b| b.article_id == a.id)
                .map(|b| b.correspondent_id)
                .collect();
            let tag_ids: Vec<Uuid> = tags
                .iter()
                .filter(|t| t.article_id == a.id)
                .map(|t| t.id)
                .collect();
            changes.article(conn, &tree, a, &people, &tag_ids)?;
        }
    }
    Ok(m)
}
