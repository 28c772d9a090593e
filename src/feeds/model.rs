//! What a feed is made of: its scope, its items, loaded in a fixed number of queries.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::articles::queries::{self, ListFilter, Sort, Visibility};
use crate::articles::read::{related, Views};
use crate::articles::views::{BylineView, CoverImageView};
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::sections::views::SectionRef;
use crate::site::{PageOf, Site};
use crate::tags::views::TagRef;
use crate::{correspondents, tags};

/// Whose articles a feed carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Site,
    Section(String),
    Tag(String),
    Correspondent(String),
}

impl Scope {
    /// The path of the scope under `/api/v1` (`""` for the site).
    pub fn path(&self) -> String {
        match self {
            Scope::Site => String::new(),
            Scope::Section(s) => format!("/sections/{s}"),
            Scope::Tag(s) => format!("/tags/{s}"),
            Scope::Correspondent(s) => format!("/correspondents/{s}"),
        }
    }
}

/// The feed's own metadata.
#[derive(Debug, Clone)]
pub struct FeedMeta {
    /// The publication's name (`NEWSDESK_SITE_NAME`), or `咸宁新闻网 · 嘉鱼` for a scope.
    pub title: String,
    pub description: String,
    /// This feed's own URL.
    pub self_url: String,
    /// The publication: its home page, name and article pages.
    pub site: Arc<Site>,
    /// What the feed shows (for the response cache).
    pub depends_on: crate::cache::Scope,
}

/// One published article, as feeds show it.
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub body_html: String,
    pub section: SectionRef,
    pub tags: Vec<TagRef>,
    pub byline: Vec<BylineView>,
    pub source: Option<String>,
    /// The cover image (with its size, type and variants when it is from the media library).
    pub cover: Option<CoverImageView>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl FeedItem {
    /// The page a reader opens (`NEWSDESK_ARTICLE_URL`; by default `/articles/{slug}` under
    /// `NEWSDESK_PUBLIC_URL`, which redirects to the API).
    pub fn permalink(&self, site: &Site) -> String {
        site.article_page(PageOf {
            id: self.id,
            slug: &self.slug,
            section: &self.section.slug,
            published_at: self.published_at,
        })
    }
}

/// 记者, 通讯员, … for a byline role.
pub fn role_zh(role: &str) -> &'static str {
    match role {
        "reporter" => "记者",
        "correspondent" => "通讯员",
        "photographer" => "摄影",
        "translator" => "翻译",
        _ => "作者",
    }
}

/// The byline as printed: `通讯员 夏洋 洪秀 周全`, roles in order of first appearance.
pub fn printed_byline(byline: &[BylineView]) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for b in byline {
        match groups.iter_mut().find(|(r, _)| *r == b.role) {
            Some((_, names)) => names.push(&b.name),
            None => groups.push((&b.role, vec![&b.name])),
        }
    }
    groups
        .into_iter()
        .map(|(role, names)| format!("{} {}", role_zh(role), names.join(" ")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The change fingerprint of the whole database (see the module documentation).
pub fn fingerprint(conn: &mut PgConnection) -> QueryResult<(String, DateTime<Utc>)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        fp: String,
        #[diesel(sql_type = diesel::sql_types::Timestamptz)]
        newest: DateTime<Utc>,
    }
    let row: Row = diesel::sql_query(
        "WITH t AS (SELECT (SELECT max(updated_at) FROM articles) AS a, (SELECT max(updated_at) FROM sections) AS s, \
         (SELECT max(updated_at) FROM tags) AS g, (SELECT max(updated_at) FROM correspondents) AS c, \
         (SELECT count(*) FROM tags) AS n) \
         SELECT concat_ws('|', a, s, g, c, n) AS fp, \
         coalesce(greatest(a, s, g, c), 'epoch'::timestamptz) AS newest FROM t",
    )
    .get_result(conn)?;
    Ok((row.fp, row.newest))
}

/// Resolves the scope and loads its newest `limit` published articles (published `since`, when
/// given): `None` when the section, tag or correspondent does not exist.
pub fn load(
    conn: &mut PgConnection,
    views: &Views,
    scope: &Scope,
    limit: i64,
    since: Option<DateTime<Utc>>,
) -> Result<Option<(FeedMeta, Vec<FeedItem>)>, AppError> {
    let mut filter = ListFilter {
        visibility: Visibility::Public,
        section_ids: None,
        tag_id: None,
        correspondent_id: None,
        status: None,
        published_after: since,
        published_before: None,
        search: None,
        sort: Sort::Published,
    };
    let mut depends_on = crate::cache::Scope::All;
    let name = match scope {
        Scope::Site => None,
        Scope::Section(slug) => {
            let tree = views.directory().sections.tree(conn)?;
            let Some(s) = tree.by_slug(slug) else {
                return Ok(None);
            };
            filter.section_ids = Some(tree.subtree(s.id));
            depends_on = crate::cache::Scope::Section(s.id);
            Some(s.name.clone())
        }
        Scope::Tag(slug) => {
            let Some(t) = tags::queries::find(conn, &IdOrSlug::Slug(slug.clone()))? else {
                return Ok(None);
            };
            filter.tag_id = Some(t.id);
            depends_on = crate::cache::Scope::Tag(t.id);
            let tag = crate::directory::TagName {
                slug: t.slug,
                name: t.name.clone(),
            };
            views.directory().names.note_tag(t.id, tag);
            Some(t.name)
        }
        Scope::Correspondent(slug) => {
            let Some(p) = correspondents::queries::find(conn, &IdOrSlug::Slug(slug.clone()))?
            else {
                return Ok(None);
            };
            filter.correspondent_id = Some(p.id);
            depends_on = crate::cache::Scope::Person(p.id);
            let person = crate::directory::PersonName {
                name: p.name.clone(),
                slug: p.slug,
                affiliation: p.affiliation,
            };
            views.directory().names.note_person(p.id, person);
            Some(p.name)
        }
    };
    let rows = queries::list(conn, &filter, None, limit)?;
    let rows = &rows[..rows.len().min(usize::try_from(limit).unwrap_or(usize::MAX))];
    let rel = related(conn, views.directory(), &views.site.public_url, rows)?;
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let bodies: std::collections::HashMap<Uuid, String> =
        queries::bodies(conn, &ids)?.into_iter().collect();
    let items = rows
        .iter()
        .map(|a| {
            let i = rel.item(a);
            FeedItem {
                id: a.id,
                slug: i.slug,
                title: i.title,
                subtitle: i.subtitle,
                summary: i.summary,
                body_html: bodies.get(&a.id).cloned().unwrap_or_default(),
                section: i.section,
                tags: i.tags,
                byline: i.byline,
                source: i.source,
                cover: i.cover_image,
                version: a.version,
                created_at: a.created_at,
                published_at: a.published_at.unwrap_or(a.created_at),
                updated_at: a.updated_at,
            }
        })
        .collect();
    let title = views.site.title(name.as_deref());
    let description = match &name {
        Some(n) => format!("{n}：最新稿件"),
        None => "最新稿件".to_owned(),
    };
    Ok(Some((
        FeedMeta {
            title,
            description,
            self_url: String::new(),
            site: views.site.clone(),
            depends_on,
        },
        items,
    )))
}
