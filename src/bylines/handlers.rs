//! `POST /bylines/parse` (staff): a credit line as printed, read.

use actix_web::{post, web, HttpResponse};

use super::views::{CorrespondentRef, ParseBylineRequest, ParsedByline, ParsedCredit};
use super::{parse, queries};
use crate::auth::Auth;
use crate::db;
use crate::error::{AppError, Problem};
use crate::request_body::Json;
use crate::state::AppState;
use crate::validate::Checks;

/// Longest text accepted, in characters.
pub const MAX_TEXT: usize = 5000;

/// Read a credit line as printed (staff).
///
/// Role words (记者 with its titles, 通讯员, 摄影 / 图 / a trailing 摄, 文 / 作者, 翻译 / 编译),
/// affiliations before them, datelines (`咸宁新闻网讯`, `本报讯`, `新华社武汉4月9日电`), 编辑 /
/// 责任编辑 as the responsible editor. Each credit is matched to an existing correspondent of
/// that name. Text that credits nobody gives `credits: []`.
#[utoipa::path(
    tag = "bylines",
    security(("bearer" = [])),
    request_body = ParseBylineRequest,
    responses(
        (status = 200, description = "The credits read", body = ParsedByline),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Text empty or longer than 5000 characters", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/bylines/parse")]
pub async fn parse_byline(
    _auth: Auth,
    state: web::Data<AppState>,
    body: Json<ParseBylineRequest>,
) -> Result<HttpResponse, AppError> {
    let text = body.into_inner().text;
    let mut checks = Checks::new();
    checks.text("text", &text, MAX_TEXT);
    checks.finish()?;
    let parsed = db::run(&state.pool, move |c| {
        let parsed = parse(&text);
        let matched = queries::match_credits(c, &parsed.credits)?;
        Ok(ParsedByline {
            credits: parsed
                .credits
                .into_iter()
                .zip(matched)
                .map(|(credit, person)| ParsedCredit {
                    name: credit.name,
                    role: credit.role,
                    affiliation: credit.affiliation,
                    correspondent: person.map(|p| CorrespondentRef {
                        id: p.id,
                        slug: p.slug,
                        name: p.name,
                    }),
                })
                .collect(),
            source: parsed.source,
            editor: parsed.editor,
            rest: parsed.rest,
        })
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", crate::http_cache::PRIVATE))
        .json(parsed))
}
