//! Loading what readers see, for handlers, feeds and the CLI alike (no HTTP here):
//!
//! - [`related`], [`Related`] — what a page of articles embeds (sections, bylines, tags,
//!   editors), in a fixed number of queries;
//! - [`views`] — the whole view of one article ([`Views`]);
//! - [`list`] — a page of `GET /articles` ([`list_page`]);
//! - [`stories`] — related stories (相关新闻, [`related_stories`]).

pub mod list;
pub mod stories;
pub mod totals;
pub mod views;

use std::collections::HashMap;

use diesel::PgConnection;
use uuid::Uuid;

pub use list::{list_page, Counts, ListPage, ListRequest};
pub use stories::{related_stories, Stories, LINKED_STORIES};
pub use totals::Totals;
pub use views::Views;

use super::model::{Article, ArticleSummary};
use super::queries::{self, BylineEntry, TagEntry};
use super::views::{ArticleLinks, ArticleListItem, ArticleView, BylineView, CoverImageView};
use crate::directory::Directory;
use crate::editors::views::EditorRef;
use crate::error::AppError;
use crate::media::model::Media;
use crate::sections::views::SectionRef;
use crate::tags::views::TagRef;
use crate::text;
use crate::{editors, media};

/// Loads the related rows of a page: one query whatever the page size, one more with
/// responsible editors and one with covers from the media library (sections and names come from
/// the directory in memory). Media URLs start with `public_url`.
pub fn related(
    conn: &mut PgConnection,
    dir: &Directory,
    public_url: &str,
    rows: &[ArticleSummary],
) -> Result<Related, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let (bylines, tags) = queries::bylines_and_tags(conn, &dir.names, &ids)?;
    related_with(conn, dir, public_url, rows, bylines, tags)
}

/// Like [`related`], with the bylines and tags already at hand (a write loaded them): no query
/// but the responsible editors' and the covers'.
pub fn related_with(
    conn: &mut PgConnection,
    dir: &Directory,
    public_url: &str,
    rows: &[ArticleSummary],
    bylines: Vec<BylineEntry>,
    tags: Vec<TagEntry>,
) -> Result<Related, AppError> {
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
    let editors = editors::queries::names(conn, &editor_ids)?;
    let covers = Covers::load(conn, public_url, rows.iter().map(|a| a.cover_media_id))?;
    Ok(Related::new(sections, bylines, tags, editors).with_covers(covers))
}

/// The covers of a page that come from the media library, loaded in one query (none when no
/// article of the page has one).
#[derive(Debug, Default)]
pub struct Covers {
    public_url: String,
    media: HashMap<Uuid, Media>,
}

impl Covers {
    pub fn load(
        conn: &mut PgConnection,
        public_url: &str,
        ids: impl Iterator<Item = Option<Uuid>>,
    ) -> Result<Covers, AppError> {
        let mut ids: Vec<Uuid> = ids.flatten().collect();
        ids.sort_unstable();
        ids.dedup();
        let media = media::queries::find_many(conn, &ids)?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
        Ok(Covers {
            public_url: public_url.to_owned(),
            media,
        })
    }

    /// The cover of `a` as readers see it.
    fn of(&self, a: &ArticleSummary) -> Option<CoverImageView> {
        if let Some(url) = &a.cover_url {
            return Some(CoverImageView {
                url: url.clone(),
                media_id: None,
                caption: a.cover_caption.clone(),
                credit: a.cover_credit.clone(),
                alt: None,
                width: None,
                height: None,
                variants: vec![],
                mime: None,
                bytes: None,
            });
        }
        let m = self.media.get(&a.cover_media_id?)?;
        Some(CoverImageView {
            url: media::views::media_url(&self.public_url, m.id),
            media_id: Some(m.id),
            caption: a.cover_caption.clone().or_else(|| m.caption.clone()),
            credit: a.cover_credit.clone().or_else(|| m.credit.clone()),
            alt: m.alt.clone(),
            width: Some(m.width),
            height: Some(m.height),
            variants: media::views::variants(&self.public_url, m),
            mime: Some(m.mime.clone()),
            bytes: Some(m.bytes),
        })
    }
}

