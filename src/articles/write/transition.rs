//! `POST /articles/{id}/transition` (and the scheduler, with no actor): a move of the
//! workflow, as the article's next version and revision.

use chrono::{DateTime, Utc};
use diesel::PgConnection;
use uuid::Uuid;

use super::store::{self, Revision};
use super::{check_version, locked, Written};
use crate::articles::policy;
use crate::articles::workflow::Status;
use crate::cache::{Changes, Event};
use crate::directory::Directory;
use crate::editors::Editor;
use crate::error::AppError;
use crate::validate::{clean_optional, Checks};

/// The longest note a move may carry, in characters.
pub const MAX_NOTE: usize = 2000;

/// A requested move of the workflow.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: Status,
    pub publish_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: Option<i32>,
}

pub fn transition(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: Option<&Editor>,
    id: Uuid,
    m: Move,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let mut checks = Checks::new();
    checks.optional_text("note", m.note.as_deref(), MAX_NOTE);
    checks.finish()?;
    let current = locked(conn, id)?;
    policy::may_move(actor, &current, m.to)?;
    if let Some(v) = m.version {
        check_version(&current, Some(v))?;
    }
    let now = Utc::now();
    let publish_at = match (m.to, m.publish_at) {
        (Status::Scheduled, Some(t)) if t > now => Some(t),
        (Status::Scheduled, Some(_)) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "must be in the future",
            ))
        }
        (Status::Scheduled, None) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "is required to schedule",
            ))
        }
        (_, Some(_)) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "only applies when scheduling",
            ))
        }
        (Status::Published, None) => current.publish_at,
        (_, None) => None,
    };
    let published_at = match m.to {
        // Set on first publication, kept on re-publication.
        Status::Published => Some(current.published_at.unwrap_or(match actor {
            None => current.publish_at.unwrap_or(now),
            Some(_) => now,
        })),
        _ => current.published_at,
    };
    let a = store::set_status(conn, &current, m.to, (publish_at, published_at), now)?;
    let from = current.status();
    if let Some(event) = announced(from, m.to, a.id) {
        changes.announce(event);
    }
    let action = match (from, m.to) {
        (_, Status::Published) => "publish",
        (_, Status::Scheduled) => "schedule",
        (_, Status::Archived) => "archive",
        (Status::InReview, Status::Draft) => "send_back",
        (_, Status::Draft) => "unschedule",
        (_, Status::InReview) => "submit",
    };
    let note = clean_optional(m.note);
    let mut changed = vec!["status"];
    if publish_at != current.publish_at {
        changed.push("publish_at");
    }
    let revision = Revision {
        editor: actor.map(|e| e.id),
        action,
        note: note.as_deref(),
        changed: &changed,
    };
    let written = store::record(conn, &dir.names, &a, revision)?;
    // A move changes neither byline nor tags: where the article was shown is found with the
    // ones just loaded.
    let tree = dir.sections.tree_with(conn, a.section_id)?;
    let (people, tags) = (written.people(), written.tag_ids());
    changes.article(conn, &tree, &current, &people, &tags)?;
    Ok(written.publicly(conn, &tree, changes)?)
}

/// What a move from `from` to `to` announces.
fn announced(from: Status, to: Status, id: Uuid) -> Option<Event> {
    match (from, to) {
        (Status::Published, Status::Published) => None,
        (_, Status::Published) => Some(Event::ArticlePublished(id)),
        (Status::Published, _) => Some(Event::ArticleUnpublished(id)),
        (_, Status::Scheduled) => Some(Event::ArticleScheduled(id)),
        _ => None,
    }
}
