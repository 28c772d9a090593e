//! Every write of an article, on one connection inside the caller's transaction: validation of
//! the whole editable state, storage of the row, byline and tags, the slug redirect, the
//! revision and the audit entry.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::model::{Article, ArticleFields};
use super::queries::{self, BylineEntry, Neighbours, TagEntry};
use super::views::{
    ArticleSnapshot, BylineInput, CoverImage, CreateArticleRequest, UpdateArticleRequest,
};
use super::workflow::{self, Actor, Refusal, Status};
use crate::audit;
use crate::cache::Changes;
use crate::directory::{Directory, Names};
use crate::editors::{Editor, Role};
use crate::error::AppError;
use crate::schema::{
    article_bylines, article_revisions, article_slug_redirects, article_tags, articles,
};
use crate::search::TsvectorValue;
use crate::sections::tree::SectionTree;
use crate::slug::{self, MAX_ARTICLE_SLUG_LEN};
use crate::validate::{clean_optional, Checks};
use crate::{editors, search, text};

pub const ROLES: [&str; 5] = [
    "reporter",
    "correspondent",
    "photographer",
    "author",
    "translator",
];
const MAX_BYLINE: usize = 50;
const MAX_TAGS: usize = 50;

/// The editable state plus whether the summary is derived from the body.
#[derive(Debug, Clone)]
struct Draft {
    s: ArticleSnapshot,
    summary_derived: bool,
}

/// Pure checks of the editable state; the references are checked by [`check_references`].
fn check_fields(d: &Draft, checks: &mut Checks) {
    checks.text("title", &d.s.title, 200);
    checks.optional_text("subtitle", d.s.subtitle.as_deref(), 200);
    checks.optional_text("summary", Some(&d.s.summary), 1000);
    checks.optional_text("source", d.s.source.as_deref(), 200);
    checks.slug("slug", &d.s.slug, MAX_ARTICLE_SLUG_LEN);
    if d.s.byline.len() > MAX_BYLINE {
        checks.fail("byline", format!("at most {MAX_BYLINE} entries"));
    }
    for (i, b) in d.s.byline.iter().enumerate() {
        if !ROLES.contains(&b.role.as_str()) {
            checks.fail(
                format!("byline[{i}].role"),
                format!("must be one of {}", ROLES.join(", ")),
            );
        }
        if d.s.byline[..i].contains(b) {
            checks.fail(
                format!("byline[{i}]"),
                "the same person is credited twice in the same role",
            );
        }
    }
    if d.s.tag_ids.len() > MAX_TAGS {
        checks.fail("tag_ids", format!("at most {MAX_TAGS} tags"));
    }
    for (i, t) in d.s.tag_ids.iter().enumerate() {
        if d.s.tag_ids[..i].contains(t) {
            checks.fail(format!("tag_ids[{i}]"), "listed twice");
        }
    }
    if let Some(c) = &d.s.cover_image {
        checks.url("cover_image.url", &c.url);
        checks.optional_text("cover_image.caption", c.caption.as_deref(), 500);
        checks.optional_text("cover_image.credit", c.credit.as_deref(), 200);
    }
}

fn check_references(
    conn: &mut PgConnection,
    dir: &Directory,
    d: &Draft,
    checks: &mut Checks,
) -> QueryResult<()> {
    if dir
        .sections
        .tree_with(conn, d.s.section_id)?
        .get(d.s.section_id)
        .is_none()
    {
        checks.fail("section_id", "no such section");
    }
    let people = d.s.people();
    // From the directory: one that another process deleted a moment ago fails the insert's
    // foreign key instead (also 422).
    let found = dir.names.resolve(conn, &people, &d.s.tag_ids)?;
    for (i, b) in d.s.byline.iter().enumerate() {
        if !found.people.contains_key(&b.correspondent_id) {
            checks.fail(
                format!("byline[{i}].correspondent_id"),
                "no such correspondent",
            );
        }
    }
    for (i, t) in d.s.tag_ids.iter().enumerate() {
        if !found.tags.contains_key(t) {
            checks.fail(format!("tag_ids[{i}]"), "no such tag");
        }
    }
    if let Some(e) = d.s.editor_id {
        match editors::queries::find(conn, e)? {
            Some(ed) if ed.active && ed.role().is_desk() => {}
            Some(_) => checks.fail("editor_id", "must be an active editor or admin"),
            None => checks.fail("editor_id", "no such editor"),
        }
    }
    Ok(())
}

