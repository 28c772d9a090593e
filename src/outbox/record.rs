//! What a write's events put in the outbox, in the write's transaction: a delivery to every
//! active webhook that subscribed, with the article's list item (or the resource) as it stands
//! at the commit.

use chrono::{SecondsFormat, Utc};
use diesel::PgConnection;
use serde_json::{json, Value};
use uuid::Uuid;

use super::queries::NewMessage;
use crate::articles::read::related_with;
use crate::cache::{Announced, Changes, Event};
use crate::correspondents::views::CorrespondentView;
use crate::directory::Directory;
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::sections::views::SectionView;
use crate::tags::views::TagView;
use crate::webhooks;
use crate::webhooks::model::Webhook;
use crate::{articles, correspondents, sections, tags};

/// The `data` of an event: the article's list item, the resource's public view, or for a
/// deleted resource `{id, deleted: true}`.
fn data(
    conn: &mut PgConnection,
    dir: &Directory,
    public_url: &str,
    subjects: &Subjects,
    e: &Event,
) -> Result<Value, AppError> {
    let gone = |id: Uuid| json!({"id": id, "deleted": true});
    Ok(match *e {
        Event::ArticlePublished(id)
        | Event::ArticleUpdated(id)
        | Event::ArticleUnpublished(id)
        | Event::ArticleScheduled(id) => match subjects.article(id) {
            Some(a) => {
                let row = a.article.summary_row();
                let (bylines, tags) = (a.bylines.clone(), a.tags.clone());
                let rel = related_with(
                    conn,
                    dir,
                    public_url,
                    std::slice::from_ref(&row),
                    bylines,
                    tags,
                )?;
                serde_json::to_value(rel.item(&row))?
            }
            None => gone(id),
        },
        Event::SectionChanged { id, deleted } => {
            match sections::queries::find(conn, &IdOrSlug::Id(id))?.filter(|_| !deleted) {
                Some(s) => {
                    let parent = match s.parent_id {
                        Some(p) => sections::queries::find(conn, &IdOrSlug::Id(p))?,
                        None => None,
                    };
                    serde_json::to_value(SectionView::new(&s, parent.as_ref()))?
                }
                None => gone(id),
            }
        }
        Event::TagChanged { id, deleted } => {
            match tags::queries::find(conn, &IdOrSlug::Id(id))?.filter(|_| !deleted) {
                Some(t) => serde_json::to_value(TagView::from(&t))?,
                None => gone(id),
            }
        }
        Event::CorrespondentChanged { id, deleted } => {
            match correspondents::queries::find(conn, &IdOrSlug::Id(id))?.filter(|_| !deleted) {
                Some(p) => serde_json::to_value(CorrespondentView::new(&p, false))?,
                None => gone(id),
            }
        }
    })
}

/// The articles a write's events are about, as they stand at its commit: as the write left
/// them when it kept them ([`Changes::written`]), else read here (with their bylines and tags,
/// in two queries) — for the webhooks' payloads and the search engines' page URLs alike.
#[derive(Debug, Default)]
pub struct Subjects {
    articles: Vec<Announced>,
}

impl Subjects {
    pub fn of(
        conn: &mut PgConnection,
        dir: &Directory,
        changes: &Changes,
    ) -> Result<Subjects, AppError> {
        let mut articles = changes.articles.clone();
        let missing: Vec<Uuid> = changes
            .events
            .iter()
            .filter_map(Event::article)
            .filter(|id| !articles.iter().any(|a| a.article.id == *id))
            .collect();
        if !missing.is_empty() {
            let found = articles::queries::find_many(conn, &missing)?;
            let ids: Vec<Uuid> = found.iter().map(|a| a.id).collect();
            let (bylines, tags) = articles::queries::bylines_and_tags(conn, &dir.names, &ids)?;
            for article in found {
                let id = article.id;
                articles.push(Announced {
                    article,
                    bylines: bylines
                        .iter()
                        .filter(|b| b.article_id == id)
                        .cloned()
                        .collect(),
                    tags: tags
                        .iter()
                        .filter(|t| t.article_id == id)
                        .cloned()
                        .collect(),
                });
            }
        }
        Ok(Subjects { articles })
    }

    fn article(&self, id: Uuid) -> Option<&Announced> {
        self.articles.iter().find(|a| a.article.id == id)
    }
}

