//! Related stories (相关新闻) of an article, and what the list depends on.

use diesel::PgConnection;
use uuid::Uuid;

use crate::articles::model::{Article, ArticleSummary};
use crate::articles::queries::similar::{self, Relatedness};
use crate::cache::Scope;
use crate::directory::Directory;
use crate::error::AppError;
use crate::search::terms::{title_words, word_key};

/// How many related stories the article view links.
pub const LINKED_STORIES: i64 = 5;

/// Words of the title and summary that related stories are looked for by.
const RELATING_WORDS: usize = 4;

/// Related stories and what they depend on (for the response cache).
pub type Stories = (Vec<ArticleSummary>, Vec<Scope>);

/// The related stories (相关新闻) of `a`, whose tags are `tags`: up to `limit` published
/// articles other than it — sharing its tags, then the rarest words of its title and summary
/// in their titles, then its section — and the scopes that list changes with: the tags, the
/// section, the words and the stories themselves.
pub fn related_stories(
    conn: &mut PgConnection,
    dir: &Directory,
    a: &Article,
    tags: &[Uuid],
    limit: i64,
) -> Result<Stories, AppError> {
    let mut words = title_words(&a.title);
    for w in title_words(&a.summary) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    let words = dir.terms.rarest(conn, &words, RELATING_WORDS)?;
    let relatedness = Relatedness {
        id: a.id,
        section: a.section_id,
        tags,
        words: &words,
    };
    let stories: Vec<ArticleSummary> = similar::candidates(conn, &relatedness, limit)?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let mut scopes = vec![Scope::Section(a.section_id)];
    scopes.extend(tags.iter().map(|t| Scope::Tag(*t)));
    scopes.extend(words.iter().map(|w| Scope::Word(word_key(w))));
    scopes.extend(stories.iter().map(|s| Scope::Article(s.id)));
    Ok((stories, scopes))
}