fn validate(conn: &mut PgConnection, dir: &Directory, d: &Draft) -> Result<(), AppError> {
    let mut checks = Checks::new();
    check_fields(d, &mut checks);
    check_references(conn, dir, d, &mut checks)?;
    checks.finish()
}

fn clean_cover(c: Option<CoverImage>) -> Option<CoverImage> {
    c.map(|c| CoverImage {
        url: c.url.trim().to_owned(),
        caption: clean_optional(c.caption),
        credit: clean_optional(c.credit),
    })
}

fn fields(d: &Draft) -> ArticleFields {
    let cover = d.s.cover_image.clone();
    ArticleFields {
        slug: d.s.slug.clone(),
        title: d.s.title.clone(),
        subtitle: d.s.subtitle.clone(),
        summary: d.s.summary.clone(),
        summary_derived: d.summary_derived,
        body_html: d.s.body_html.clone(),
        section_id: d.s.section_id,
        editor_id: d.s.editor_id,
        source: d.s.source.clone(),
        cover_url: cover.as_ref().map(|c| c.url.clone()),
        cover_caption: cover.as_ref().and_then(|c| c.caption.clone()),
        cover_credit: cover.and_then(|c| c.credit),
        char_count: text::char_count(&d.s.body_html),
    }
}

/// Stores the byline and tags of `d`, replacing the article's (`fresh`: it has none yet).
fn store_relations(conn: &mut PgConnection, id: Uuid, d: &Draft, fresh: bool) -> QueryResult<()> {
    use diesel::sql_types::Uuid as SqlUuid;
    if !fresh {
        diesel::delete(article_bylines::table.filter(article_bylines::article_id.eq(id)))
            .execute(conn)?;
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id)))
            .execute(conn)?;
    }
    // `INSERT … SELECT unnest(…)`: one SQL text whatever the number of rows, prepared once
    // (a multi-row VALUES list is a new statement for every length).
    let positions = |n: usize| -> Vec<i16> {
        (0..n)
            .map(|i| i16::try_from(i).unwrap_or(i16::MAX))
            .collect()
    };
    if !d.s.byline.is_empty() {
        let people = d.s.people();
        let roles: Vec<String> = d.s.byline.iter().map(|b| b.role.clone()).collect();
        diesel::insert_into(article_bylines::table)
            .values(diesel::select((
                id.into_sql::<SqlUuid>(),
                unnest(positions(people.len())),
                unnest(people),
                unnest(roles),
            )))
            .into_columns((
                article_bylines::article_id,
                article_bylines::position,
                article_bylines::correspondent_id,
                article_bylines::role,
            ))
            .execute(conn)?;
    }
    if !d.s.tag_ids.is_empty() {
        diesel::insert_into(article_tags::table)
            .values(diesel::select((
                id.into_sql::<SqlUuid>(),
                unnest(d.s.tag_ids.clone()),
                unnest(positions(d.s.tag_ids.len())),
            )))
            .into_columns((
                article_tags::article_id,
                article_tags::tag_id,
                article_tags::position,
            ))
            .execute(conn)?;
    }
    Ok(())
}

diesel::define_sql_function! {
    /// `unnest(array)`: a row per element.
    fn unnest<T: diesel::sql_types::SingleValue>(array: diesel::sql_types::Array<T>) -> T;
}

/// Rewrites the search document, in the same transaction as the write.
fn index(conn: &mut PgConnection, d: &Draft, id: Uuid) -> QueryResult<()> {
    crate::search::store(
        conn,
        id,
        &d.s.title,
        &d.s.summary,
        &text::plain_text(&d.s.body_html),
    )
}

/// The editable state of `a` (its byline and tags loaded).
pub fn snapshot(
    conn: &mut PgConnection,
    names: &Names,
    a: &Article,
) -> QueryResult<ArticleSnapshot> {
    let (bylines, tags) = queries::bylines_and_tags(conn, names, &[a.id])?;
    Ok(snapshot_of(a, &bylines, &tags))
}

