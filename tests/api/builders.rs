//! Fixtures that insert rows directly, as crates.io's test builders do: a test arranges the
//! newsroom it needs in a line each and spends its requests on what it is about.
//!
//! ```ignore
//! let counties = SectionBuilder::new("counties", "县市区").insert(&mut conn);
//! let jiayu = SectionBuilder::new("jiayu", "嘉鱼").under(&counties).insert(&mut conn);
//! let story = ArticleBuilder::new("标题", &jiayu).by(&person, "reporter").published().insert(&mut conn);
//! ```
//!
//! Rows go in as the API would store them (slugs from the same pinyin, sanitised bodies, search
//! documents), without revisions or audit entries. Insert them before the server's first read
//! of sections, correspondents or tags: the server keeps those in memory and forgets them on
//! writes made through the API, not on these.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use newsdesk::articles::model::Article;
use newsdesk::articles::write::draft::unique_slug;
use newsdesk::correspondents::model::Correspondent;
use newsdesk::schema::{article_bylines, article_tags, articles};
use newsdesk::search::title_document;
use newsdesk::sections::model::{NewSection, Section};
use newsdesk::slug::{slugify, MAX_SLUG_LEN};
use newsdesk::tags::model::Tag;
use newsdesk::text;

/// A section (栏目).
pub struct SectionBuilder {
    slug: String,
    name: String,
    parent: Option<Uuid>,
    position: i32,
}

impl SectionBuilder {
    pub fn new(slug: &str, name: &str) -> SectionBuilder {
        SectionBuilder {
            slug: slug.to_owned(),
            name: name.to_owned(),
            parent: None,
            position: 0,
        }
    }

    /// A child of `parent`.
    pub fn under(mut self, parent: &Section) -> SectionBuilder {
        self.parent = Some(parent.id);
        self
    }

    pub fn insert(self, conn: &mut PgConnection) -> Section {
        newsdesk::sections::queries::insert(
            conn,
            &NewSection {
                id: Uuid::now_v7(),
                slug: self.slug,
                name: self.name,
                description: None,
                parent_id: self.parent,
                position: self.position,
            },
        )
        .expect("insert section")
    }
}

/// A tag (专题); its slug is the name's pinyin, as the API makes it.
pub struct TagBuilder {
    name: String,
}

impl TagBuilder {
    pub fn new(name: &str) -> TagBuilder {
        TagBuilder {
            name: name.to_owned(),
        }
    }

    pub fn insert(self, conn: &mut PgConnection) -> Tag {
        let now = Utc::now();
        newsdesk::tags::queries::insert(
            conn,
            &Tag {
                id: Uuid::now_v7(),
                slug: slugify(&self.name, MAX_SLUG_LEN),
                name: self.name,
                created_at: now,
                updated_at: now,
            },
        )
        .expect("insert tag")
    }
}

/// A correspondent (通讯员), with the private fields only staff may read filled in.
pub struct CorrespondentBuilder {
    name: String,
    affiliation: Option<String>,
}

impl CorrespondentBuilder {
    pub fn new(name: &str) -> CorrespondentBuilder {
        CorrespondentBuilder {
            name: name.to_owned(),
            affiliation: Some("嘉鱼县委宣传部".to_owned()),
        }
    }

    pub fn affiliation(mut self, affiliation: &str) -> CorrespondentBuilder {
        self.affiliation = Some(affiliation.to_owned());
        self
    }

    pub fn insert(self, conn: &mut PgConnection) -> Correspondent {
        let now = Utc::now();
        let slug = unique(conn, "correspondents", &slugify(&self.name, MAX_SLUG_LEN));
        newsdesk::correspondents::queries::insert(
            conn,
            &Correspondent {
                id: Uuid::now_v7(),
                slug,
                name: self.name,
                affiliation: self.affiliation,
                bio: None,
                email: Some("secret@example.cn".to_owned()),
                phone: Some("13800000000".to_owned()),
                notes: Some("private".to_owned()),
                editor_id: None,
                created_at: now,
                updated_at: now,
            },
        )
        .expect("insert correspondent")
    }
}

