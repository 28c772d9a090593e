//! Field checks shared by the resources: they collect every problem of a request at once, so a
//! 422 lists all invalid fields.

use chrono::{DateTime, Utc};

use crate::error::{AppError, FieldError};

/// Collects field errors; `finish` turns them into a 422.
#[derive(Default, Debug)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A required text: trimmed, 1..=max characters, all of them ones XML can carry.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        let n = value.trim().chars().count();
        if n == 0 {
            self.fail(field, "must not be empty");
        } else if n > max {
            self.fail(field, format!("must be at most {max} characters"));
        } else {
            self.xml_safe(field, value);
        }
    }

    /// An optional text: at most `max` characters, all of them ones XML can carry.
    pub fn optional_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            if v.chars().count() > max {
                self.fail(field, format!("must be at most {max} characters"));
            } else {
                self.xml_safe(field, v);
            }
        }
    }

    /// Text that feeds and the sitemap can carry: no C0 control but tab, LF and CR, no U+FFFE or
    /// U+FFFF (API.md §7).
    pub fn xml_safe(&mut self, field: &str, value: &str) {
        if let Some(at) = crate::text::first_xml_unsafe(value) {
            self.fail(
                field,
                format!("contains a control character XML cannot carry ({at})"),
            );
        }
    }

    pub fn slug(&mut self, field: &str, value: &str, max: usize) {
        if !crate::slug::is_valid(value, max) {
            self.fail(
                field,
                format!("must match [a-z0-9]+(-[a-z0-9]+)* and be at most {max} characters"),
            );
        }
    }

    /// An absolute http(s) URL.
    pub fn url(&mut self, field: &str, value: &str) {
        let ok = (value.starts_with("https://") || value.starts_with("http://"))
            && value.len() <= 2048
            && value.len() > "https://".len()
            && !value.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            self.fail(
                field,
                "must be an absolute http(s) URL of at most 2048 characters",
            );
        }
    }

    pub fn email(&mut self, field: &str, value: &str) {
        let ok = value.len() <= 254
            && !value.chars().any(|c| c.is_whitespace() || c.is_control())
            && value.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if !ok {
            self.fail(field, "must be an email address");
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok` when nothing failed, else a 422 listing every failure.
    pub fn finish(self) -> Result<(), AppError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::invalid(self.errors))
        }
    }
}

/// Trims an optional text and turns an empty one into `None`.
pub fn clean_optional(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Serde helper for PATCH bodies: distinguishes an absent field (`None`) from `null`
/// (`Some(None)`).
pub fn double_option<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(de).map(Some)
}

/// An optional RFC 3339 query parameter; anything else is a 400 naming it.
pub fn query_time(field: &str, raw: Option<&str>) -> Result<Option<DateTime<Utc>>, AppError> {
    raw.map(|s| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| AppError::BadRequest {
                code: "invalid_parameter",
                detail: format!("{field} must be an RFC 3339 timestamp"),
                errors: vec![FieldError::new(field, "must be an RFC 3339 timestamp")],
            })
    })
    .transpose()
}

/// Serde helper for query parameters: an empty value (`?section=`) counts as absent.
pub fn empty_as_none<'de, D>(de: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let v: Option<String> = serde::Deserialize::deserialize(de)?;
    Ok(v.filter(|s| !s.trim().is_empty()))
}
