//! A byline sent as printed (`byline_text`) instead of as ids: read with the byline parser and
//! matched to existing correspondents; a write never creates people.

use diesel::PgConnection;

use crate::articles::views::BylineInput;
use crate::bylines;
use crate::error::{AppError, FieldError};
use crate::validate::Checks;

/// Longest `byline_text`, in characters.
pub const MAX_TEXT: usize = 2000;

/// 400 when both `byline` and `byline_text` are sent.
pub fn exclusive(byline: &Option<Vec<BylineInput>>, text: &Option<String>) -> Result<(), AppError> {
    if byline.is_some() && text.is_some() {
        return Err(AppError::BadRequest {
            code: "conflicting_fields",
            detail: "send byline or byline_text, not both".into(),
            errors: vec![FieldError::new("byline_text", "not with byline")],
        });
    }
    Ok(())
}

/// The byline a request asks for: `byline` as sent, or `byline_text` read and matched (422
/// `unknown_correspondents` listing the names that match nobody); `None` when neither is sent.
pub fn resolve(
    conn: &mut PgConnection,
    byline: Option<Vec<BylineInput>>,
    text: Option<String>,
) -> Result<Option<Vec<BylineInput>>, AppError> {
    exclusive(&byline, &text)?;
    let Some(text) = text else {
        return Ok(byline);
    };
    if text.trim().is_empty() {
        return Ok(Some(vec![]));
    }
    let mut checks = Checks::new();
    checks.text("byline_text", &text, MAX_TEXT);
    checks.finish()?;
    let parsed = bylines::parse(&text);
    if parsed.credits.is_empty() {
        return Err(AppError::invalid_field(
            "byline_text",
            "credits nobody: write it as printed, e.g. (通讯员 夏洋 洪秀 周全)",
        ));
    }
    let matched = bylines::queries::match_credits(conn, &parsed.credits)?;
    let mut unknown: Vec<String> = Vec::new();
    let mut entries: Vec<BylineInput> = Vec::new();
    for (credit, person) in parsed.credits.iter().zip(matched) {
        match person {
            Some(p) => {
                let entry = BylineInput {
                    correspondent_id: p.id,
                    role: credit.role.as_str().to_owned(),
                };
                // The same person in the same role twice is printed once.
                if !entries.contains(&entry) {
                    entries.push(entry);
                }
            }
            None if !unknown.contains(&credit.name) => unknown.push(credit.name.clone()),
            None => {}
        }
    }
    if !unknown.is_empty() {
        return Err(AppError::Invalid {
            code: "unknown_correspondents",
            detail: format!(
                "no correspondent is named {}: create them first (POST /correspondents)",
                unknown.join(", ")
            ),
            errors: unknown
                .iter()
                .map(|n| FieldError::new("byline_text", format!("no correspondent named {n}")))
                .collect(),
        });
    }
    Ok(Some(entries))
}
