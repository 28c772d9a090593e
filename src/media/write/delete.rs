//! `DELETE /media/{id}`: refused (409 `media_in_use`) while an article uses the image as its
//! cover or in its body — the foreign keys of `articles.cover_media_id` and `article_media`
//! decide, so no concurrent write slips between a check and the delete. Its files are removed
//! after the commit ([`forget_files`]); its cached responses and CDN copies go with the
//! transaction's [`Scope::Media`].

use diesel::PgConnection;
use uuid::Uuid;

use crate::audit;
use crate::cache::{Changes, Scope};
use crate::editors::Role;
use crate::error::AppError;
use crate::media::model::Media;
use crate::media::store::MediaStore;
use crate::media::{policy, queries};

/// Deletes media `id` for `who` (in the caller's transaction); returns the row, whose files
/// are to go once it commits.
pub fn delete(
    conn: &mut PgConnection,
    changes: &mut Changes,
    (who, role): (Uuid, Role),
    id: Uuid,
) -> Result<Media, AppError> {
    let m = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("media"))?;
    policy::may_change(who, role, &m)?;
    queries::delete(conn, id)?;
    audit::entity(conn, who, "delete", "media", id)?;
    changes.add(Scope::Media(id));
    Ok(m)
}

/// Removes a deleted image's files; a failure leaves them unreachable, and is logged.
pub async fn forget_files(store: &MediaStore, m: &Media) {
    if let Err(e) = store.delete(&m.keys()).await {
        tracing::warn!(error = %e, media = %m.id, "files of a deleted image are left in the media store");
    }
}