fn snapshot_of(a: &Article, bylines: &[BylineEntry], tags: &[TagEntry]) -> ArticleSnapshot {
    ArticleSnapshot {
        slug: a.slug.clone(),
        title: a.title.clone(),
        subtitle: a.subtitle.clone(),
        summary: a.summary.clone(),
        body_html: a.body_html.clone(),
        section_id: a.section_id,
        byline: bylines
            .iter()
            .map(|b| BylineInput {
                correspondent_id: b.correspondent_id,
                role: b.role.clone(),
            })
            .collect(),
        tag_ids: tags.iter().map(|t| t.id).collect(),
        editor_id: a.editor_id,
        source: a.source.clone(),
        cover_image: a.cover_url.as_ref().map(|url| CoverImage {
            url: url.clone(),
            caption: a.cover_caption.clone(),
            credit: a.cover_credit.clone(),
        }),
        status: a.status(),
        publish_at: a.publish_at,
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

    /// Adds what the public sees of the article now to `changes` (and keeps the neighbours).
    fn publicly(
        mut self,
        conn: &mut PgConnection,
        tree: &SectionTree,
        changes: &mut Changes,
    ) -> QueryResult<Written> {
        let (people, tags) = (self.people(), self.tag_ids());
        self.neighbours = changes.article(conn, tree, &self.article, &people, &tags)?;
        Ok(self)
    }
}

/// Stores the revision numbered `a.version` and the matching audit entry; returns the article
/// with the byline and tags it loaded for the revision.
fn record(
    conn: &mut PgConnection,
    names: &Names,
    a: &Article,
    editor: Option<Uuid>,
    action: &str,
    note: Option<&str>,
    changed: &[&str],
) -> Result<Written, AppError> {
    let (bylines, tags) = queries::bylines_and_tags(conn, names, &[a.id])?;
    let snapshot = serde_json::to_value(snapshot_of(a, &bylines, &tags))
        .map_err(|e| AppError::Internal(format!("snapshot: {e}")))?;
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(a.id),
            article_revisions::number.eq(a.version),
            article_revisions::editor_id.eq(editor),
            article_revisions::created_at.eq(a.updated_at),
            article_revisions::action.eq(action),
            article_revisions::note.eq(note),
            article_revisions::changed.eq(changed
                .iter()
                .map(|c| Some(c.to_string()))
                .collect::<Vec<_>>()),
            article_revisions::snapshot.eq(snapshot),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        audit::Entry {
            editor,
            action,
            entity: "article",
            entity_id: Some(a.id),
            article_id: Some(a.id),
            detail: serde_json::json!({ "version": a.version, "changed": changed, "note": note }),
        },
    )?;
    Ok(Written {
        article: a.clone(),
        bylines,
        tags,
        neighbours: None,
    })
}

fn unique_slug(conn: &mut PgConnection, title: &str, except: Option<Uuid>) -> QueryResult<String> {
    let mut base = slug::slugify(title, MAX_ARTICLE_SLUG_LEN);
    if base.is_empty() {
        base = "article".into();
    }
    slug::dedupe(&base, MAX_ARTICLE_SLUG_LEN, |s| {
        queries::slug_taken(conn, s, except)
    })
}

fn taken_error() -> AppError {
    AppError::conflict(
        "article_slug_taken",
        "another article uses (or used) this slug",
    )
}

/// `POST /articles`: a new draft at version 1 with revision 1.
pub fn create(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    req: CreateArticleRequest,
) -> Result<Written, AppError> {
    if actor.role() == Role::Contributor && req.editor_id.is_some() {
        return Err(AppError::Forbidden(
            "contributors may not set the responsible editor".into(),
        ));
    }
    let body_html = text::sanitize_html(&req.body_html);
    let summary = clean_optional(req.summary);
    let mut d = Draft {
        summary_derived: summary.is_none(),
        s: ArticleSnapshot {
            slug: req.slug.clone().unwrap_or_default(),
            title: req.title.trim().to_owned(),
            subtitle: clean_optional(req.subtitle),
            summary: summary.unwrap_or_else(|| text::derive_summary(&body_html)),
            body_html,
            section_id: req.section_id,
            byline: req.byline,
            tag_ids: req.tag_ids.unwrap_or_default(),
            editor_id: req.editor_id,
            source: clean_optional(req.source),
            cover_image: clean_cover(req.cover_image),
            status: Status::Draft,
            publish_at: None,
        },
    };
    if req.slug.is_none() {
        d.s.slug = unique_slug(conn, &d.s.title, None)?;
    }
    validate(conn, dir, &d)?;
    if req.slug.is_some() && queries::slug_taken(conn, &d.s.slug, None)? {
        return Err(taken_error());
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let a: Article = diesel::insert_into(articles::table)
        .values((
            articles::id.eq(id),
            fields(&d),
            articles::created_by.eq(actor.id),
            articles::status.eq(Status::Draft.as_str()),
            articles::created_at.eq(now),
            articles::updated_at.eq(now),
            articles::version.eq(1),
            // The search documents in the same statement: no second version of the row.
            articles::search.eq(TsvectorValue(search::document(
                &d.s.title,
                &d.s.summary,
                &text::plain_text(&d.s.body_html),
            ))),
            articles::search_title.eq(TsvectorValue(search::title_document(&d.s.title))),
        ))
        .returning(Article::as_returning())
        .get_result(conn)?;
    store_relations(conn, id, &d, true)?;
    record(conn, &dir.names, &a, Some(actor.id), "create", None, &[])
}

/// 403 unless `actor` may edit `a`: the desk edits everything, a contributor its own drafts
/// and in-review articles.
pub fn ensure_may_edit(actor: &Editor, a: &Article) -> Result<(), AppError> {
    if actor.role().is_desk()
        || workflow::contributor_may_edit(a.status(), a.created_by == Some(actor.id))
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "contributors may only edit their own drafts and articles in review".into(),
        ))
    }
}

