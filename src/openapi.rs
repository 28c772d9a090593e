//! The OpenAPI 3.1 document, generated from the handlers' annotations. `newsdesk openapi` prints
//! it; `openapi/openapi.json` is that output (a test keeps them equal).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    articles, audit, auth, bylines, correspondents, editors, error, feeds, operating, pagination,
    sections, tags,
};

/// The API prefix of every resource path (the probes are at the root).
pub const API_PREFIX: &str = "/api/v1";

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "newsdesk",
        description = "A headless CMS for news publishers. Every resource lives under /api/v1; errors are application/problem+json (RFC 9457). Lists answer {data, page} with keyset cursors. Public GETs carry an ETag and honour If-None-Match; anonymous responses are `public, max-age=60, stale-while-revalidate=300`, authenticated ones `private, no-store`.",
        license(name = "MIT")
    ),
    modifiers(&BearerAuth),
    paths(
        operating::healthz, operating::readyz, operating::metrics_text,
        auth::handlers::login, auth::handlers::refresh_session, auth::handlers::logout,
        auth::handlers::get_me, auth::handlers::change_my_password,
        editors::handlers::list_editors, editors::handlers::get_editor, editors::handlers::create_editor,
        editors::handlers::update_editor, editors::handlers::delete_editor,
        sections::handlers::list_sections, sections::handlers::get_section, sections::handlers::create_section,
        sections::handlers::update_section, sections::handlers::delete_section,
        tags::handlers::list_tags, tags::handlers::get_tag, tags::handlers::create_tag,
        tags::handlers::update_tag, tags::handlers::delete_tag,
        correspondents::handlers::list_correspondents, correspondents::handlers::get_correspondent,
        correspondents::handlers::create_correspondent, correspondents::handlers::update_correspondent,
        correspondents::handlers::delete_correspondent,
        bylines::handlers::parse_byline,
        articles::handlers::list::list_articles, articles::handlers::list::list_section_articles,
        articles::handlers::get::get_article, articles::handlers::get::list_related, articles::handlers::edit::create_article, articles::handlers::edit::update_article,
        articles::handlers::edit::transition_article, articles::handlers::edit::delete_article,
        articles::handlers::revisions::list_revisions, articles::handlers::revisions::get_revision,
        articles::handlers::revisions::restore_revision,
        audit::handlers::list_audit,
        feeds::handlers::site_feed, feeds::handlers::section_feed, feeds::handlers::tag_feed,
        feeds::handlers::correspondent_feed, feeds::handlers::get_article_ninjs, feeds::handlers::news_sitemap,
    ),
    components(schemas(error::Problem, error::FieldError, pagination::PageInfo)),
    tags(
        (name = "articles", description = "Stories (稿件), their bylines and workflow"),
        (name = "sections", description = "Sections (栏目)"),
        (name = "tags", description = "Topics (专题)"),
        (name = "correspondents", description = "People credited in bylines (通讯员、记者、摄影)"),
        (name = "bylines", description = "Credit lines as printed (`(通讯员 夏洋 洪秀 周全)`), read"),
        (name = "editors", description = "Staff accounts"),
        (name = "auth", description = "Login, tokens, the caller's account"),
        (name = "audit", description = "Who did what (admins)"),
        (name = "feeds", description = "RSS, Atom, JSON Feed, ninjs and the news sitemap, for aggregators"),
        (name = "operating", description = "Probes and metrics, at the root"),
    )
)]
struct ApiDoc;

const ROOT_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Responses every operation of a kind can give, added in one place: 413 (over 2 MiB) and 415
/// (not JSON) wherever a body is taken, 401 wherever a token is read (a bad one is refused even
/// where none is needed).
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{Content, ObjectBuilder, Ref, Required, ResponseBuilder, Type};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build()
    };
    let idempotency_key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Retry-safe POST: the first response to this key is replayed for 24 h (with `Idempotency-Replayed: true`); the same key with another request is 422, while the first still runs 409.",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
        .build();
    for item in doc.paths.paths.values_mut() {
        let is_post = item.post.is_some();
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            let reads_token =
                serde_json::to_string(&op.security).is_ok_and(|s| s.contains("bearer"));
            let takes_body = op.request_body.is_some();
            let responses = &mut op.responses.responses;
            if reads_token {
                responses
                    .entry("401".into())
                    .or_insert_with(|| problem("Bad, expired or revoked token").into());
            }
            if takes_body {
                responses
                    .entry("413".into())
                    .or_insert_with(|| problem("Body over 2 MiB").into());
                responses
                    .entry("415".into())
                    .or_insert_with(|| problem("Body is not application/json").into());
            }
        }
        // Writes are rate-limited per client (see RateLimit-* headers).
        for op in [&mut item.post, &mut item.patch, &mut item.delete]
            .into_iter()
            .flatten()
        {
            op.responses
                .responses
                .entry("429".into())
                .or_insert_with(|| {
                    problem("Over the client's write limit; see Retry-After and RateLimit-*").into()
                });
        }
        if let (true, Some(op)) = (is_post, item.post.as_mut()) {
            let authenticated =
                serde_json::to_string(&op.security).is_ok_and(|s| s.contains("bearer"));
            if authenticated {
                op.parameters
                    .get_or_insert_with(Vec::new)
                    .push(idempotency_key.clone());
                let responses = &mut op.responses.responses;
                responses
                    .entry("400".into())
                    .or_insert_with(|| problem("Malformed request or Idempotency-Key").into());
                responses.entry("409".into()).or_insert_with(|| {
                    problem("The first request with this Idempotency-Key is still running").into()
                });
                responses.entry("422".into()).or_insert_with(|| {
                    problem("Invalid values, or an Idempotency-Key reused for another request")
                        .into()
                });
            }
        }
    }
}

/// The document, with resource paths under `/api/v1` as they are served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    add_common_errors(&mut doc);
    let paths = std::mem::take(&mut doc.paths.paths);
    doc.paths.paths = paths
        .into_iter()
        .map(|(path, item)| {
            if ROOT_PATHS.contains(&path.as_str()) {
                (path, item)
            } else {
                (format!("{API_PREFIX}{path}"), item)
            }
        })
        .collect();
    doc
}

/// The document as printed by `newsdesk openapi` (pretty JSON, trailing newline).
pub fn document_json() -> String {
    let mut s = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
