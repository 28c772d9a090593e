//! Loading what readers see, for handlers, feeds and the CLI alike (no HTTP here): a page of
//! articles with everything it embeds ([`list_page`], [`related`], [`Related`]) and the whole
//! view of one article ([`Views`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use diesel::PgConnection;
use uuid::Uuid;

use super::model::{Article, ArticleSummary};
use super::queries::similar::{self, Relatedness};
use super::queries::{self, BylineEntry, ListFilter, Neighbour, Neighbours, Sort, TagEntry};
use super::views::{
    ArticleLink, ArticleLinks, ArticleListItem, ArticleView, BylineView, CoverImage, RelatedLink,
};
use super::write::Written;
use crate::cache::Scope;
use crate::directory::Directory;
use crate::editors;
use crate::editors::views::EditorRef;
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor};
use crate::search::terms::{title_words, word_key};
use crate::search::{self, SearchQuery};
use crate::sections::views::SectionRef;
use crate::state::AppState;
use crate::tags::views::TagRef;
use crate::{correspondents, tags, text};

/// Loads the related rows of a page: one query whatever the page size, two with responsible
/// editors (sections and names come from the directory in memory).
pub fn related(
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

/// The related rows of a page of articles, loaded in a fixed number of queries.
#[derive(Debug, Default)]
pub struct Related {
    pub sections: HashMap<Uuid, SectionRef>,
    pub bylines: HashMap<Uuid, Vec<BylineView>>,
    pub tags: HashMap<Uuid, Vec<TagRef>>,
    pub editors: HashMap<Uuid, EditorRef>,
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
            cover_image: a.cover_url.map(|url| CoverImage {
                url,
                caption: a.cover_caption,
                credit: a.cover_credit,
            }),
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

/// What rendering article views needs besides a connection; cloned into a handler's closure.
#[derive(Debug, Clone)]
pub struct Views {
    pub public_url: String,
    directory: Arc<Directory>,
}

impl Views {
    pub fn new(public_url: &str, directory: Arc<Directory>) -> Views {
        Views {
            public_url: public_url.to_owned(),
            directory,
        }
    }

    /// The views of this process (its public URL and directory).
    pub fn of(state: &AppState) -> Views {
        Views::new(&state.config.public_url, state.directory.clone())
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The whole view of one article, with previous/next links and related stories.
    pub fn load(&self, conn: &mut PgConnection, a: &Article) -> Result<ArticleView, AppError> {
        let rel = related(conn, self.directory(), &[a.summary_row()])?;
        let neighbours = queries::neighbours(conn, a)?;
        let tags: Vec<Uuid> = rel
            .tags
            .get(&a.id)
            .map(|t| t.iter().map(|t| t.id).collect())
            .unwrap_or_default();
        let stories = related_stories(conn, self.directory(), a, &tags, LINKED_STORIES)?;
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
        let stories = related_stories(conn, self.directory(), a, &tags, LINKED_STORIES)?;
        let rel = Related::new(section.into_iter().collect(), w.bylines, w.tags, editors);
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
        let links = ArticleLinks {
            self_: format!("{}/api/v1/articles/{}", self.public_url, a.slug),
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

/// How many related stories the article view links.
pub const LINKED_STORIES: i64 = 5;

/// Words of the title and summary that related stories are looked for by.
const RELATING_WORDS: usize = 6;

/// Related stories and what they depend on (for the response cache).
pub type Stories = (Vec<ArticleSummary>, Vec<Scope>);

/// The related stories (相关新闻) of `a`, whose tags are `tags`: up to `limit` published
/// articles other than it — sharing its tags, then the rarest words of its title and summary
/// in their titles, then its section — and the scopes that list changes with: the tags, the
/// section, the words and the stories themselves.
pub fn related_stories(
    conn: &mut PgConnection,
    dir: &Directory,
    a: &Article,
    tags: &[Uuid],
    limit: i64,
) -> Result<Stories, AppError> {
    let mut words = title_words(&a.title);
    for w in title_words(&a.summary) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let words = dir.terms.rarest(conn, &words, RELATING_WORDS)?;
    let relatedness = Relatedness {
        id: a.id,
        section: a.section_id,
        tags,
        words: &words,
    };
    let mut seen = HashSet::new();
    let stories: Vec<ArticleSummary> = similar::candidates(conn, &relatedness, limit)?
        .into_iter()
        .filter(|c| seen.insert(c.article.id))
        .map(|c| c.article)
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    let mut scopes = vec![Scope::Section(a.section_id)];
    scopes.extend(tags.iter().map(|t| Scope::Tag(*t)));
    scopes.extend(words.iter().map(|w| Scope::Word(word_key(w))));
    scopes.extend(stories.iter().map(|s| Scope::Article(s.id)));
    Ok((stories, scopes))
}

/// A list request, resolved from its query (the section, tag and correspondent still by slug
/// or id, as sent).
#[derive(Debug, Clone)]
pub struct ListRequest {
    pub filter: ListFilter,
    pub section: Option<String>,
    /// `/sections/{slug}/articles`: an unknown section is 404, not an empty list.
    pub section_in_path: bool,
    pub tag: Option<String>,
    pub correspondent: Option<String>,
    pub after: Option<Cursor>,
    pub limit: i64,
    /// Search hits by relevance (`q` without an explicit sort).
    pub relevance: bool,
    pub want_total: bool,
}

/// One page of a list, with what it depends on for the response cache.
#[derive(Debug)]
pub struct ListPage {
    pub items: Vec<ArticleListItem>,
    pub next_cursor: Option<String>,
    pub total: Option<i64>,
    pub scopes: Vec<Scope>,
}

impl ListPage {
    fn empty(want_total: bool) -> ListPage {
        ListPage {
            items: vec![],
            next_cursor: None,
            total: want_total.then_some(0),
            scopes: vec![Scope::All],
        }
    }
}

/// Loads a page of articles: the filters resolved to ids, the rows, their relations, and for a
/// search the highlights.
pub fn list_page(
    conn: &mut PgConnection,
    dir: &Directory,
    req: ListRequest,
) -> Result<ListPage, AppError> {
    let ListRequest {
        mut filter,
        limit,
        after,
        ..
    } = req;
    // A filtered list changes only with the articles of its section, tag or byline.
    let mut scopes = Vec::new();
    if let Some(slug) = req.section {
        let tree = dir.sections.tree(conn)?;
        match tree.by_slug(&slug) {
            Some(s) => {
                filter.section_ids = Some(tree.subtree(s.id));
                scopes.push(Scope::Section(s.id));
            }
            None if req.section_in_path => return Err(AppError::not_found("section")),
            None => return Ok(ListPage::empty(req.want_total)),
        }
    }
    if let Some(t) = req.tag {
        match tags::queries::find(conn, &IdOrSlug::parse(&t))? {
            Some(t) => {
                filter.tag_id = Some(t.id);
                scopes.push(Scope::Tag(t.id));
            }
            None => return Ok(ListPage::empty(req.want_total)),
        }
    }
    if let Some(p) = req.correspondent {
        match correspondents::queries::find(conn, &IdOrSlug::parse(&p))? {
            Some(p) => {
                filter.correspondent_id = Some(p.id);
                scopes.push(Scope::Person(p.id));
            }
            None => return Ok(ListPage::empty(req.want_total)),
        }
    }
    if scopes.is_empty() {
        scopes.push(Scope::All);
    }
    let (rows, next_cursor) = match &filter.search {
        Some(sq) if req.relevance => {
            let hits = queries::search(conn, &filter, sq, after.as_ref(), limit)?;
            let (hits, next) = pagination::finish(hits, limit, |(a, tier)| Cursor {
                kind: 'q',
                at: a.published_at,
                key: Some(tier.to_string()),
                id: a.id,
            });
            (hits.into_iter().map(|(a, _)| a).collect::<Vec<_>>(), next)
        }
        _ => {
            let sort: Sort = filter.sort;
            let rows = queries::list(conn, &filter, after.as_ref(), limit)?;
            pagination::finish(rows, limit, |a| sort.cursor_of(a))
        }
    };
    let total = if req.want_total {
        Some(queries::count(conn, &filter)?)
    } else {
        None
    };
    let mut rel = related(conn, dir, &rows)?;
    let mut items: Vec<ArticleListItem> = rows.into_iter().map(|a| rel.take_item(a)).collect();
    if let Some(sq) = &filter.search {
        highlight(conn, sq, &mut items)?;
    }
    Ok(ListPage {
        items,
        next_cursor,
        total,
        scopes,
    })
}

/// Each hit's extract: from the summary, else the body, else the title.
fn highlight(
    conn: &mut PgConnection,
    sq: &SearchQuery,
    items: &mut [ArticleListItem],
) -> Result<(), AppError> {
    let ids: Vec<Uuid> = items.iter().map(|a| a.id).collect();
    let bodies: HashMap<Uuid, String> = queries::bodies(conn, &ids)?.into_iter().collect();
    for item in items {
        let body = bodies
            .get(&item.id)
            .map(|b| text::plain_text(b))
            .unwrap_or_default();
        item.highlight = search::highlight(&item.summary, &sq.words)
            .or_else(|| search::highlight(&body, &sq.words))
            .or_else(|| search::highlight(&item.title, &sq.words));
    }
    Ok(())
}
