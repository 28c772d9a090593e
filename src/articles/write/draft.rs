//! The editable state of an article being written, and its validation: the fields sent, cleaned
//! and sanitised, checked as a whole before anything is stored.

use diesel::prelude::*;

use crate::articles::model::{Article, ArticleFields};
use crate::articles::queries::{self, BylineEntry, TagEntry};
use crate::articles::views::{
    ArticleSnapshot, BylineInput, CoverImage, CoverImageInput, CreateArticleRequest,
    UpdateArticleRequest,
};
use crate::articles::workflow::Status;
use crate::directory::{Directory, Names};
use crate::error::AppError;
use crate::slug::{self, MAX_ARTICLE_SLUG_LEN};
use crate::text;
use crate::validate::{clean_optional, Checks};
use crate::{editors, media};

/// The byline roles, as stored.
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
pub struct Draft {
    pub s: ArticleSnapshot,
    pub summary_derived: bool,
}

impl Draft {
    /// A new article from a create request: a draft; its slug is empty when none was sent.
    pub fn new(req: CreateArticleRequest) -> Draft {
        let body_html = text::sanitize_html(&req.body_html);
        let summary = clean_optional(req.summary);
        Draft {
            summary_derived: summary.is_none(),
            s: ArticleSnapshot {
                slug: req.slug.unwrap_or_default(),
                title: req.title.trim().to_owned(),
                subtitle: clean_optional(req.subtitle),
                summary: summary.unwrap_or_else(|| text::derive_summary(&body_html)),
                body_html,
                section_id: req.section_id,
                byline: req.byline.unwrap_or_default(),
                tag_ids: req.tag_ids.unwrap_or_default(),
                editor_id: req.editor_id,
                source: clean_optional(req.source),
                cover_image: clean_cover(req.cover_image),
                status: Status::Draft,
                publish_at: None,
            },
        }
    }

    /// The article `a` as it stands (its byline and tags loaded).
    pub fn of(conn: &mut PgConnection, names: &Names, a: &Article) -> QueryResult<Draft> {
        Ok(Draft {
            s: snapshot(conn, names, a)?,
            summary_derived: a.summary_derived,
        })
    }

    /// This draft with the fields of `req` applied (its `version` is the caller's to check).
    pub fn edited(&self, req: UpdateArticleRequest) -> Draft {
        let mut d = self.clone();
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
        d
    }

    /// Every field and every reference checked at once: 422 listing all that is wrong.
    pub fn validate(&self, conn: &mut PgConnection, dir: &Directory) -> Result<(), AppError> {
        let mut checks = Checks::new();
        self.check_fields(&mut checks);
        self.check_references(conn, dir, &mut checks)?;
        checks.finish()
    }

    /// Pure checks of the editable state.
    fn check_fields(&self, checks: &mut Checks) {
        let s = &self.s;
        checks.text("title", &s.title, 200);
        checks.optional_text("subtitle", s.subtitle.as_deref(), 200);
        checks.optional_text("summary", Some(&s.summary), 1000);
        checks.optional_text("source", s.source.as_deref(), 200);
        checks.slug("slug", &s.slug, MAX_ARTICLE_SLUG_LEN);
        if s.byline.len() > MAX_BYLINE {
            checks.fail("byline", format!("at most {MAX_BYLINE} entries"));
        }
        for (i, b) in s.byline.iter().enumerate() {
            if !ROLES.contains(&b.role.as_str()) {
                checks.fail(
                    format!("byline[{i}].role"),
                    format!("must be one of {}", ROLES.join(", ")),
                );
            }
            if s.byline[..i].contains(b) {
                checks.fail(
                    format!("byline[{i}]"),
                    "the same person is credited twice in the same role",
                );
            }
        }
        if s.tag_ids.len() > MAX_TAGS {
            checks.fail("tag_ids", format!("at most {MAX_TAGS} tags"));
        }
        for (i, t) in s.tag_ids.iter().enumerate() {
            if s.tag_ids[..i].contains(t) {
                checks.fail(format!("tag_ids[{i}]"), "listed twice");
            }
        }
        if let Some(c) = &s.cover_image {
            if let Some(url) = &c.url {
                checks.url("cover_image.url", url);
            }
            checks.optional_text("cover_image.caption", c.caption.as_deref(), 500);
            checks.optional_text("cover_image.credit", c.credit.as_deref(), 200);
        }
    }

