//! What a write changed, in [`Scope`]s: collected inside the write's transaction, sent to the
//! other processes with `NOTIFY` (delivered on commit only) and evicted here after the commit.

use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::PgConnection;
use uuid::Uuid;

use super::Scope;
use crate::articles::model::Article;
use crate::articles::queries::{BylineEntry, Neighbours, TagEntry};
use crate::articles::workflow::Status;
use crate::search::terms::{title_words, word_key};
use crate::sections::tree::SectionTree;

diesel::define_sql_function! {
    /// `pg_notify(channel, payload)`, through the query builder so the statement is prepared once.
    fn pg_notify(channel: Text, payload: Text);
}

/// The channel the processes sharing a database listen on.
pub const CHANNEL: &str = "newsdesk_cache";

/// What a write did that the rest of the stack hears of (API.md §10): webhooks' events, and
/// with them the purges and search-engine pushes of the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// An article became public (first publication, or back from the archive).
    ArticlePublished(Uuid),
    /// A published article changed.
    ArticleUpdated(Uuid),
    /// A public article was archived (or deleted while public).
    ArticleUnpublished(Uuid),
    ArticleScheduled(Uuid),
    /// A section was created, changed or deleted (`deleted`: it is gone).
    SectionChanged {
        id: Uuid,
        deleted: bool,
    },
    TagChanged {
        id: Uuid,
        deleted: bool,
    },
    CorrespondentChanged {
        id: Uuid,
        deleted: bool,
    },
}

impl Event {
    /// The event's name in webhooks (`article.published`).
    pub fn name(&self) -> &'static str {
        match self {
            Event::ArticlePublished(_) => "article.published",
            Event::ArticleUpdated(_) => "article.updated",
            Event::ArticleUnpublished(_) => "article.unpublished",
            Event::ArticleScheduled(_) => "article.scheduled",
            Event::SectionChanged { .. } => "section.changed",
            Event::TagChanged { .. } => "tag.changed",
            Event::CorrespondentChanged { .. } => "correspondent.changed",
        }
    }

    /// What the event is about: the kind of resource (`article`, `section`, `tag`,
    /// `correspondent`) and its id.
    pub fn subject(&self) -> (&'static str, Uuid) {
        match *self {
            Event::ArticlePublished(id)
            | Event::ArticleUpdated(id)
            | Event::ArticleUnpublished(id)
            | Event::ArticleScheduled(id) => ("article", id),
            Event::SectionChanged { id, .. } => ("section", id),
            Event::TagChanged { id, .. } => ("tag", id),
            Event::CorrespondentChanged { id, .. } => ("correspondent", id),
        }
    }

    /// The article the event is about, if it is about one.
    pub fn article(&self) -> Option<Uuid> {
        match self.subject() {
            ("article", id) => Some(id),
            _ => None,
        }
    }
}

/// An announced article as its write left it, with its byline and tags: what the outbox's
/// payloads are made of, so it need not read them again.
#[derive(Debug, Clone)]
pub struct Announced {
    pub article: Article,
    pub bylines: Vec<BylineEntry>,
    pub tags: Vec<TagEntry>,
}

/// The scopes a transaction changed, the events it announces, and the announced articles as
/// the write left them.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub scopes: Vec<Scope>,
    pub events: Vec<Event>,
    pub articles: Vec<Announced>,
}

impl Changes {
    pub fn add(&mut self, scope: Scope) {
        if !self.scopes.contains(&scope) {
            self.scopes.push(scope);
        }
    }

    /// A change that shows everywhere: a section, tag, correspondent or editor.
    pub fn everything(&mut self) {
        self.scopes = vec![Scope::Everything];
    }

    /// Announces `event` once the write commits.
    pub fn announce(&mut self, event: Event) {
        if !self.events.contains(&event) {
            self.events.push(event);
        }
    }

    /// Keeps article `a` as the write left it (with its byline and tags) when an event of this
    /// write is about it; a later call for the same article replaces it.
    pub fn written(&mut self, a: &Article, bylines: &[BylineEntry], tags: &[TagEntry]) {
        if !self.events.iter().any(|e| e.article() == Some(a.id)) {
            return;
        }
        self.articles.retain(|x| x.article.id != a.id);
        self.articles.push(Announced {
            article: a.clone(),
            bylines: bylines.to_vec(),
            tags: tags.to_vec(),
        });
    }

