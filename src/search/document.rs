//! An article's search documents, in `tsvector` input syntax, and the statements that store
//! them: the whole text's (`search_documents.document`, weighted title A, summary B, body C) in
//! a table of its own, so that a status change of the article (a new row version in
//! `articles`) writes none of its keys into the GIN index again, and the title's
//! (`articles.search_title`, a few dozen keys) on the article's row.

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::LoadQuery;
use diesel::sql_types::Text;
use uuid::Uuid;

use super::tokenize::{cjk_key_chars, lexemes};

/// The search document of an article in `tsvector` input syntax: every lexeme with its weights
/// (title A, summary B, body C), e.g. `'嘉鱼':1A,1C 'park':1C`. The same text is stored by
/// single writes and by the bulk import.
pub fn document(title: &str, summary: &str, body_text: &str) -> String {
    let (cjk, words) = lexemes(&[(title, 1), (summary, 2), (body_text, 4)]);
    let mut out = String::with_capacity(cjk.len() * 12 + words.len() * 16);
    let mut push = |chars: &mut dyn Iterator<Item = char>, flags: u8| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for c in chars {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("''"),
                c => out.push(c),
            }
        }
        out.push_str("':");
        let weights = [(1, "1A"), (2, "1B"), (4, "1C")];
        let mut first = true;
        for (bit, w) in weights {
            if flags & bit != 0 {
                if !first {
                    out.push(',');
                }
                out.push_str(w);
                first = false;
            }
        }
    };
    // Both lists are sorted; merged in the order of their text (as PostgreSQL keeps them).
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
    out
}

/// The title's own document (`articles.search_title`), in `tsvector` input syntax.
pub fn title_document(title: &str) -> String {
    document(title, "", "")
}

/// A document in `tsvector` input syntax as the value of a `tsvector` column, so an `INSERT`
/// writes the search documents with the row (`CAST($n AS tsvector)`).
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
pub struct TsvectorValue(pub String);

impl diesel::Expression for TsvectorValue {
    type SqlType = crate::schema::sql_types::Tsvector;
}

impl<QS> diesel::AppearsOnTable<QS> for TsvectorValue {}

impl<QS> diesel::SelectableExpression<QS> for TsvectorValue {}

impl<GB> diesel::expression::ValidGrouping<GB> for TsvectorValue {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for TsvectorValue {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("CAST(");
        out.push_bind_param::<Text, _>(&self.0)?;
        out.push_sql(" AS tsvector)");
        Ok(())
    }
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
            d::document.eq(TsvectorValue(document(title, summary, body_text))),
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
                        articles::search_title.eq(TsvectorValue(title_document(title))),
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
        assert_eq!(
            document("嘉鱼", "", "嘉鱼 Park"),
            "'park':1C '嘉':1A,1C '嘉鱼':1A,1C '鱼':1A,1C"
        );
        assert_eq!(document("", "", ""), "");
    }
}
