//! The demo's inserts, each idempotent by slug: sections, tags, correspondents, and published
//! articles through the API's own write path (so every article has its revisions).

use chrono::{Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::articles::views::CreateArticleRequest;
use crate::articles::write::{self, Move};
use crate::articles::Status;
use crate::cache::Changes;
use crate::correspondents::model::Correspondent;
use crate::correspondents::queries as people;
use crate::directory::Directory;
use crate::editors::Editor;
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::schema::{article_tags, articles};
use crate::sections::model::NewSection;
use crate::sections::queries as sections;
use crate::slug;
use crate::tags::model::Tag;
use crate::tags::queries as tags;

pub(super) fn section(
    c: &mut PgConnection,
    slug: &str,
    name: &str,
    parent: Option<Uuid>,
    position: i32,
) -> Result<Uuid, AppError> {
    if let Some(s) = sections::find(c, &IdOrSlug::Slug(slug.into()))? {
        return Ok(s.id);
    }
    let s = sections::insert(
        c,
        &NewSection {
            id: Uuid::now_v7(),
            slug: slug.into(),
            name: name.into(),
            description: None,
            parent_id: parent,
            position,
        },
    )?;
    Ok(s.id)
}

pub(super) fn tag(
    c: &mut PgConnection,
    name: &str,
    slug_hint: Option<&str>,
) -> Result<Uuid, AppError> {
    let slug = slug_hint
        .map(str::to_owned)
        .unwrap_or_else(|| slug::slugify(name, slug::MAX_SLUG_LEN));
    if let Some(t) = tags::find(c, &IdOrSlug::Slug(slug.clone()))? {
        return Ok(t.id);
    }
    let now = Utc::now();
    Ok(tags::insert(
        c,
        &Tag {
            id: Uuid::now_v7(),
            slug,
            name: name.into(),
            created_at: now,
            updated_at: now,
        },
    )?
    .id)
}

pub(super) fn person(
    c: &mut PgConnection,
    name: &str,
    affiliation: Option<&str>,
) -> Result<Uuid, AppError> {
    let slug = slug::slugify(name, slug::MAX_SLUG_LEN);
    if let Some(p) = people::find(c, &IdOrSlug::Slug(slug.clone()))? {
        return Ok(p.id);
    }
    let now = Utc::now();
    let row = Correspondent {
        id: Uuid::now_v7(),
        slug,
        name: name.into(),
        affiliation: affiliation.map(str::to_owned),
        bio: None,
        email: Some(format!(
            "{}@example.cn",
            slug::slugify(name, 64).replace('-', "")
        )),
        phone: Some("0715-8000000".into()),
        notes: Some("内部联系人信息，仅编辑可见".into()),
        editor_id: None,
        created_at: now,
        updated_at: now,
    };
    Ok(people::insert(c, &row)?.id)
}

/// Creates, publishes and dates one article; returns its id.
pub(super) fn publish(
    c: &mut PgConnection,
    admin: &Editor,
    req: CreateArticleRequest,
    hours_ago: i64,
) -> Result<Uuid, AppError> {
    // The seed's own transaction adds the sections and names: a directory of its own, loaded
    // inside it.
    let dir = Directory::default();
    let a = write::create(c, &dir, admin, req)?.article;
    for to in [Status::InReview, Status::Published] {
        write::transition(
            c,
            &dir,
            Some(admin),
            a.id,
            Move {
                to,
                publish_at: None,
                note: None,
                version: None,
            },
            // The seeding transaction reports that everything changed.
            &mut Changes::default(),
        )?;
    }
    let at = Utc::now() - Duration::hours(hours_ago);
    diesel::update(articles::table.find(a.id))
        .set(articles::published_at.eq(at))
        .execute(c)?;
    diesel::update(article_tags::table.filter(article_tags::article_id.eq(a.id)))
        .set(article_tags::published_at.eq(at))
        .execute(c)?;
    Ok(a.id)
}