/// The related rows of a page of articles, loaded in a fixed number of queries.
#[derive(Debug, Default)]
pub struct Related {
    pub sections: HashMap<Uuid, SectionRef>,
    pub bylines: HashMap<Uuid, Vec<BylineView>>,
    pub tags: HashMap<Uuid, Vec<TagRef>>,
    pub editors: HashMap<Uuid, EditorRef>,
    pub covers: Covers,
}

impl Related {
    pub fn new(
        sections: Vec<SectionRef>,
        bylines: Vec<BylineEntry>,
        tags: Vec<TagEntry>,
        editors: Vec<(Uuid, String)>,
    ) -> Self {
        let mut r = Related::default();
        for s in sections {
            r.sections.insert(s.id, s);
        }
        for b in bylines {
            r.bylines.entry(b.article_id).or_default().push(BylineView {
                correspondent_id: b.correspondent_id,
                name: b.name,
                role: b.role,
                affiliation: b.affiliation,
            });
        }
        for t in tags {
            r.tags.entry(t.article_id).or_default().push(TagRef {
                id: t.id,
                slug: t.slug,
                name: t.name,
            });
        }
        for (id, display_name) in editors {
            r.editors.insert(id, EditorRef { id, display_name });
        }
        r
    }

    /// These rows with the covers of their articles.
    pub fn with_covers(mut self, covers: Covers) -> Self {
        self.covers = covers;
        self
    }

    pub fn item(&self, a: &ArticleSummary) -> ArticleListItem {
        let tags = self.tags.get(&a.id).cloned().unwrap_or_default();
        let byline = self.bylines.get(&a.id).cloned().unwrap_or_default();
        self.assemble(a.clone(), tags, byline)
    }

    /// Like [`Related::item`], moving the article's fields and its byline and tags out instead
    /// of copying them (each article of a page is taken once).
    pub fn take_item(&mut self, a: ArticleSummary) -> ArticleListItem {
        let tags = self.tags.remove(&a.id).unwrap_or_default();
        let byline = self.bylines.remove(&a.id).unwrap_or_default();
        self.assemble(a, tags, byline)
    }

    fn assemble(
        &self,
        a: ArticleSummary,
        tags: Vec<TagRef>,
        byline: Vec<BylineView>,
    ) -> ArticleListItem {
        ArticleListItem {
            id: a.id,
            section: self
                .sections
                .get(&a.section_id)
                .cloned()
                .unwrap_or(SectionRef {
                    id: a.section_id,
                    slug: String::new(),
                    name: String::new(),
                }),
            tags,
            byline,
            editor: a.editor_id.and_then(|id| self.editors.get(&id).cloned()),
            status: a.status(),
            reading_minutes: text::reading_minutes(a.char_count),
            cover_image: self.covers.of(&a),
            slug: a.slug,
            title: a.title,
            subtitle: a.subtitle,
            summary: a.summary,
            source: a.source,
            publish_at: a.publish_at,
            published_at: a.published_at,
            created_at: a.created_at,
            updated_at: a.updated_at,
            version: a.version,
            char_count: a.char_count,
            highlight: None,
        }
    }

    pub fn view(mut self, a: &Article, links: ArticleLinks) -> ArticleView {
        let i = self.take_item(a.summary_row());
        ArticleView {
            id: i.id,
            slug: i.slug,
            title: i.title,
            subtitle: i.subtitle,
            summary: i.summary,
            body_html: a.body_html.clone(),
            section: i.section,
            tags: i.tags,
            byline: i.byline,
            editor: i.editor,
            source: i.source,
            cover_image: i.cover_image,
            status: i.status,
            publish_at: i.publish_at,
            published_at: i.published_at,
            created_at: i.created_at,
            updated_at: i.updated_at,
            version: i.version,
            char_count: i.char_count,
            reading_minutes: i.reading_minutes,
            links,
        }
    }
}
