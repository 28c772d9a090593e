//! `/articles`: public reads of published stories, staff reads and writes, the workflow. The
//! helpers every article response shares live here; each action in its own file.

pub mod edit;
pub mod get;
pub mod list;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use diesel::PgConnection;
use uuid::Uuid;

use super::model::{Article, ArticleSummary};
use super::queries::{self, Neighbours};
use super::views::{ArticleLink, ArticleLinks, ArticleView, Related};
use super::workflow::Status;
use super::write::Written;
use crate::editors::{self, Editor};
use crate::error::AppError;
use std::sync::Arc;

use crate::directory::Directory;
use crate::http_cache;
use crate::sections::views::SectionRef;
use crate::state::AppState;

/// Loads the related rows of a page: one query whatever the page size, two with responsible
/// editors (sections and names come from the directory in memory).
pub(crate) fn related(
    conn: &mut PgConnection,
    dir: &Directory,
    rows: &[ArticleSummary],
) -> Result<Related, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut section_ids: Vec<Uuid> = rows.iter().map(|a| a.section_id).collect();
    section_ids.sort_unstable();
    section_ids.dedup();
    let mut editor_ids: Vec<Uuid> = rows.iter().filter_map(|a| a.editor_id).collect();
    editor_ids.sort_unstable();
    editor_ids.dedup();
    let tree = dir.sections.tree(conn)?;
    let sections = section_ids
        .iter()
        .filter_map(|id| tree.get(*id))
        .map(SectionRef::from)
        .collect();
    let (bylines, tags) = queries::bylines_and_tags(conn, &dir.names, &ids)?;
    let editors = editors::queries::names(conn, &editor_ids)?;
    Ok(Related::new(sections, bylines, tags, editors))
}

/// What rendering article views needs besides a connection; cloned into a handler's closure.
#[derive(Debug, Clone)]
pub struct Views {
    pub public_url: String,
    directory: Arc<Directory>,
}

impl Views {
    pub fn new(state: &AppState) -> Views {
        Views {
            public_url: state.config.public_url.clone(),
            directory: state.directory.clone(),
        }
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The whole view of one article, with previous/next links.
    pub fn load(&self, conn: &mut PgConnection, a: &Article) -> Result<ArticleView, AppError> {
        let rel = related(conn, self.directory(), &[a.summary_row()])?;
        let neighbours = queries::neighbours(conn, a)?;
        Ok(self.view(rel, a, neighbours))
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
        let rel = Related::new(section.into_iter().collect(), w.bylines, w.tags, editors);
        Ok(self.view(rel, a, neighbours))
    }

    fn view(&self, rel: Related, a: &Article, (previous, next): Neighbours) -> ArticleView {
        let link = |p: Option<queries::Neighbour>| {
            p.map(|(id, slug, title)| ArticleLink { id, slug, title })
        };
        let links = ArticleLinks {
            self_: format!("{}/api/v1/articles/{}", self.public_url, a.slug),
            previous: link(previous),
            next: link(next),
        };
        rel.view(a, links)
    }
}

/// Whether the caller may read `a`: published for everyone, the rest for the desk and for the
/// contributor who wrote it.
pub(crate) fn may_read(who: Option<&Editor>, a: &Article) -> bool {
    match who {
        _ if a.status() == Status::Published => true,
        None => false,
        Some(e) => e.role().is_desk() || a.created_by == Some(e.id),
    }
}

/// The ETag of an article: its version and a digest of the representation, so `If-Match`
/// carries the version and `If-None-Match` sees every change (links and names included).
fn article_etag(version: i32, bytes: &[u8]) -> String {
    let digest = http_cache::etag_of(bytes);
    format!("\"v{version}-{}", digest.trim_start_matches('"'))
}

/// The version named by an `If-Match` header: `"v7-…"`, `"7"` or `W/"v7-…"`.
pub(crate) fn if_match_version(req: &HttpRequest) -> Result<Option<i32>, AppError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = value.to_str().unwrap_or_default().trim();
    let raw = raw.trim_start_matches("W/").trim_matches('"');
    let digits = raw
        .trim_start_matches('v')
        .split('-')
        .next()
        .unwrap_or_default();
    digits.parse::<i32>().map(Some).map_err(|_| {
        AppError::bad_request(
            "invalid_if_match",
            "If-Match must be an ETag from GET /articles/{id}",
        )
    })
}

/// A read answers 200 or 304 with the cache policy of the caller; a write answers `status`
/// (with `location` on create), never cached. Both carry the article's ETag.
pub(crate) fn article_response(
    req: &HttpRequest,
    authenticated: bool,
    view: &ArticleView,
    write: Option<(StatusCode, Option<String>)>,
) -> Result<HttpResponse, AppError> {
    let bytes =
        serde_json::to_vec(view).map_err(|e| AppError::Internal(format!("serialise: {e}")))?;
    let etag = article_etag(view.version, &bytes);
    let Some((status, location)) = write else {
        return Ok(http_cache::respond(
            req,
            authenticated,
            etag,
            "application/json",
            bytes,
        ));
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, http_cache::PRIVATE));
    if let Some(location) = location {
        res.insert_header((header::LOCATION, location));
    }
    Ok(res.content_type("application/json").body(bytes))
}
