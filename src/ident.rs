//! Path parameters that accept either a UUID or a slug.

use uuid::Uuid;

/// `{id_or_slug}`: a UUID when it parses as one, otherwise a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdOrSlug {
    Id(Uuid),
    Slug(String),
}

impl IdOrSlug {
    pub fn parse(raw: &str) -> IdOrSlug {
        match Uuid::parse_str(raw) {
            Ok(id) => IdOrSlug::Id(id),
            Err(_) => IdOrSlug::Slug(raw.to_owned()),
        }
    }
}
