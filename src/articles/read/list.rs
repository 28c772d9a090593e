//! A page of `GET /articles` (and `/sections/{slug}/articles`): the filters resolved to ids,
//! the rows, what they embed and, for a search, the highlights.

use std::collections::HashMap;

use diesel::PgConnection;
use uuid::Uuid;

use super::{related, Totals};
use crate::articles::queries::{self, ListFilter, Sort};
use crate::articles::views::ArticleListItem;
use crate::cache::Scope;
use crate::directory::{Directory, PersonName, TagName};
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor};
use crate::search::{self, SearchQuery};
use crate::{correspondents, tags, text};

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

/// The totals counted so far, and the generation of what they were counted in (read before
/// the request's statements).
#[derive(Debug, Clone, Copy)]
pub struct Counts<'a> {
    pub totals: &'a Totals,
    pub generation: u64,
}

/// Loads a page of articles: the filters resolved to ids, the rows, their relations, and for a
/// search the highlights. `page.total` comes from `counts` when this list was counted since the
/// last write (whatever its `limit` and `cursor`).
pub fn list_page(
    conn: &mut PgConnection,
    dir: &Directory,
    public_url: &str,
    counts: Counts<'_>,
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
                dir.names.note_tag(
                    t.id,
                    TagName {
                        slug: t.slug,
                        name: t.name,
                    },
                );
            }
            None => return Ok(ListPage::empty(req.want_total)),
        }
    }
    if let Some(p) = req.correspondent {
        match correspondents::queries::find(conn, &IdOrSlug::parse(&p))? {
            Some(p) => {
                filter.correspondent_id = Some(p.id);
                scopes.push(Scope::Person(p.id));
                dir.names.note_person(
                    p.id,
                    PersonName {
                        name: p.name,
                        slug: p.slug,
                        affiliation: p.affiliation,
                    },
                );
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
        // Sorting does not change a count.
        let key = format!(
            "{:?}",
            ListFilter {
                sort: Sort::Published,
                ..filter.clone()
            }
        );
        match counts.totals.get(counts.generation, &key) {
            Some(total) => Some(total),
            None => {
                let total = queries::count(conn, &filter)?;
                counts.totals.put(counts.generation, key, total);
                Some(total)
            }
        }
    } else {
        None
    };
    let mut rel = related(conn, dir, public_url, &rows)?;
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
