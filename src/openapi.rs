//! The OpenAPI 3.1 document, generated from the handlers' annotations. `newsdesk openapi` prints
//! it; `openapi/openapi.json` is that output (a test keeps them equal).

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::{
    articles, audit, auth, bylines, correspondents, editors, error, feeds, media, operating,
    pagination, sections, tags, tokens, webhooks,
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
        license(name = "MIT", identifier = "MIT")
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
        webhooks::handlers::create_webhook, webhooks::handlers::list_webhooks, webhooks::handlers::get_webhook,
        webhooks::handlers::update_webhook, webhooks::handlers::delete_webhook,
        webhooks::handlers::list_deliveries, webhooks::handlers::retry_delivery,
        tokens::handlers::create_token, tokens::handlers::list_tokens, tokens::handlers::delete_token,
        media::handlers::upload_media, media::handlers::list_media, media::handlers::get_media,
        media::handlers::get_media_variant, media::handlers::update_media, media::handlers::delete_media,
        feeds::handlers::site_feed, feeds::handlers::section_feed, feeds::handlers::tag_feed,
        feeds::handlers::correspondent_feed, feeds::handlers::get_article_ninjs, feeds::handlers::news_sitemap,
    ),
    components(schemas(error::Problem, error::FieldError, pagination::PageInfo, feeds::views::FeedFormat, feeds::views::SectionFeedFormat)),
    tags(
        (name = "articles", description = "Stories (稿件), their bylines and workflow"),
        (name = "sections", description = "Sections (栏目)"),
        (name = "tags", description = "Topics (专题)"),
        (name = "correspondents", description = "People credited in bylines (通讯员、记者、摄影)"),
        (name = "bylines", description = "Credit lines as printed (`(通讯员 夏洋 洪秀 周全)`), read"),
        (name = "editors", description = "Staff accounts"),
        (name = "auth", description = "Login, tokens, the caller's account"),
        (name = "audit", description = "Who did what (admins)"),
        (name = "tokens", description = "Integration tokens (`ndt_…`, admins): scripts and apps write without a person's password"),
        (name = "webhooks", description = "Where committed changes are announced (admins): Standard Webhooks, retried, with their delivery history"),
        (name = "media", description = "Photos: uploads without their metadata, variants 320/640/1280 px, the library (staff)"),
        (name = "feeds", description = "RSS, Atom, JSON Feed, ninjs and the news sitemap, for aggregators"),
        (name = "operating", description = "Probes and metrics, at the root"),
    )
)]
struct ApiDoc;

const ROOT_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// A problem+json response.
fn problem(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{Content, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            Content::new(Some(Ref::from_schema_name("Problem"))),
        )
        .build()
}

/// Responses every operation of a kind can give, added in one place: 413 (over 2 MiB) and 415
/// (not JSON) wherever a body is taken, 401 wherever a token is read (a bad one is refused even
/// where none is needed).
fn add_common_errors(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, Required, Type};
    let idempotency_key = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Retry-safe POST: the first response to this key is replayed for 24 h (with `Idempotency-Replayed: true`); the same key with another request is 422, while the first still runs 409.",
        ))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(255))))
        .build();
    for (path, item) in doc.paths.paths.iter_mut() {
        let is_post = item.post.is_some();
        // An upload's body is an image of up to NEWSDESK_MEDIA_MAX_BYTES, and the same bytes are
        // the same image: it documents its own 413 and 415, and takes no Idempotency-Key.
        let upload = path == "/media";
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
                responses.entry("408".into()).or_insert_with(|| {
                    problem("The body did not arrive within NEWSDESK_BODY_TIMEOUT").into()
                });
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
        if let (true, false, Some(op)) = (is_post, upload, item.post.as_mut()) {
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

/// The article lists an anonymous client searches and counts: rate-limited (`?q=`) and run in
/// the bounded lane ([`crate::lane`]).
const SEARCHED: [&str; 2] = ["/articles", "/sections/{slug}/articles"];

/// 429 where searches are limited, 503 where the lane may be full.
fn add_search_limits(doc: &mut utoipa::openapi::OpenApi) {
    for path in SEARCHED {
        let Some(op) = doc.paths.paths.get_mut(path).and_then(|i| i.get.as_mut()) else {
            continue;
        };
        let responses = &mut op.responses.responses;
        responses.entry("429".into()).or_insert_with(|| {
            problem("Over the client's search limit (`q`); see Retry-After and RateLimit-*").into()
        });
        responses.entry("503".into()).or_insert_with(|| {
            problem("An anonymous search or count found the lane full or ran out of time (NEWSDESK_SEARCH_TIMEOUT); see Retry-After").into()
        });
    }
}

/// Public operations say so (`security: []`): no token needed (a bad one is still refused).
fn declare_public(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.put,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            if op.security.is_none() {
                op.security = Some(vec![]);
            }
        }
    }
}

