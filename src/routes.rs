//! Mounts every resource under `/api/v1`, the OpenAPI document and Swagger UI, and the probes at
//! the root. Also the extractor error handlers, so bad queries and paths become problem+json.

use actix_web::error::{PathError, QueryPayloadError};
use std::sync::OnceLock;

use actix_web::dev::ResourceDef;
use actix_web::{web, HttpRequest};

use crate::error::{AppError, FieldError};
use crate::openapi::{self, API_PREFIX};
use crate::{
    articles, audit, auth, bylines, correspondents, docs, editors, feeds, media, operating,
    sections, tags, tokens, webhooks,
};

fn serde_problem(msg: String, what: &str) -> AppError {
    let errors = match crate::request_body::quoted(&msg, "unknown field `") {
        Some(field) => vec![FieldError::new(field, "unknown field")],
        None => vec![],
    };
    let code = if errors.is_empty() {
        "malformed_request"
    } else {
        "unknown_field"
    };
    AppError::BadRequest {
        code,
        detail: format!("{what}: {msg}"),
        errors,
    }
}

fn query_error(err: QueryPayloadError, _: &HttpRequest) -> actix_web::Error {
    match err {
        QueryPayloadError::Deserialize(e) => serde_problem(e.to_string(), "invalid query"),
        other => AppError::bad_request("malformed_request", other.to_string()),
    }
    .into()
}

fn path_error(err: PathError, _: &HttpRequest) -> actix_web::Error {
    match err {
        PathError::Deserialize(e) => {
            AppError::bad_request("invalid_path", format!("invalid path parameter: {e}"))
        }
        other => AppError::bad_request("invalid_path", other.to_string()),
    }
    .into()
}

/// The documented paths and their methods, as actix patterns (OpenAPI's `{name}` is actix's).
fn documented_routes() -> &'static [(ResourceDef, Vec<String>)] {
    static ROUTES: OnceLock<Vec<(ResourceDef, Vec<String>)>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        openapi::document()
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect()
    })
}

/// No route matched: 405 (with `Allow`) when the path exists for other methods, else 404.
async fn fallback(req: HttpRequest) -> Result<actix_web::HttpResponse, AppError> {
    let mut allowed: Vec<String> = documented_routes()
        .iter()
        .filter(|(def, _)| def.is_match(req.path()))
        .flat_map(|(_, methods)| methods.iter().cloned())
        .collect();
    allowed.sort();
    allowed.dedup();
    if !allowed.is_empty() && !allowed.iter().any(|m| m == req.method().as_str()) {
        return Err(AppError::MethodNotAllowed { allowed });
    }
    Err(AppError::NotFound("no such resource".into()))
}

/// `/api/v1/docs` → `/api/v1/docs/` (Swagger UI's relative asset paths need the slash).
async fn docs_redirect() -> actix_web::HttpResponse {
    actix_web::HttpResponse::PermanentRedirect()
        .insert_header(("Location", format!("{API_PREFIX}/docs/")))
        .finish()
}

/// Everything the app serves.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // JSON bodies are read by `request_body::Json`, which names the field in its errors.
    cfg.app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error))
        .service(operating::healthz)
        .service(operating::readyz)
        .service(operating::metrics_text)
        .route(&format!("{API_PREFIX}/docs"), web::get().to(docs_redirect))
        .service(feeds::handlers::news_sitemap)
        .route(
            "/articles/{slug}",
            web::get().to(feeds::handlers::permalink),
        )
        .route(
            &format!("{API_PREFIX}/openapi.json"),
            web::get().to(docs::openapi_json),
        )
        .service(docs::swagger_ui())
        .service(
            web::scope(API_PREFIX)
                .service(feeds::handlers::site_feed)
                .service(feeds::handlers::section_feed)
                .service(feeds::handlers::tag_feed)
                .service(feeds::handlers::correspondent_feed)
                .service(feeds::handlers::get_article_ninjs)
                .service(feeds::handlers::news_sitemap)
                .service(auth::handlers::login)
                .service(auth::handlers::refresh_session)
                .service(auth::handlers::logout)
                .service(auth::handlers::get_me)
                .service(auth::handlers::change_my_password)
                .service(editors::handlers::list_editors)
                .service(editors::handlers::get_editor)
                .service(editors::handlers::create_editor)
                .service(editors::handlers::update_editor)
                .service(editors::handlers::delete_editor)
                .service(sections::handlers::list_sections)
                .service(articles::handlers::list::list_section_articles)
                .service(sections::handlers::get_section)
                .service(sections::handlers::create_section)
                .service(sections::handlers::update_section)
                .service(sections::handlers::delete_section)
                .service(tags::handlers::list_tags)
                .service(tags::handlers::get_tag)
                .service(tags::handlers::create_tag)
                .service(tags::handlers::update_tag)
                .service(tags::handlers::delete_tag)
                .service(correspondents::handlers::list_correspondents)
                .service(correspondents::handlers::get_correspondent)
                .service(correspondents::handlers::create_correspondent)
                .service(correspondents::handlers::update_correspondent)
                .service(correspondents::handlers::delete_correspondent)
                .service(bylines::handlers::parse_byline)
                .service(articles::handlers::list::list_articles)
                .service(articles::handlers::get::list_related)
                .service(articles::handlers::get::get_article)
                .service(articles::handlers::edit::create_article)
                .service(articles::handlers::edit::update_article)
                .service(articles::handlers::edit::transition_article)
                .service(articles::handlers::edit::delete_article)
                .service(articles::handlers::revisions::list_revisions)
                .service(articles::handlers::revisions::get_revision)
                .service(articles::handlers::revisions::restore_revision)
                .service(audit::handlers::list_audit)
                .service(webhooks::handlers::create_webhook)
                .service(webhooks::handlers::list_webhooks)
                .service(webhooks::handlers::get_webhook)
                .service(webhooks::handlers::update_webhook)
                .service(webhooks::handlers::delete_webhook)
                .service(webhooks::handlers::list_deliveries)
                .service(webhooks::handlers::retry_delivery)
                .service(tokens::handlers::create_token)
                .service(tokens::handlers::list_tokens)
                .service(tokens::handlers::delete_token)
                .service(media::handlers::upload_media)
                .service(media::handlers::list_media)
                .service(media::handlers::get_media_variant)
                .service(media::handlers::get_media)
                .service(media::handlers::update_media)
                .service(media::handlers::delete_media),
        )
        .default_service(web::to(fallback));
}