/// An article: a draft unless [`ArticleBuilder::published`].
pub struct ArticleBuilder {
    title: String,
    body_html: String,
    section: Uuid,
    byline: Vec<(Uuid, String)>,
    tags: Vec<Uuid>,
    published_at: Option<DateTime<Utc>>,
}

impl ArticleBuilder {
    pub fn new(title: &str, section: &Section) -> ArticleBuilder {
        ArticleBuilder {
            title: title.to_owned(),
            body_html: format!("<p>{title}。今年以来，嘉鱼县聚焦聚力支点建设。</p>"),
            section: section.id,
            byline: vec![],
            tags: vec![],
            published_at: None,
        }
    }

    /// Credits `person` in `role` (`reporter`, `correspondent`, …), after those before.
    pub fn by(mut self, person: &Correspondent, role: &str) -> ArticleBuilder {
        self.byline.push((person.id, role.to_owned()));
        self
    }

    pub fn tagged(mut self, tag: &Tag) -> ArticleBuilder {
        self.tags.push(tag.id);
        self
    }

    /// Published now.
    pub fn published(self) -> ArticleBuilder {
        self.published_at(Utc::now())
    }

    pub fn published_at(mut self, at: DateTime<Utc>) -> ArticleBuilder {
        self.published_at = Some(at);
        self
    }

    pub fn insert(self, conn: &mut PgConnection) -> Article {
        let id = Uuid::now_v7();
        let body = text::sanitize_html(&self.body_html);
        let summary = text::derive_summary(&body);
        let plain = text::plain_text(&body);
        let status = if self.published_at.is_some() {
            "published"
        } else {
            "draft"
        };
        let now = Utc::now();
        let a: Article = diesel::insert_into(articles::table)
            .values((
                articles::id.eq(id),
                articles::slug.eq(unique_slug(conn, &self.title, None).expect("slug")),
                articles::title.eq(&self.title),
                articles::summary.eq(&summary),
                articles::body_html.eq(&body),
                articles::section_id.eq(self.section),
                articles::status.eq(status),
                articles::published_at.eq(self.published_at),
                articles::created_at.eq(now),
                articles::updated_at.eq(now),
                articles::char_count.eq(text::char_count(&body)),
                articles::search_title.eq(title_document(&self.title)),
                articles::search_written.eq(true),
            ))
            .returning(Article::as_returning())
            .get_result(conn)
            .expect("insert article");
        newsdesk::search::store(conn, id, &self.title, &summary, &plain).expect("search documents");
        for (position, (person, role)) in self.byline.iter().enumerate() {
            diesel::insert_into(article_bylines::table)
                .values((
                    article_bylines::article_id.eq(id),
                    article_bylines::position.eq(i16::try_from(position).unwrap()),
                    article_bylines::correspondent_id.eq(person),
                    article_bylines::role.eq(role),
                ))
                .execute(conn)
                .expect("insert byline");
        }
        for (position, tag) in self.tags.iter().enumerate() {
            diesel::insert_into(article_tags::table)
                .values((
                    article_tags::article_id.eq(id),
                    article_tags::tag_id.eq(tag),
                    article_tags::position.eq(i16::try_from(position).unwrap()),
                    article_tags::published_at.eq(self.published_at),
                ))
                .execute(conn)
                .expect("insert tag");
        }
        a
    }
}

/// `base`, or `base-2`, `base-3`… when `table` has it already.
fn unique(conn: &mut PgConnection, table: &str, base: &str) -> String {
    newsdesk::slug::dedupe(base, MAX_SLUG_LEN, |s| {
        diesel::select(
            diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "EXISTS (SELECT 1 FROM {table} WHERE slug = "
            ))
            .bind::<diesel::sql_types::Text, _>(s)
            .sql(")"),
        )
        .get_result(conn)
    })
    .expect("slug")
}