/// The active webhooks a write with `changes` may deliver to (none without events).
pub fn hooks(conn: &mut PgConnection, changes: &Changes) -> Result<Vec<Webhook>, AppError> {
    if changes.events.is_empty() {
        return Ok(Vec::new());
    }
    Ok(webhooks::queries::active(conn)?)
}

/// The deliveries of `changes`' events to the webhooks of `hooks` that want them.
pub fn webhooks(
    conn: &mut PgConnection,
    dir: &Directory,
    public_url: &str,
    hooks: &[Webhook],
    subjects: &Subjects,
    changes: &Changes,
) -> Result<Vec<NewMessage>, AppError> {
    let mut out = Vec::new();
    let timestamp = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    for event in &changes.events {
        let name = event.name();
        let wanting: Vec<_> = hooks.iter().filter(|h| h.wants(name)).collect();
        if wanting.is_empty() {
            continue;
        }
        let body = json!({"type": name, "timestamp": timestamp, "data": data(conn, dir, public_url, subjects, event)?});
        let (kind, id) = event.subject();
        for hook in wanting {
            out.push(NewMessage {
                id: Uuid::now_v7(),
                kind: "webhook",
                webhook_id: Some(hook.id),
                event: name,
                ordering_key: format!("webhook:{}|{kind}:{id}", hook.id),
                payload: body.clone(),
            });
        }
    }
    Ok(out)
}

/// The purge of what `changes` changed: the keys of its scopes (`all` when it shows
/// everywhere); none for a change the public does not see.
pub fn purge(
    conn: &mut PgConnection,
    dir: &Directory,
    changes: &Changes,
) -> Result<Option<NewMessage>, AppError> {
    use crate::cache::Scope;
    if changes.scopes.is_empty() {
        return Ok(None);
    }
    let keys: Vec<String> = if changes.scopes.contains(&Scope::Everything) {
        vec![crate::cdn::keys::ALL.to_owned()]
    } else {
        let (mut people, mut tag_ids) = (Vec::new(), Vec::new());
        for s in &changes.scopes {
            match s {
                Scope::Person(id) => people.push(*id),
                Scope::Tag(id) => tag_ids.push(*id),
                _ => {}
            }
        }
        // Loaded here so that the keys are known (and kept for the pages' own headers).
        let tree = dir.sections.tree(conn)?;
        dir.names.resolve(conn, &people, &tag_ids)?;
        let mut keys = Vec::new();
        for s in &changes.scopes {
            if let Some(k) = crate::cdn::keys::key(s, Some(&tree), dir) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        keys
    };
    // Purges need no order (each drops pages): the due ones go out together.
    let id = Uuid::now_v7();
    Ok(Some(NewMessage {
        id,
        kind: "purge",
        webhook_id: None,
        event: "purge",
        ordering_key: format!("purge:{id}"),
        payload: json!({ "keys": keys }),
    }))
}

/// The search-engine pushes of `changes`: the website pages of the articles published,
/// updated or unpublished (one `indexnow` and one `baidu` message each; the dispatcher sends
/// the ones due together as one request).
pub fn search_engines(
    conn: &mut PgConnection,
    dir: &Directory,
    targets: &super::Targets,
    subjects: &Subjects,
    changes: &Changes,
) -> Result<Vec<NewMessage>, AppError> {
    let mut urls = Vec::new();
    for e in &changes.events {
        let (Event::ArticlePublished(id)
        | Event::ArticleUpdated(id)
        | Event::ArticleUnpublished(id)) = *e
        else {
            continue;
        };
        let Some(Announced { article: a, .. }) = subjects.article(id) else {
            continue;
        };
        let tree = dir.sections.tree_with(conn, a.section_id)?;
        let section = tree
            .get(a.section_id)
            .map(|s| s.slug.clone())
            .unwrap_or_default();
        urls.push(targets.site.article_page(crate::site::PageOf {
            id: a.id,
            slug: &a.slug,
            section: &section,
            published_at: a.page_date(),
        }));
    }
    let mut out = Vec::new();
    for url in urls {
        let kinds = [
            ("indexnow", targets.indexnow.is_some()),
            ("baidu", targets.baidu_push_url.is_some()),
        ];
        for (kind, on) in kinds {
            if !on {
                continue;
            }
            let id = Uuid::now_v7();
            out.push(NewMessage {
                id,
                kind,
                webhook_id: None,
                event: "url",
                // Each on its own: the due ones are claimed and sent together.
                ordering_key: format!("{kind}:{id}"),
                payload: json!({ "url": url }),
            });
        }
    }
    Ok(out)
}