    /// What the public sees of article `a` (its row as it stands in this transaction): nothing
    /// when it is not published; else the site-wide scope, the article and its two neighbours, its
    /// section and the sections above it, its tags and its byline. Call it before and after
    /// changing the article, so both its old and its new places are evicted.
    /// `people` and `tags` are the byline's and the tags' ids. Returns the neighbours it
    /// looked up (for a published article), so the response need not look again.
    pub fn article(
        &mut self,
        conn: &mut PgConnection,
        tree: &SectionTree,
        a: &Article,
        people: &[Uuid],
        tags: &[Uuid],
    ) -> QueryResult<Option<Neighbours>> {
        let (id, section) = (a.id, a.section_id);
        let (Some(at), Status::Published) = (a.published_at, a.status()) else {
            return Ok(None);
        };
        let neighbours = crate::articles::queries::neighbours_of(conn, id, section, at)?;
        self.add(Scope::All);
        self.add(Scope::Article(id));
        for (neighbour, _, _) in neighbours.0.iter().chain(&neighbours.1) {
            self.add(Scope::Article(*neighbour));
        }
        for s in tree.ancestors(section) {
            self.add(Scope::Section(s));
        }
        for t in tags {
            self.add(Scope::Tag(*t));
        }
        for p in people {
            self.add(Scope::Person(*p));
        }
        // Related stories find articles by the words of their titles.
        for w in title_words(&a.title) {
            self.add(Scope::Word(word_key(&w)));
        }
        Ok(Some(neighbours))
    }

    /// Tells the other processes (with `pg_notify`, delivered when the transaction commits).
    pub fn notify(&self, conn: &mut PgConnection, instance: Uuid) -> QueryResult<()> {
        if self.scopes.is_empty() {
            return Ok(());
        }
        diesel::select(pg_notify(CHANNEL, self.payload(instance))).execute(conn)?;
        Ok(())
    }

    /// `<instance> <scope> <scope> …`; `*` for everything (also when it would not fit the
    /// 8000-byte limit of a notification).
    pub fn payload(&self, instance: Uuid) -> String {
        let mut out = instance.to_string();
        if self.scopes.contains(&Scope::Everything) {
            out.push_str(" *");
            return out;
        }
        for s in &self.scopes {
            let (tag, id) = match s {
                Scope::All => {
                    out.push_str(" all");
                    continue;
                }
                Scope::Everything => unreachable!("handled above"),
                Scope::Article(id) => ('a', id),
                Scope::Section(id) => ('s', id),
                Scope::Tag(id) => ('t', id),
                Scope::Person(id) => ('p', id),
                Scope::Media(id) => ('m', id),
                Scope::Word(key) => {
                    out.push_str(&format!(" w:{key:x}"));
                    continue;
                }
            };
            out.push_str(&format!(" {tag}:{id}"));
        }
        if out.len() > 7900 {
            return format!("{instance} *");
        }
        out
    }

    /// The sender and the scopes of a payload; anything unreadable means everything.
    pub fn parse(payload: &str) -> (Option<Uuid>, Changes) {
        let mut words = payload.split_whitespace();
        let sender = words.next().and_then(|w| Uuid::parse_str(w).ok());
        let mut changes = Changes::default();
        for w in words {
            let scope = match w.split_once(':') {
                None if w == "all" => Some(Scope::All),
                Some(("w", key)) => u64::from_str_radix(key, 16).ok().map(Scope::Word),
                Some((tag, id)) => Uuid::parse_str(id).ok().and_then(|id| match tag {
                    "a" => Some(Scope::Article(id)),
                    "s" => Some(Scope::Section(id)),
                    "t" => Some(Scope::Tag(id)),
                    "p" => Some(Scope::Person(id)),
                    "m" => Some(Scope::Media(id)),
                    _ => None,
                }),
                None => None,
            };
            match scope {
                Some(s) => changes.add(s),
                None => {
                    changes.everything();
                    break;
                }
            }
        }
        (sender, changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip() {
        let me = Uuid::new_v4();
        let mut c = Changes::default();
        c.add(Scope::All);
        c.add(Scope::Article(Uuid::new_v4()));
        c.add(Scope::Section(Uuid::new_v4()));
        c.add(Scope::Tag(Uuid::new_v4()));
        c.add(Scope::Person(Uuid::new_v4()));
        c.add(Scope::Media(Uuid::new_v4()));
        c.add(Scope::Word(word_key("嘉鱼")));
        c.add(Scope::All);
        assert_eq!(c.scopes.len(), 7);
        let (from, parsed) = Changes::parse(&c.payload(me));
        assert_eq!((from, &parsed.scopes), (Some(me), &c.scopes));
        c.everything();
        assert_eq!(
            Changes::parse(&c.payload(me)).1.scopes,
            vec![Scope::Everything]
        );
        assert_eq!(
            Changes::parse("junk x:y").1.scopes,
            vec![Scope::Everything],
            "an unreadable payload evicts everything"
        );
    }

    #[test]
    fn an_oversized_payload_becomes_everything() {
        let mut c = Changes::default();
        for _ in 0..300 {
            c.add(Scope::Tag(Uuid::new_v4()));
        }
        let p = c.payload(Uuid::nil());
        assert!(p.ends_with(" *") && p.len() < 100);
    }
}