/// Every `GET` also answers `HEAD` (API.md §7): the same operation, its responses without bodies.
fn add_head(doc: &mut utoipa::openapi::OpenApi) {
    for item in doc.paths.paths.values_mut() {
        let Some(get) = item.get.as_ref() else {
            continue;
        };
        let mut head = get.clone();
        head.operation_id = get.operation_id.as_ref().map(|id| format!("head_{id}"));
        head.summary = Some(format!(
            "The headers of `GET`{}",
            get.summary
                .as_deref()
                .map(|s| format!(": {s}"))
                .unwrap_or_default()
        ));
        head.description = Some("The same status and headers as `GET`, no body.".into());
        for response in head.responses.responses.values_mut() {
            if let utoipa::openapi::RefOr::T(r) = response {
                r.content.clear();
            }
        }
        item.head = Some(head);
    }
}

/// Fields of response schemas that are left out, not sent as `null`, when empty.
const OMITTED_WHEN_EMPTY: [(&str, &str); 9] = [
    ("Health", "replica"),
    ("Problem", "errors"),
    ("Problem", "current_version"),
    ("Problem", "allowed"),
    ("ArticleListItem", "highlight"),
    ("Ninjs", "infoSources"),
    ("Ninjs", "associations"),
    ("JsonFeedItem", "image"),
    ("PageInfo", "total"),
];

/// The names of the component schemas `value` refers to.
fn refs_in(value: &impl serde::Serialize) -> Vec<String> {
    let text = serde_json::to_string(value).unwrap_or_default();
    text.split("\"#/components/schemas/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

/// Every schema reachable from `roots` through references.
fn closure(
    schemas: &std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    >,
    roots: Vec<String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = roots;
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some(schema) = schemas.get(&name) {
                todo.extend(refs_in(schema));
            }
        }
    }
    seen
}

/// A response field that is always sent, `null` or not, is `required` (nullable): a generated
/// client then types it `T | null`, not `T | undefined`. Only for schemas that responses use
/// and requests do not (a request may leave optional fields out).
fn require_sent_fields(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::Schema;
    use utoipa::openapi::RefOr;
    let mut in_responses = Vec::new();
    let mut in_requests = Vec::new();
    for item in doc.paths.paths.values() {
        let ops = [&item.get, &item.post, &item.patch, &item.put, &item.delete];
        for op in ops.into_iter().flatten() {
            in_responses.extend(refs_in(&op.responses));
            in_requests.extend(refs_in(&op.request_body));
            in_requests.extend(refs_in(&op.parameters));
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let requests = closure(&components.schemas, in_requests);
    let responses = closure(&components.schemas, in_responses);
    for name in responses.difference(&requests) {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(name) {
            let fields: Vec<String> = object.properties.keys().cloned().collect();
            for field in fields {
                let omitted = OMITTED_WHEN_EMPTY.contains(&(name.as_str(), field.as_str()));
                if !omitted && !object.required.contains(&field) {
                    object.required.push(field);
                }
            }
        }
    }
}

/// A list page (`Page_ArticleListItem`) refers to its item's component instead of a copy of it,
/// so a generated client has one `ArticleListItem` type.
fn name_list_items(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{ArrayBuilder, Schema};
    use utoipa::openapi::{Ref, RefOr};
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let pages: Vec<(String, String)> = components
        .schemas
        .keys()
        .filter_map(|name| {
            let item = name.strip_prefix("Page_")?;
            components
                .schemas
                .contains_key(item)
                .then(|| (name.clone(), item.to_owned()))
        })
        .collect();
    for (page, item) in pages {
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&page) {
            object.properties.insert(
                "data".into(),
                ArrayBuilder::new()
                    .items(Ref::from_schema_name(item))
                    .build()
                    .into(),
            );
        }
    }
}

/// The document, with resource paths under `/api/v1` as they are served.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    add_common_errors(&mut doc);
    add_search_limits(&mut doc);
    name_list_items(&mut doc);
    require_sent_fields(&mut doc);
    declare_public(&mut doc);
    add_head(&mut doc);
    doc.servers = Some(vec![utoipa::openapi::ServerBuilder::new()
        .url("/")
        .description(Some(
            "The server this document came from (NEWSDESK_PUBLIC_URL); resources are under /api/v1",
        ))
        .build()]);
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