    /// The section, correspondents, tags and responsible editor exist.
    fn check_references(
        &self,
        conn: &mut PgConnection,
        dir: &Directory,
        checks: &mut Checks,
    ) -> QueryResult<()> {
        let s = &self.s;
        if dir
            .sections
            .tree_with(conn, s.section_id)?
            .get(s.section_id)
            .is_none()
        {
            checks.fail("section_id", "no such section");
        }
        // From the directory: one that another process deleted a moment ago fails the insert's
        // foreign key instead (also 422).
        let found = dir.names.resolve(conn, &s.people(), &s.tag_ids)?;
        for (i, b) in s.byline.iter().enumerate() {
            if !found.people.contains_key(&b.correspondent_id) {
                checks.fail(
                    format!("byline[{i}].correspondent_id"),
                    "no such correspondent",
                );
            }
        }
        for (i, t) in s.tag_ids.iter().enumerate() {
            if !found.tags.contains_key(t) {
                checks.fail(format!("tag_ids[{i}]"), "no such tag");
            }
        }
        let used = self.media_used();
        let found: Vec<uuid::Uuid> = media::queries::find_many(conn, &used)?
            .iter()
            .map(|m| m.id)
            .collect();
        let cover = s.cover_image.as_ref().and_then(|c| c.media_id);
        if cover.is_some_and(|id| !found.contains(&id)) {
            checks.fail("cover_image.media_id", "no such media");
        }
        let missing: Vec<String> = media::references(&s.body_html)
            .into_iter()
            .filter(|id| !found.contains(id))
            .map(|id| id.to_string())
            .collect();
        if !missing.is_empty() {
            checks.fail(
                "body_html",
                format!("shows media that does not exist: {}", missing.join(", ")),
            );
        }
        if let Some(e) = s.editor_id {
            match editors::queries::find(conn, e)? {
                Some(ed) if ed.active && ed.role().is_desk() => {}
                Some(_) => checks.fail("editor_id", "must be an active editor or admin"),
                None => checks.fail("editor_id", "no such editor"),
            }
        }
        Ok(())
    }

    /// The images of the media library it uses: its cover, then those its body shows.
    pub fn media_used(&self) -> Vec<uuid::Uuid> {
        let mut used: Vec<uuid::Uuid> = self
            .s
            .cover_image
            .iter()
            .filter_map(|c| c.media_id)
            .collect();
        for id in media::references(&self.s.body_html) {
            if !used.contains(&id) {
                used.push(id);
            }
        }
        used
    }

    /// The row's columns.
    pub fn fields(&self) -> ArticleFields {
        let s = &self.s;
        let cover = s.cover_image.clone();
        ArticleFields {
            slug: s.slug.clone(),
            title: s.title.clone(),
            subtitle: s.subtitle.clone(),
            summary: s.summary.clone(),
            summary_derived: self.summary_derived,
            body_html: s.body_html.clone(),
            section_id: s.section_id,
            editor_id: s.editor_id,
            source: s.source.clone(),
            cover_url: cover.as_ref().and_then(|c| c.url.clone()),
            cover_media_id: cover.as_ref().and_then(|c| c.media_id),
            cover_caption: cover.as_ref().and_then(|c| c.caption.clone()),
            cover_credit: cover.and_then(|c| c.credit),
            char_count: text::char_count(&s.body_html),
        }
    }
}

fn clean_cover(c: Option<CoverImageInput>) -> Option<CoverImage> {
    c.map(|c| CoverImage {
        url: c.url.map(|u| u.trim().to_owned()),
        media_id: c.media_id,
        caption: clean_optional(c.caption),
        credit: clean_optional(c.credit),
    })
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

/// The editable state of `a` with the byline and tags given.
pub fn snapshot_of(a: &Article, bylines: &[BylineEntry], tags: &[TagEntry]) -> ArticleSnapshot {
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
        cover_image: stored_cover(a),
        status: a.status(),
        publish_at: a.publish_at,
    }
}

/// The cover of `a` as stored: an image elsewhere or one of the library.
fn stored_cover(a: &Article) -> Option<CoverImage> {
    (a.cover_url.is_some() || a.cover_media_id.is_some()).then(|| CoverImage {
        url: a.cover_url.clone(),
        media_id: a.cover_media_id,
        caption: a.cover_caption.clone(),
        credit: a.cover_credit.clone(),
    })
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

/// A slug made from `title`, unused by any other article than `except`.
pub fn unique_slug(
    conn: &mut PgConnection,
    title: &str,
    except: Option<uuid::Uuid>,
) -> QueryResult<String> {
    let mut base = slug::slugify(title, MAX_ARTICLE_SLUG_LEN);
    if base.is_empty() {
        base = "article".into();
    }
    slug::dedupe(&base, MAX_ARTICLE_SLUG_LEN, |s| {
        queries::slug_taken(conn, s, except)
    })
}

/// 409 for a slug another article uses or used.
pub fn slug_taken_error() -> AppError {
    AppError::conflict(
        "article_slug_taken",
        "another article uses (or used) this slug",
    )
}
