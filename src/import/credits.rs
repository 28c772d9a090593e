//! Printed credits of imported articles matched to people: existing correspondents by name
//! (and affiliation, when two share the name), new ones created — one per name and affiliation —
//! in the same transaction as the batch that first credits them; the responsible editor matched
//! to a staff account by display name or email local part.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::bylines::Credit;
use crate::schema::{correspondents, editors};
use crate::slug::{self, MAX_SLUG_LEN};

/// A correspondent the import will create.
#[derive(Debug, Clone)]
struct NewPerson {
    id: Uuid,
    slug: String,
    name: String,
    affiliation: Option<String>,
}

/// Correspondents by name, the ones still to be inserted, and how many were created.
#[derive(Debug, Default)]
pub struct People {
    by_name: HashMap<String, Vec<(Option<String>, Uuid)>>,
    slugs: HashSet<String>,
    pending: Vec<NewPerson>,
    pub created: usize,
}

impl People {
    pub fn load(conn: &mut PgConnection) -> QueryResult<People> {
        let rows: Vec<(Uuid, String, String, Option<String>)> = correspondents::table
            .order(correspondents::id)
            .select((
                correspondents::id,
                correspondents::slug,
                correspondents::name,
                correspondents::affiliation,
            ))
            .load(conn)?;
        let mut people = People::default();
        for (id, slug, name, affiliation) in rows {
            people.slugs.insert(slug);
            people
                .by_name
                .entry(name)
                .or_default()
                .push((affiliation, id));
        }
        Ok(people)
    }

    /// The correspondent `credit` names: an existing one of that name (the one of its
    /// affiliation when several share it), else a new one.
    pub fn resolve(&mut self, credit: &Credit) -> Uuid {
        if let Some(same) = self.by_name.get(&credit.name) {
            let exact = same.iter().find(|(a, _)| *a == credit.affiliation);
            let printed = same
                .iter()
                .find(|(a, _)| a.is_some() && *a == credit.affiliation);
            // A credit without an affiliation is the first of that name; one with an
            // affiliation is that person, or someone new when nobody of the name has it.
            let found = match &credit.affiliation {
                None => exact.or(same.first()),
                Some(_) => printed.or_else(|| same.iter().find(|(a, _)| a.is_none())),
            };
            if let Some((_, id)) = found {
                return *id;
            }
        }
        let base = slug::slugify(&credit.name, MAX_SLUG_LEN);
        let base = if base.is_empty() {
            "person".to_owned()
        } else {
            base
        };
        let taken = &self.slugs;
        let slug =
            slug::dedupe(&base, MAX_SLUG_LEN, |s| Ok::<_, ()>(taken.contains(s))).unwrap_or(base);
        let id = Uuid::now_v7();
        self.slugs.insert(slug.clone());
        self.by_name
            .entry(credit.name.clone())
            .or_default()
            .push((credit.affiliation.clone(), id));
        self.pending.push(NewPerson {
            id,
            slug,
            name: credit.name.clone(),
            affiliation: credit.affiliation.clone(),
        });
        self.created += 1;
        id
    }

    /// Inserts the people created since the last call.
    pub fn insert_pending(&mut self, conn: &mut PgConnection) -> QueryResult<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.pending);
        diesel::sql_query(
            "INSERT INTO correspondents (id, slug, name, affiliation) SELECT * FROM unnest($1, $2, $3, $4)",
        )
        .bind::<Array<SqlUuid>, _>(rows.iter().map(|p| p.id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|p| p.slug.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|p| p.name.as_str()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(
            rows.iter().map(|p| p.affiliation.as_deref()).collect::<Vec<_>>(),
        )
        .execute(conn)?;
        Ok(())
    }
}

/// Staff accounts by display name and by email local part (`hefan` of `hefan@…`).
#[derive(Debug, Default)]
pub struct Editors(HashMap<String, Uuid>);

impl Editors {
    pub fn load(conn: &mut PgConnection) -> QueryResult<Editors> {
        let rows: Vec<(Uuid, String, String)> = editors::table
            .order(editors::id)
            .select((editors::id, editors::display_name, editors::email))
            .load(conn)?;
        let mut map = HashMap::new();
        for (id, name, email) in rows {
            map.entry(name).or_insert(id);
            if let Some(local) = email.split('@').next() {
                map.entry(local.to_lowercase()).or_insert(id);
            }
        }
        Ok(Editors(map))
    }

    pub fn find(&self, printed: &str) -> Option<Uuid> {
        self.0
            .get(printed)
            .or_else(|| self.0.get(&printed.to_lowercase()))
            .copied()
    }
}
