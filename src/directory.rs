//! What every page embeds and seldom changes, kept in memory: the section tree and the names of
//! correspondents and tags. Reads take them from here instead of joining them in the database
//! on every request (a join that, prepared once for every page, hashed the whole correspondents
//! and tags tables each time).
//!
//! Sections, correspondents and tags change through "shown everywhere" writes
//! ([`crate::cache::Scope::Everything`]): evicting everything forgets the directory here and,
//! through `NOTIFY`, in the other processes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::RwLock;

use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::{correspondents, tags};
use crate::search::terms::TermStats;
use crate::sections::tree::Sections;

/// The section tree and the names.
#[derive(Debug, Default)]
pub struct Directory {
    pub sections: Sections,
    pub names: Names,
    /// How common the titles' words are (for related stories).
    pub terms: TermStats,
}

impl Directory {
    /// Forgets everything: a section, correspondent or tag changed (or may have).
    pub fn forget(&self) {
        self.sections.forget();
        self.names.forget();
    }
}

/// A correspondent as a byline shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonName {
    pub name: String,
    pub slug: String,
    pub affiliation: Option<String>,
}

/// A tag as an article shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct TagName {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Default)]
struct Known {
    people: HashMap<Uuid, PersonName>,
    tags: HashMap<Uuid, TagName>,
}

/// The names of the correspondents and tags seen so far (filled on demand).
#[derive(Debug, Default)]
pub struct Names {
    known: RwLock<Known>,
    /// Moves on with every [`Names::forget`]: names read before it are not kept.
    generation: AtomicU64,
}

/// Names found for the ids asked for (an id missing here is not in the database).
#[derive(Debug, Default)]
pub struct Found {
    pub people: HashMap<Uuid, PersonName>,
    pub tags: HashMap<Uuid, TagName>,
}

impl Names {
    /// The names of `people` and `tags`, the unknown ones loaded with `conn` in one query.
    pub fn resolve(
        &self,
        conn: &mut PgConnection,
        people: &[Uuid],
        tags: &[Uuid],
    ) -> QueryResult<Found> {
        let generation = self.generation.load(Ordering::Acquire);
        let mut found = Found::default();
        let (mut missing_people, mut missing_tags) = (Vec::new(), Vec::new());
        {
            let known = self.known.read().unwrap_or_else(|e| e.into_inner());
            for id in people {
                match known.people.get(id) {
                    Some(p) => {
                        found.people.insert(*id, p.clone());
                    }
                    None if !missing_people.contains(id) => missing_people.push(*id),
                    None => {}
                }
            }
            for id in tags {
                match known.tags.get(id) {
                    Some(t) => {
                        found.tags.insert(*id, t.clone());
                    }
                    None if !missing_tags.contains(id) => missing_tags.push(*id),
                    None => {}
                }
            }
        }
        if missing_people.is_empty() && missing_tags.is_empty() {
            return Ok(found);
        }
        let loaded = load(conn, &missing_people, &missing_tags)?;
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        let keep = self.generation.load(Ordering::Acquire) == generation;
        for (id, p) in loaded.people {
            if keep {
                known.people.insert(id, p.clone());
            }
            found.people.insert(id, p);
        }
        for (id, t) in loaded.tags {
            if keep {
                known.tags.insert(id, t.clone());
            }
            found.tags.insert(id, t);
        }
        Ok(found)
    }

    pub fn forget(&self) {
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        *known = Known::default();
    }

    /// The slug of tag `id`, if it is known here (no query).
    pub fn known_tag_slug(&self, id: Uuid) -> Option<String> {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        known.tags.get(&id).map(|t| t.slug.clone())
    }

    /// The slug of correspondent `id`, if it is known here (no query).
    pub fn known_person_slug(&self, id: Uuid) -> Option<String> {
        let known = self.known.read().unwrap_or_else(|e| e.into_inner());
        known.people.get(&id).map(|p| p.slug.clone())
    }

    /// Remembers a tag read elsewhere (a list filtered by it), so its page's keys are known.
    pub fn note_tag(&self, id: Uuid, tag: TagName) {
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        known.tags.entry(id).or_insert(tag);
    }

    /// Remembers a correspondent read elsewhere (a list filtered by them).
    pub fn note_person(&self, id: Uuid, person: PersonName) {
        let mut known = self.known.write().unwrap_or_else(|e| e.into_inner());
        known.people.entry(id).or_insert(person);
    }
}

/// Correspondents and tags by id, in one round trip (a `UNION ALL`; a tag has no affiliation
/// and is told apart by the flag).
fn load(conn: &mut PgConnection, people: &[Uuid], tag_ids: &[Uuid]) -> QueryResult<Found> {
    use diesel::sql_types::{Bool, Nullable, Text};
    let persons = correspondents::table
        .filter(correspondents::id.eq_any(people))
        .select((
            true.into_sql::<Bool>(),
            correspondents::id,
            correspondents::name,
            correspondents::slug,
            correspondents::affiliation,
        ));
    let topics = tags::table.filter(tags::id.eq_any(tag_ids)).select((
        false.into_sql::<Bool>(),
        tags::id,
        tags::name,
        tags::slug,
        None::<String>.into_sql::<Nullable<Text>>(),
    ));
    type Row = (bool, Uuid, String, String, Option<String>);
    let rows: Vec<Row> = persons.union_all(topics).load(conn)?;
    let mut found = Found::default();
    for (person, id, name, slug, affiliation) in rows {
        if person {
            found.people.insert(
                id,
                PersonName {
                    name,
                    slug,
                    affiliation,
                },
            );
        } else {
            found.tags.insert(id, TagName { slug, name });
        }
    }
    Ok(found)
}
