//! The editorial state machine, in one place: which status may follow which, and who may make
//! the move. Handlers and the scheduler ask [`check`]; nothing else decides.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::editors::Role;

/// An article's workflow status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    InReview,
    Scheduled,
    Published,
    Archived,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Draft,
        Status::InReview,
        Status::Scheduled,
        Status::Published,
        Status::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::InReview => "in_review",
            Status::Scheduled => "scheduled",
            Status::Published => "published",
            Status::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Who makes a move: a staff role, or the scheduler publishing a due article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Staff { role: Role, owns: bool },
    Scheduler,
}

/// The legal moves: `(from, to)`.
pub const TRANSITIONS: [(Status, Status); 9] = [
    (Status::Draft, Status::InReview),
    (Status::Draft, Status::Scheduled),
    (Status::InReview, Status::Draft),
    (Status::InReview, Status::Scheduled),
    (Status::InReview, Status::Published),
    (Status::Scheduled, Status::Draft),
    (Status::Scheduled, Status::Published),
    (Status::Published, Status::Archived),
    (Status::Archived, Status::Published),
];

/// Statuses reachable from `from` by anyone.
pub fn allowed_from(from: Status) -> Vec<Status> {
    TRANSITIONS
        .iter()
        .filter(|(f, _)| *f == from)
        .map(|(_, t)| *t)
        .collect()
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a legal move from this status (409, listing the legal ones).
    Illegal { allowed: Vec<Status> },
    /// Legal, but not for this actor (403).
    Forbidden,
}

/// Whether `actor` may move an article from `from` to `to`.
pub fn check(from: Status, to: Status, actor: Actor) -> Result<(), Refusal> {
    if !TRANSITIONS.contains(&(from, to)) {
        return Err(Refusal::Illegal {
            allowed: allowed_from(from),
        });
    }
    let permitted = match actor {
        // The scheduler only publishes what is due.
        Actor::Scheduler => from == Status::Scheduled && to == Status::Published,
        // The desk does every legal move by hand (publishing a scheduled article early too).
        Actor::Staff { role, .. } if role.is_desk() => true,
        // A contributor submits its own drafts for review, and nothing else.
        Actor::Staff {
            role: Role::Contributor,
            owns,
        } => owns && from == Status::Draft && to == Status::InReview,
        Actor::Staff { .. } => false,
    };
    if permitted {
        Ok(())
    } else {
        Err(Refusal::Forbidden)
    }
}

/// Whether a contributor may edit an article in `status` (its own drafts and in-review ones).
pub fn contributor_may_edit(status: Status, owns: bool) -> bool {
    owns && matches!(status, Status::Draft | Status::InReview)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROLES: [Role; 3] = [Role::Contributor, Role::Editor, Role::Admin];

    /// Every pair of statuses × every actor, against the table written out by hand.
    #[test]
    fn every_pair_for_every_actor() {
        use Status::*;
        let legal = |f: Status, t: Status| {
            matches!(
                (f, t),
                (Draft, InReview)
                    | (Draft, Scheduled)
                    | (InReview, Draft)
                    | (InReview, Scheduled)
                    | (InReview, Published)
                    | (Scheduled, Draft)
                    | (Scheduled, Published)
                    | (Published, Archived)
                    | (Archived, Published)
            )
        };
        for from in Status::ALL {
            for to in Status::ALL {
                for role in ROLES {
                    for owns in [false, true] {
                        let got = check(from, to, Actor::Staff { role, owns });
                        let expected = if !legal(from, to) {
                            Err(Refusal::Illegal {
                                allowed: allowed_from(from),
                            })
                        } else if role.is_desk() || (owns && from == Draft && to == InReview) {
                            Ok(())
                        } else {
                            Err(Refusal::Forbidden)
                        };
                        assert_eq!(got, expected, "{from:?} -> {to:?} by {role:?} owns={owns}");
                    }
                }
                let by_scheduler = check(from, to, Actor::Scheduler);
                assert_eq!(
                    by_scheduler.is_ok(),
                    from == Scheduled && to == Published,
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn illegal_moves_list_the_allowed_ones() {
        assert_eq!(
            check(
                Status::Draft,
                Status::Archived,
                Actor::Staff {
                    role: Role::Admin,
                    owns: true
                }
            ),
            Err(Refusal::Illegal {
                allowed: vec![Status::InReview, Status::Scheduled]
            })
        );
        assert_eq!(allowed_from(Status::Archived), vec![Status::Published]);
    }

    #[test]
    fn contributors_edit_only_their_unpublished_work() {
        assert!(contributor_may_edit(Status::Draft, true));
        assert!(contributor_may_edit(Status::InReview, true));
        assert!(!contributor_may_edit(Status::Draft, false));
        assert!(!contributor_may_edit(Status::Published, true));
    }

    #[test]
    fn status_strings_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        assert_eq!(Status::parse("deleted"), None);
    }
}
