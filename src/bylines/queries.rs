//! Printed names matched to correspondents.

use diesel::prelude::*;

use super::Credit;
use crate::correspondents::model::Correspondent;
use crate::schema::correspondents;

/// The correspondent each credit names, in order: the one of that name; when several share it,
/// the one whose affiliation the credit prints, else the first created; `None` when none.
pub fn match_credits(
    conn: &mut PgConnection,
    credits: &[Credit],
) -> QueryResult<Vec<Option<Correspondent>>> {
    let mut names: Vec<&str> = credits.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    let found: Vec<Correspondent> = if names.is_empty() {
        vec![]
    } else {
        correspondents::table
            .filter(correspondents::name.eq_any(&names))
            .order(correspondents::id)
            .select(Correspondent::as_select())
            .load(conn)?
    };
    Ok(credits
        .iter()
        .map(|credit| {
            let same: Vec<&Correspondent> =
                found.iter().filter(|c| c.name == credit.name).collect();
            same.iter()
                .find(|c| c.affiliation.is_some() && c.affiliation == credit.affiliation)
                .or_else(|| same.first())
                .map(|c| (*c).clone())
        })
        .collect())
}
