//! Who may do what to an article: the role table of API.md §3 in one screen. Handlers, feeds,
//! revisions and writes ask here; nothing else decides.
//!
//! | | anonymous | contributor | editor, admin |
//! |---|---|---|---|
//! | read | published | published, and its own | everything |
//! | read the history | – | its own articles | everything |
//! | edit | – | its own drafts and articles in review | everything |
//! | set the responsible editor | – | no | yes |
//! | move | – | submit its own drafts | every legal move |
//! | delete | – | no | unpublished articles |
//!
//! The scheduler only publishes scheduled articles that are due ([`workflow::check`]).

use super::model::Article;
use super::queries::Visibility;
use super::workflow::{self, Actor, Refusal, Status};
use crate::editors::{Editor, Role};
use crate::error::AppError;

/// Which articles a list shows the caller.
pub fn visibility(who: Option<&Editor>) -> Visibility {
    match who {
        None => Visibility::Public,
        Some(e) if e.role().is_desk() => Visibility::Desk,
        Some(e) => Visibility::Contributor(e.id),
    }
}

fn owns(e: &Editor, a: &Article) -> bool {
    a.created_by == Some(e.id)
}

/// Whether the caller may read `a`: published for everyone, the rest for the desk and for the
/// contributor who wrote it (others get 404, as if it did not exist).
pub fn may_read(who: Option<&Editor>, a: &Article) -> bool {
    match who {
        _ if a.status() == Status::Published => true,
        None => false,
        Some(e) => e.role().is_desk() || owns(e, a),
    }
}

/// Whether `who` may see the revisions of `a`: the desk, and the contributor who wrote it.
pub fn may_read_history(who: &Editor, a: &Article) -> bool {
    who.role().is_desk() || owns(who, a)
}

/// 403 unless `who` may edit `a`: the desk edits everything, a contributor its own drafts and
/// articles in review.
pub fn may_edit(who: &Editor, a: &Article) -> Result<(), AppError> {
    if who.role().is_desk() || workflow::contributor_may_edit(a.status(), owns(who, a)) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "contributors may only edit their own drafts and articles in review".into(),
        ))
    }
}

/// 403 unless `who` may name an article's responsible editor (the desk).
pub fn may_set_editor(who: &Editor) -> Result<(), AppError> {
    if who.role() == Role::Contributor {
        Err(AppError::Forbidden(
            "contributors may not set the responsible editor".into(),
        ))
    } else {
        Ok(())
    }
}

/// Whether `who` (`None`: the scheduler) may move `a` to `to`: 403 for a contributor and
/// another's article (it learns nothing more about it), 409 listing the legal targets for a
/// move the workflow does not have, 403 for a legal move the role may not make.
pub fn may_move(who: Option<&Editor>, a: &Article, to: Status) -> Result<(), AppError> {
    let actor = match who {
        Some(e) if e.role() == Role::Contributor && !owns(e, a) => {
            return Err(AppError::Forbidden(
                "contributors may only move their own articles".into(),
            ))
        }
        Some(e) => Actor::Staff {
            role: e.role(),
            owns: owns(e, a),
        },
        None => Actor::Scheduler,
    };
    let from = a.status();
    match workflow::check(from, to, actor) {
        Ok(()) => Ok(()),
        Err(Refusal::Illegal { allowed }) => Err(illegal(from, to, &allowed)),
        Err(Refusal::Forbidden) => Err(AppError::Forbidden(format!(
            "your role may not move an article from {} to {}",
            from.as_str(),
            to.as_str()
        ))),
    }
}

fn illegal(from: Status, to: Status, allowed: &[Status]) -> AppError {
    let names: Vec<String> = allowed.iter().map(|s| s.as_str().to_owned()).collect();
    AppError::Conflict {
        code: "illegal_transition",
        detail: format!(
            "an article cannot go from {} to {}; allowed: {}",
            from.as_str(),
            to.as_str(),
            if names.is_empty() {
                "none".to_owned()
            } else {
                names.join(", ")
            }
        ),
        allowed: Some(names),
    }
}

/// 403 unless `who` may delete articles (the desk; whether this one may go is the article's
/// status, a 409 of the delete itself).
pub fn may_delete(who: &Editor) -> Result<(), AppError> {
    if who.role().is_desk() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only editors and admins delete articles".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use uuid::Uuid;

    fn editor(role: Role) -> Editor {
        Editor {
            id: Uuid::now_v7(),
            email: format!("{}@example.cn", role.as_str()),
            display_name: role.as_str().into(),
            role: role.as_str().into(),
            password_hash: String::new(),
            active: true,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            token_generation: 0,
            service: false,
        }
    }

    fn article(status: Status, by: &Editor) -> Article {
        let now = Utc::now();
        Article {
            id: Uuid::now_v7(),
            slug: "a".into(),
            title: "标题".into(),
            subtitle: None,
            summary: String::new(),
            summary_derived: true,
            body_html: String::new(),
            section_id: Uuid::now_v7(),
            editor_id: None,
            created_by: Some(by.id),
            source: None,
            cover_url: None,
            cover_caption: None,
            cover_credit: None,
            cover_media_id: None,
            status: status.as_str().into(),
            publish_at: None,
            published_at: None,
            created_at: now,
            updated_at: now,
            version: 1,
            char_count: 0,
        }
    }

    #[test]
    fn the_role_table() {
        let (writer, other, desk) = (
            editor(Role::Contributor),
            editor(Role::Contributor),
            editor(Role::Editor),
        );
        let draft = article(Status::Draft, &writer);
        let published = article(Status::Published, &writer);
        assert!(!may_read(None, &draft) && may_read(None, &published));
        assert!(may_read(Some(&writer), &draft) && !may_read(Some(&other), &draft));
        assert!(may_read(Some(&desk), &draft));
        assert!(may_read_history(&writer, &published) && !may_read_history(&other, &published));
        assert!(may_edit(&writer, &draft).is_ok() && may_edit(&writer, &published).is_err());
        assert!(may_edit(&other, &draft).is_err() && may_edit(&desk, &published).is_ok());
        assert!(may_set_editor(&writer).is_err() && may_set_editor(&desk).is_ok());
        assert!(may_move(Some(&writer), &draft, Status::InReview).is_ok());
        assert!(matches!(
            may_move(Some(&other), &draft, Status::Archived),
            Err(AppError::Forbidden(_))
        ));
        assert!(matches!(
            may_move(Some(&desk), &draft, Status::Archived),
            Err(AppError::Conflict { .. })
        ));
        assert!(may_move(None, &draft, Status::InReview).is_err());
        assert!(may_delete(&writer).is_err() && may_delete(&desk).is_ok());
        assert_eq!(
            visibility(Some(&writer)),
            Visibility::Contributor(writer.id)
        );
        assert_eq!(visibility(Some(&desk)), Visibility::Desk);
        assert_eq!(visibility(None), Visibility::Public);
    }
}