fn check_version(a: &Article, version: Option<i32>) -> Result<(), AppError> {
    match version {
        None => Err(AppError::VersionRequired),
        Some(v) if v != a.version => Err(AppError::StaleVersion { current: a.version }),
        Some(_) => Ok(()),
    }
}

/// `PATCH /articles/{id}`: applies the fields sent, checks the version under a row lock, bumps
/// it and stores a revision listing the changed fields.
pub fn update(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    req: UpdateArticleRequest,
    if_match: Option<i32>,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let edit = Edit {
        req,
        if_match,
        action: "update",
        note: None,
    };
    apply(conn, dir, actor, id, edit, changes)
}

/// Restores the editable fields of revision `number` (not the status) as a new version, whose
/// revision is marked `restore`. A version check is optional.
pub fn restore(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    (number, version): (i32, Option<i32>),
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let current = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("article"))?;
    ensure_may_edit(actor, &current)?;
    let snapshot: serde_json::Value = article_revisions::table
        .find((id, number))
        .select(article_revisions::snapshot)
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("revision"))?;
    let s: ArticleSnapshot = serde_json::from_value(snapshot)
        .map_err(|e| AppError::Internal(format!("revision {number} of {id}: {e}")))?;
    let req = UpdateArticleRequest {
        title: Some(s.title),
        body_html: Some(s.body_html),
        section_id: Some(s.section_id),
        byline: Some(s.byline),
        tag_ids: Some(s.tag_ids),
        // Contributors may not set the responsible editor: theirs stays as it is.
        editor_id: actor.role().is_desk().then_some(s.editor_id),
        slug: Some(s.slug),
        subtitle: Some(s.subtitle),
        summary: Some(Some(s.summary)),
        source: Some(s.source),
        cover_image: Some(s.cover_image),
        version: Some(version.unwrap_or(current.version)),
    };
    let note = format!("restored revision {number}");
    let edit = Edit {
        req,
        if_match: None,
        action: "restore",
        note: Some(&note),
    };
    apply(conn, dir, actor, id, edit, changes)
}

/// An edit to apply: the fields sent, the version named in `If-Match`, and the revision's
/// action and note.
struct Edit<'a> {
    req: UpdateArticleRequest,
    if_match: Option<i32>,
    action: &'a str,
    note: Option<&'a str>,
}

