//! The whole view of one article: its row, what it embeds, 上一篇/下一篇 and related stories.

use std::sync::Arc;

use diesel::PgConnection;
use uuid::Uuid;

use super::{related, related_stories, Covers, Related, Stories, LINKED_STORIES};
use crate::articles::model::Article;
use crate::articles::queries::{self, Neighbour, Neighbours};
use crate::articles::views::{ArticleLink, ArticleLinks, ArticleView, RelatedLink};
use crate::articles::workflow::Status;
use crate::articles::write::Written;
use crate::directory::Directory;
use crate::editors;
use crate::error::AppError;
use crate::sections::views::SectionRef;
use crate::site::{PageOf, Site};
use crate::state::AppState;

/// What rendering article views needs besides a connection; cloned into a handler's closure.
#[derive(Debug, Clone)]
pub struct Views {
    pub site: Arc<Site>,
    directory: Arc<Directory>,
}

impl Views {
    pub fn new(site: Arc<Site>, directory: Arc<Directory>) -> Views {
        Views { site, directory }
    }

    /// The views of this process (its publication and directory).
    pub fn of(state: &AppState) -> Views {
        Views::new(state.config.site.clone(), state.directory.clone())
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The whole view of one article, with previous/next links and related stories.
    pub fn load(&self, conn: &mut PgConnection, a: &Article) -> Result<ArticleView, AppError> {
        let rel = related(
            conn,
            self.directory(),
            &self.site.public_url,
            &[a.summary_row()],
        )?;
        let neighbours = queries::neighbours(conn, a)?;
        let tags: Vec<Uuid> = rel
            .tags
            .get(&a.id)
            .map(|t| t.iter().map(|t| t.id).collect())
            .unwrap_or_default();
        let stories = linked_stories(conn, self.directory(), a, &tags)?;
        Ok(self.view(rel, a, neighbours, stories))
    }

    /// The view of an article a write just stored, from what the write loaded.
    pub fn written(&self, conn: &mut PgConnection, w: Written) -> Result<ArticleView, AppError> {
        let a = &w.article;
        let tree = self.directory().sections.tree_with(conn, a.section_id)?;
        let section = tree.get(a.section_id).map(SectionRef::from);
        let editors = match a.editor_id {
            Some(e) => editors::queries::names(conn, &[e])?,
            None => vec![],
        };
        let neighbours = match w.neighbours {
            Some(n) => n,
            None => queries::neighbours(conn, a)?,
        };
        let tags: Vec<Uuid> = w.tags.iter().map(|t| t.id).collect();
        let stories = linked_stories(conn, self.directory(), a, &tags)?;
        let covers = Covers::load(
            conn,
            &self.site.public_url,
            std::iter::once(a.cover_media_id),
        )?;
        let rel = Related::new(section.into_iter().collect(), w.bylines, w.tags, editors)
            .with_covers(covers);
        Ok(self.view(rel, a, neighbours, stories))
    }

    fn view(
        &self,
        rel: Related,
        a: &Article,
        (previous, next): Neighbours,
        (stories, depends_on): Stories,
    ) -> ArticleView {
        let link =
            |p: Option<Neighbour>| p.map(|(id, slug, title)| ArticleLink { id, slug, title });
        let section = rel
            .sections
            .get(&a.section_id)
            .map(|s| s.slug.clone())
            .unwrap_or_default();
        let links = ArticleLinks {
            self_: format!("{}/api/v1/articles/{}", self.site.public_url, a.slug),
            canonical: self.site.article_page(PageOf {
                id: a.id,
                slug: &a.slug,
                section: &section,
                published_at: a.page_date(),
            }),
            previous: link(previous),
            next: link(next),
            related: stories
                .into_iter()
                .map(|s| RelatedLink {
                    id: s.id,
                    slug: s.slug,
                    title: s.title,
                    summary: s.summary,
                })
                .collect(),
            depends_on,
        };
        rel.view(a, links)
    }
}

/// The related stories an article's view links: those of a published article (an unpublished
/// one is not read by the public; `GET /articles/{id}/related` lists its candidates for staff).
fn linked_stories(
    conn: &mut PgConnection,
    dir: &Directory,
    a: &Article,
    tags: &[Uuid],
) -> Result<Stories, AppError> {
    if a.status() != Status::Published {
        return Ok((vec![], vec![]));
    }
    related_stories(conn, dir, a, tags, LINKED_STORIES)
}
