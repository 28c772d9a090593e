//! Every write of an article, one action a file, each on one connection inside the caller's
//! transaction (`state::Writer::write`): check (the [`policy`](super::policy)), build the
//! [`Draft`](draft::Draft) and validate it, store ([`store`]), and return what was written
//! with what the response needs.
//!
//! - [`create`] — `POST /articles` (and the demo content);
//! - [`update`] — `PATCH /articles/{id}`;
//! - [`restore`] — `POST /articles/{id}/revisions/{n}/restore`;
//! - [`transition`] — `POST /articles/{id}/transition` and the scheduler;
//! - [`delete`] — `DELETE /articles/{id}`.

pub mod create;
pub mod credits;
pub mod delete;
pub mod draft;
pub mod restore;
pub mod store;
pub mod transition;
pub mod update;

use diesel::prelude::*;
use uuid::Uuid;

pub use create::create;
pub use delete::delete;
pub use draft::ROLES;
pub use restore::restore;
pub use transition::{transition, Move};
pub use update::update;

use super::model::Article;
use super::queries::{self, BylineEntry, Neighbours, TagEntry};
use super::views::ArticleSnapshot;
use crate::cache::Changes;
use crate::directory::Directory;
use crate::error::AppError;
use crate::sections::tree::SectionTree;

/// An article as a write left it, with what the write loaded anyway (byline, tags and, for a
/// published article, its neighbours), so the response needs no second look.
#[derive(Debug)]
pub struct Written {
    pub article: Article,
    pub bylines: Vec<BylineEntry>,
    pub tags: Vec<TagEntry>,
    pub neighbours: Option<Neighbours>,
}

impl Written {
    fn people(&self) -> Vec<Uuid> {
        self.bylines.iter().map(|b| b.correspondent_id).collect()
    }

    fn tag_ids(&self) -> Vec<Uuid> {
        self.tags.iter().map(|t| t.id).collect()
    }

    /// Adds what the public sees of the article now to `changes` (and keeps the neighbours),
    /// and the article as written for the outbox when the write announces it.
    fn publicly(
        mut self,
        conn: &mut PgConnection,
        tree: &SectionTree,
        changes: &mut Changes,
    ) -> QueryResult<Written> {
        let (people, tags) = (self.people(), self.tag_ids());
        self.neighbours = changes.article(conn, tree, &self.article, &people, &tags)?;
        changes.written(&self.article, &self.bylines, &self.tags);
        Ok(self)
    }
}

/// Adds to `changes` where the public sees `a`, whose editable state is `s`.
fn shown(
    conn: &mut PgConnection,
    dir: &Directory,
    a: &Article,
    s: &ArticleSnapshot,
    changes: &mut Changes,
) -> QueryResult<()> {
    let tree = dir.sections.tree_with(conn, a.section_id)?;
    changes.article(conn, &tree, a, &s.people(), &s.tag_ids)?;
    Ok(())
}

/// The article `id`, locked for this write (`SELECT … FOR UPDATE`); 404 when there is none.
fn locked(conn: &mut PgConnection, id: Uuid) -> Result<Article, AppError> {
    queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("article"))
}

/// 412 unless `version` is the article's current one; 428 without one.
fn check_version(a: &Article, version: Option<i32>) -> Result<(), AppError> {
    match version {
        None => Err(AppError::VersionRequired),
        Some(v) if v != a.version => Err(AppError::StaleVersion { current: a.version }),
        Some(_) => Ok(()),
    }
}