fn apply(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    edit: Edit<'_>,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let Edit {
        req,
        if_match,
        action,
        note,
    } = edit;
    let current = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("article"))?;
    ensure_may_edit(actor, &current)?;
    if actor.role() == Role::Contributor && req.editor_id.is_some() {
        return Err(AppError::Forbidden(
            "contributors may not set the responsible editor".into(),
        ));
    }
    if let (Some(h), Some(b)) = (if_match, req.version) {
        if h != b {
            return Err(AppError::bad_request(
                "version_mismatch",
                "If-Match and version disagree",
            ));
        }
    }
    check_version(&current, if_match.or(req.version))?;
    let before = Draft {
        s: snapshot(conn, &dir.names, &current)?,
        summary_derived: current.summary_derived,
    };
    shown(conn, dir, &current, &before.s, changes)?;
    let mut d = before.clone();
    if let Some(t) = req.title {
        d.s.title = t.trim().to_owned();
    }
    if let Some(b) = req.body_html {
        d.s.body_html = text::sanitize_html(&b);
    }
    if let Some(s) = req.section_id {
        d.s.section_id = s;
    }
    if let Some(b) = req.byline {
        d.s.byline = b;
    }
    if let Some(t) = req.tag_ids {
        d.s.tag_ids = t;
    }
    if let Some(e) = req.editor_id {
        d.s.editor_id = e;
    }
    if let Some(s) = req.slug {
        d.s.slug = s;
    }
    if let Some(s) = req.subtitle {
        d.s.subtitle = clean_optional(s);
    }
    if let Some(s) = req.source {
        d.s.source = clean_optional(s);
    }
    if let Some(c) = req.cover_image {
        d.s.cover_image = clean_cover(c);
    }
    match req.summary.map(clean_optional) {
        Some(Some(s)) => {
            d.s.summary = s;
            d.summary_derived = false;
        }
        Some(None) => d.summary_derived = true,
        None => {}
    }
    if d.summary_derived {
        d.s.summary = text::derive_summary(&d.s.body_html);
    }
    validate(conn, dir, &d)?;
    if d.s.slug != before.s.slug {
        if queries::slug_taken(conn, &d.s.slug, Some(id))? {
            return Err(taken_error());
        }
        // The new slug may be one of this article's old ones: it is live again.
        diesel::delete(
            article_slug_redirects::table.filter(article_slug_redirects::slug.eq(&d.s.slug)),
        )
        .execute(conn)?;
        if current.published_at.is_some() {
            diesel::insert_into(article_slug_redirects::table)
                .values((
                    article_slug_redirects::slug.eq(&before.s.slug),
                    article_slug_redirects::article_id.eq(id),
                ))
                .on_conflict_do_nothing()
                .execute(conn)?;
        }
    }
    let changed = changed_fields(&before.s, &d.s);
    let a: Article = diesel::update(articles::table.find(id))
        .set((
            fields(&d),
            articles::version.eq(current.version + 1),
            articles::updated_at.eq(Utc::now()),
        ))
        .returning(Article::as_returning())
        .get_result(conn)?;
    if before.s.byline != d.s.byline || before.s.tag_ids != d.s.tag_ids {
        store_relations(conn, id, &d, false)?;
    }
    if changed
        .iter()
        .any(|f| matches!(*f, "title" | "summary" | "body_html"))
    {
        index(conn, &d, id)?;
    }
    let tree = dir.sections.tree_with(conn, a.section_id)?;
    let written = record(conn, &dir.names, &a, Some(actor.id), action, note, &changed)?;
    Ok(written.publicly(conn, &tree, changes)?)
}

/// The names of the fields that differ between two snapshots.
pub fn changed_fields(a: &ArticleSnapshot, b: &ArticleSnapshot) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut cmp = |name: &'static str, same: bool| {
        if !same {
            out.push(name);
        }
    };
    cmp("slug", a.slug == b.slug);
    cmp("title", a.title == b.title);
    cmp("subtitle", a.subtitle == b.subtitle);
    cmp("summary", a.summary == b.summary);
    cmp("body_html", a.body_html == b.body_html);
    cmp("section_id", a.section_id == b.section_id);
    cmp("byline", a.byline == b.byline);
    cmp("tag_ids", a.tag_ids == b.tag_ids);
    cmp("editor_id", a.editor_id == b.editor_id);
    cmp("source", a.source == b.source);
    cmp("cover_image", a.cover_image == b.cover_image);
    cmp("status", a.status == b.status);
    cmp("publish_at", a.publish_at == b.publish_at);
    out
}

/// A requested move of the workflow.
#[derive(Debug, Clone)]
pub struct Move {
    pub to: Status,
    pub publish_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub version: Option<i32>,
}

