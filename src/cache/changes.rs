//! What a write changed, in [`Scope`]s: collected inside the write's transaction, sent to the
//! other processes with `NOTIFY` (delivered on commit only) and evicted here after the commit.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel::PgConnection;
use uuid::Uuid;

use super::Scope;
use crate::articles::model::Article;
use crate::articles::workflow::Status;

/// The channel the processes sharing a database listen on.
pub const CHANNEL: &str = "newsdesk_cache";

/// The scopes a transaction changed.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Changes(pub Vec<Scope>);

impl Changes {
    pub fn add(&mut self, scope: Scope) {
        if !self.0.contains(&scope) {
            self.0.push(scope);
        }
    }

    /// A change that shows everywhere: a section, tag, correspondent or editor.
    pub fn everything(&mut self) {
        self.0 = vec![Scope::Everything];
    }

    /// What the public sees of article `a` (its row as it stands in this transaction): nothing
    /// when it is not published; else the site-wide scope, the article and its two neighbours, its
    /// section and the sections above it, its tags and its byline. Call it before and after
    /// changing the article, so both its old and its new places are evicted.
    pub fn article(&mut self, conn: &mut PgConnection, a: &Article) -> QueryResult<()> {
        let (id, section) = (a.id, a.section_id);
        let (Some(at), Status::Published) = (a.published_at, a.status()) else {
            return Ok(());
        };
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            kind: String,
            #[diesel(sql_type = SqlUuid)]
            id: Uuid,
        }
        // The sections up the tree, tags and byline in one round trip.
        let rows: Vec<Row> = diesel::sql_query(
            "WITH RECURSIVE up(id, parent_id) AS ( \
                SELECT id, parent_id FROM sections WHERE id = $2 \
                UNION SELECT s.id, s.parent_id FROM sections s JOIN up ON s.id = up.parent_id) \
             SELECT 's' AS kind, id FROM up \
             UNION ALL SELECT 't', tag_id FROM article_tags WHERE article_id = $1 \
             UNION ALL SELECT 'p', correspondent_id FROM article_bylines WHERE article_id = $1",
        )
        .bind::<SqlUuid, _>(id)
        .bind::<SqlUuid, _>(section)
        .load(conn)?;
        let (previous, next) = crate::articles::queries::neighbours_of(conn, id, section, at)?;
        self.add(Scope::All);
        self.add(Scope::Article(id));
        for (neighbour, _, _) in previous.into_iter().chain(next) {
            self.add(Scope::Article(neighbour));
        }
        for r in rows {
            self.add(match r.kind.as_str() {
                "s" => Scope::Section(r.id),
                "t" => Scope::Tag(r.id),
                _ => Scope::Person(r.id),
            });
        }
        Ok(())
    }

    /// Tells the other processes (with `pg_notify`, delivered when the transaction commits).
    pub fn notify(&self, conn: &mut PgConnection, instance: Uuid) -> QueryResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        diesel::sql_query("SELECT pg_notify($1, $2)")
            .bind::<Text, _>(CHANNEL)
            .bind::<Text, _>(self.payload(instance))
            .execute(conn)?;
        Ok(())
    }

    /// `<instance> <scope> <scope> …`; `*` for everything (also when it would not fit the
    /// 8000-byte limit of a notification).
    pub fn payload(&self, instance: Uuid) -> String {
        let mut out = instance.to_string();
        if self.0.contains(&Scope::Everything) {
            out.push_str(" *");
            return out;
        }
        for s in &self.0 {
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
                Some((tag, id)) => Uuid::parse_str(id).ok().and_then(|id| match tag {
                    "a" => Some(Scope::Article(id)),
                    "s" => Some(Scope::Section(id)),
                    "t" => Some(Scope::Tag(id)),
                    "p" => Some(Scope::Person(id)),
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
        c.add(Scope::All);
        assert_eq!(c.0.len(), 5);
        assert_eq!(Changes::parse(&c.payload(me)), (Some(me), c.clone()));
        c.everything();
        assert_eq!(Changes::parse(&c.payload(me)).1 .0, vec![Scope::Everything]);
        assert_eq!(
            Changes::parse("junk x:y").1 .0,
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
