//! An article's search documents, as `tsvector` values sent in PostgreSQL's binary format, and
//! the statements that store them: the whole text's (`search_documents.document`, weighted
//! title A, summary B, body C) in a table of its own, so that a status change of the article (a
//! new row version in `articles`) writes none of its keys into the GIN index again, and the
//! title's (`articles.search_title`, a few dozen keys) on the article's row.

use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::LoadQuery;
use diesel::serialize::{IsNull, Output, ToSql};
use std::io::Write;
use uuid::Uuid;

use super::tokenize::{cjk_key_chars, lexemes};
use crate::schema::sql_types::Tsvector;

/// A `tsvector` in PostgreSQL's binary format (what `tsvector_send` writes and `tsvector_recv`
/// reads): the number of lexemes, then each lexeme's UTF-8 bytes and a NUL, its number of
/// positions (1) and the position (1) with its weight in the top two bits. Bound as a parameter
/// it reaches the column without the text parser, which is a third of what a bulk import costs
/// the database. Lexemes go in byte order, each once (as PostgreSQL keeps them).
#[derive(Debug, Clone, AsExpression)]
#[diesel(sql_type = Tsvector)]
pub struct TsvectorValue(Vec<u8>);

impl ToSql<Tsvector, Pg> for TsvectorValue {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> diesel::serialize::Result {
        out.write_all(&self.0)?;
        Ok(IsNull::No)
    }
}

impl TsvectorValue {
    /// The lexemes with their weights (`A`–`D`), decoded: what PostgreSQL will hold.
    pub fn lexemes(&self) -> Vec<(String, char)> {
        let b = &self.0;
        let mut out = Vec::new();
        let mut at = 4;
        while at < b.len() {
            let end = at + b[at..].iter().position(|x| *x == 0).unwrap_or(b.len() - at);
            let word = String::from_utf8_lossy(&b[at..end]).into_owned();
            // NUL, count of positions (always 1), then the position with its weight.
            let weight = b.get(end + 3).map_or(0, |w| w >> 6);
            out.push((word, ['D', 'C', 'B', 'A'][usize::from(weight)]));
            at = end + 5;
        }
        out
    }
}

/// The search document of an article: every lexeme with the heaviest weight of the texts it is
/// in (title A, summary B, body C). The same value is stored by single writes and by the bulk
/// import.
pub fn document(title: &str, summary: &str, body_text: &str) -> TsvectorValue {
    let (cjk, words) = lexemes(&[(title, 1), (summary, 2), (body_text, 4)]);
    let count = u32::try_from(cjk.len() + words.len()).unwrap_or(u32::MAX);
    let mut out = Vec::with_capacity(4 + cjk.len() * 11 + words.len() * 12);
    out.extend_from_slice(&count.to_be_bytes());
    let mut push = |chars: &mut dyn Iterator<Item = char>, flags: u8| {
        let mut utf8 = [0; 4];
        for c in chars {
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
        }
        // Weight A = 3 (title), B = 2 (summary), C = 1 (body); position 1.
        let weight: u16 = if flags & 1 != 0 {
            3
        } else if flags & 2 != 0 {
            2
        } else {
            1
        };
        out.push(0);
        out.extend_from_slice(&1u16.to_be_bytes());
        out.extend_from_slice(&((weight << 14) | 1).to_be_bytes());
    };
    // Both lists are sorted; merged in the order of their bytes (as PostgreSQL keeps them).
    let (mut c, mut w) = (cjk.into_iter().peekable(), words.into_iter().peekable());
    loop {
        let cjk_first = match (c.peek(), w.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((k, _)), Some((word, _))) => cjk_key_chars(*k).lt(word.chars()),
        };
        if cjk_first {
            let (k, flags) = c.next().unwrap_or_default();
            push(&mut cjk_key_chars(k), flags);
        } else {
            let (word, flags) = w.next().unwrap_or_default();
            push(&mut word.chars(), flags);
        }
    }
    TsvectorValue(out)
}

/// The title's own document (`articles.search_title`).
pub fn title_document(title: &str) -> TsvectorValue {
    document(title, "", "")
}

/// Writes (or rewrites) the whole-text search document of one article from its title, summary
/// and body text (the title's own document goes with the article's row).
pub fn store(
    conn: &mut PgConnection,
    id: Uuid,
    title: &str,
    summary: &str,
    body_text: &str,
) -> QueryResult<()> {
    use crate::schema::search_documents::dsl as d;
    use diesel::upsert::excluded;
    diesel::insert_into(d::search_documents)
        .values((
            d::article_id.eq(id),
            d::document.eq(document(title, summary, body_text)),
        ))
        .on_conflict(d::article_id)
        .do_update()
        .set(d::document.eq(excluded(d::document)))
        .execute(conn)
        .map(|_| ())
}

/// Writes the search documents of articles that lack them (rows loaded by SQL:
/// `articles.search_written` is false); returns how many were visited.
pub fn reindex_missing(conn: &mut PgConnection) -> QueryResult<usize> {
    use crate::schema::articles;
    let mut done = 0;
    let mut after = Uuid::nil();
    loop {
        let batch: Vec<MissingRow> = missing_query(after).load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.0;
        conn.transaction(|c| {
            for (id, title, summary, body) in &batch {
                store(c, *id, title, summary, &crate::text::plain_text(body))?;
                diesel::update(articles::table.find(*id))
                    .set((
                        articles::search_title.eq(title_document(title)),
                        articles::search_written.eq(true),
                    ))
                    .execute(c)?;
            }
            QueryResult::Ok(())
        })?;
        done += batch.len();
    }
}

/// An article without its search documents: id, title, summary, body.
type MissingRow = (Uuid, String, String, String);

/// The next 500 articles after `after` (by id) whose search documents are not written, through
/// the partial index of such rows.
pub fn missing_query(
    after: Uuid,
) -> impl QueryFragment<Pg> + LoadQuery<'static, PgConnection, MissingRow> {
    use crate::schema::articles;
    articles::table
        // `NOT search_written`, the partial index's own predicate (not a bound `false`).
        .filter(diesel::dsl::not(articles::search_written))
        .filter(articles::id.gt(after))
        .order(articles::id)
        .select((
            articles::id,
            articles::title,
            articles::summary,
            articles::body_html,
        ))
        .limit(500)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_weigh_title_summary_and_body() {
        let lexemes = |d: TsvectorValue| d.lexemes();
        let owned = |l: &[(&str, char)]| -> Vec<(String, char)> {
            l.iter().map(|(w, c)| ((*w).to_owned(), *c)).collect()
        };
        assert_eq!(
            lexemes(document("嘉鱼", "县城", "嘉鱼 Park 县")),
            owned(&[
                ("park", 'C'),
                ("县", 'B'),
                ("县城", 'B'),
                ("嘉", 'A'),
                ("嘉鱼", 'A'),
                ("城", 'B'),
                ("鱼", 'A')
            ])
        );
        assert_eq!(document("", "", "").0, 0u32.to_be_bytes());
    }
}