/// `POST /articles/{id}/transition` (and the scheduler, with `editor: None`).
pub fn transition(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: Option<&Editor>,
    id: Uuid,
    m: Move,
    changes: &mut Changes,
) -> Result<Written, AppError> {
    let current = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("article"))?;
    let from = current.status();
    let who = match actor {
        Some(e) => Actor::Staff {
            role: e.role(),
            owns: current.created_by == Some(e.id),
        },
        None => Actor::Scheduler,
    };
    if let Some(e) = actor {
        // A contributor learns nothing about others' articles beyond 403.
        if e.role() == Role::Contributor && current.created_by != Some(e.id) {
            return Err(AppError::Forbidden(
                "contributors may only move their own articles".into(),
            ));
        }
    }
    if let Some(v) = m.version {
        check_version(&current, Some(v))?;
    }
    match workflow::check(from, m.to, who) {
        Ok(()) => {}
        Err(Refusal::Illegal { allowed }) => {
            return Err(AppError::Conflict {
                code: "illegal_transition",
                detail: format!(
                    "an article cannot go from {} to {}; allowed: {}",
                    from.as_str(),
                    m.to.as_str(),
                    if allowed.is_empty() {
                        "none".to_owned()
                    } else {
                        allowed
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ),
                allowed: Some(allowed.iter().map(|s| s.as_str().to_owned()).collect()),
            })
        }
        Err(Refusal::Forbidden) => {
            return Err(AppError::Forbidden(format!(
                "your role may not move an article from {} to {}",
                from.as_str(),
                m.to.as_str()
            )))
        }
    }
    let now = Utc::now();
    let publish_at = match (m.to, m.publish_at) {
        (Status::Scheduled, Some(t)) if t > now => Some(t),
        (Status::Scheduled, Some(_)) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "must be in the future",
            ))
        }
        (Status::Scheduled, None) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "is required to schedule",
            ))
        }
        (_, Some(_)) => {
            return Err(AppError::invalid_field(
                "publish_at",
                "only applies when scheduling",
            ))
        }
        (Status::Published, None) => current.publish_at,
        (_, None) => None,
    };
    let published_at = match m.to {
        // Set on first publication, kept on re-publication.
        Status::Published => Some(current.published_at.unwrap_or(match actor {
            None => current.publish_at.unwrap_or(now),
            Some(_) => now,
        })),
        _ => current.published_at,
    };
    let a: Article = diesel::update(articles::table.find(id))
        .set((
            articles::status.eq(m.to.as_str()),
            articles::publish_at.eq(publish_at),
            articles::published_at.eq(published_at),
            articles::version.eq(current.version + 1),
            articles::updated_at.eq(now),
        ))
        .returning(Article::as_returning())
        .get_result(conn)?;
    let action = match (from, m.to) {
        (_, Status::Published) => "publish",
        (_, Status::Scheduled) => "schedule",
        (_, Status::Archived) => "archive",
        (Status::InReview, Status::Draft) => "send_back",
        (_, Status::Draft) => "unschedule",
        (_, Status::InReview) => "submit",
    };
    let note = clean_optional(m.note);
    let mut changed = vec!["status"];
    if publish_at != current.publish_at {
        changed.push("publish_at");
    }
    let written = record(
        conn,
        &dir.names,
        &a,
        actor.map(|e| e.id),
        action,
        note.as_deref(),
        &changed,
    )?;
    // A move changes neither byline nor tags: where the article was shown is found with the
    // ones just loaded.
    let tree = dir.sections.tree_with(conn, a.section_id)?;
    let (people, tags) = (written.people(), written.tag_ids());
    changes.article(conn, &tree, &current, &people, &tags)?;
    Ok(written.publicly(conn, &tree, changes)?)
}

/// `DELETE /articles/{id}`: the desk only; a published article must be archived first.
pub fn delete(
    conn: &mut PgConnection,
    dir: &Directory,
    actor: &Editor,
    id: Uuid,
    changes: &mut Changes,
) -> Result<(), AppError> {
    let current = queries::lock(conn, id)?.ok_or_else(|| AppError::not_found("article"))?;
    let s = snapshot(conn, &dir.names, &current)?;
    shown(conn, dir, &current, &s, changes)?;
    if !actor.role().is_desk() {
        return Err(AppError::Forbidden(
            "only editors and admins delete articles".into(),
        ));
    }
    if current.status() == Status::Published {
        return Err(AppError::conflict(
            "article_published",
            "archive a published article before deleting it",
        ));
    }
    diesel::delete(articles::table.find(id)).execute(conn)?;
    audit::record(
        conn,
        audit::Entry {
            editor: Some(actor.id),
            action: "delete",
            entity: "article",
            entity_id: Some(id),
            article_id: None,
            detail: serde_json::json!({ "slug": current.slug, "title": current.title }),
        },
    )?;
    Ok(())
}
