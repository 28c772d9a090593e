//! `/media`: upload (staff), the library (staff, paged), an image and its variants (public,
//! immutable), its texts (`PATCH`), its deletion.

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use uuid::Uuid;

use super::model::Media;
use super::views::{MediaView, UpdateMediaRequest, UploadQuery};
use super::write::{delete as remove, update as edit, upload as add};
use super::{queries, store, Mime};
use crate::auth::Auth;
use crate::cache::{self, Scope};
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::pagination::{self, Cursor, ListQuery, Page};
use crate::replica::Reader;
use crate::request_body::{self, Json};
use crate::state::{AppState, Reach};
use crate::validate::{clean_optional, Checks};
use crate::{db, http_cache};

/// How long an image may be cached: it never changes under its URL.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Upload an image (staff).
///
/// The body is the image itself, whatever `Content-Type` says: its type is decided by decoding
/// it (JPEG, PNG, WebP, GIF). Stored without its EXIF, XMP and IPTC metadata (GPS included; the
/// ICC profile stays), its EXIF orientation applied; variants 320, 640 and 1280 px wide (never
/// wider than the original) are made at once. The same bytes again (as uploaded, or once
/// stripped) answer 200 with the image already in the library, so a retry needs no
/// `Idempotency-Key` (which uploads ignore). Uploads are processed a few at a time
/// (`NEWSDESK_MEDIA_UPLOADS`); the others wait their turn before their bodies are read, up to 60 s
/// (then 503).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(UploadQuery),
    request_body(
        description = "The image: JPEG, PNG, WebP or GIF, at most NEWSDESK_MEDIA_MAX_BYTES (20 MiB).",
        content(
            (Vec<u8> = "image/jpeg"),
            (Vec<u8> = "image/png"),
            (Vec<u8> = "image/webp"),
            (Vec<u8> = "image/gif"),
        ),
    ),
    responses(
        (status = 201, description = "Stored, with its variants", body = MediaView, headers(("Location" = String))),
        (status = 200, description = "The library already holds these bytes: that image", body = MediaView),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 408, description = "The body did not arrive in time", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than NEWSDESK_MEDIA_MAX_BYTES", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG, WebP or GIF that decodes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "More than 50 megapixels (`image_too_large`), or a caption, credit or alt too long", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "Too many uploads waiting, or the media store unavailable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<UploadQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Contributor)?;
    let q = query.into_inner();
    let texts = add::Texts {
        caption: clean_optional(q.caption),
        credit: clean_optional(q.credit),
        alt: clean_optional(q.alt),
    };
    let mut checks = Checks::new();
    checks.optional_text("caption", texts.caption.as_deref(), 500);
    checks.optional_text("credit", texts.credit.as_deref(), 200);
    checks.optional_text("alt", texts.alt.as_deref(), 500);
    checks.finish()?;
    let limit = state.config.media.max_bytes;
    let declared = request_body::declared_length(&req);
    if declared.is_some_and(|n| n > limit) {
        return Err(AppError::PayloadTooLarge { limit });
    }
    let _turn = state.uploads.enter().await?;
    let timeout = std::time::Duration::from_secs(state.config.body_timeout_secs);
    let payload = request_body::with_deadline(payload.into_inner(), timeout);
    let body = request_body::read_at_most(payload, declared, limit).await?;
    let uploaded = add::upload(&state.pool, &state.media, body, texts, auth.id()).await?;
    let public_url = &state.config.public_url;
    Ok(match uploaded {
        add::Uploaded::Created(m) => HttpResponse::Created()
            .insert_header((header::LOCATION, super::views::media_url(public_url, m.id)))
            .insert_header((header::CACHE_CONTROL, http_cache::PRIVATE))
            .json(MediaView::new(public_url, &m)),
        add::Uploaded::Existing(m) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, http_cache::PRIVATE))
            .json(MediaView::new(public_url, &m)),
    })
}

/// The media library (staff), newest first.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of images", body = Page<MediaView>),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media")]
pub async fn list_media(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Contributor)?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let before = pagination::after(q.cursor.as_deref(), 'm')?;
    let rows = db::run(&state.pool, move |c| {
        Ok(queries::list(c, before.map(|b| b.id), limit)?)
    })
    .await?;
    let public_url = state.config.public_url.clone();
    let page = Page::of(
        rows,
        limit,
        None,
        |m| Cursor::at_id('m', m.id),
        |m| MediaView::new(&public_url, &m),
    );
    http_cache::json_response(&req, true, &page)
}

/// An image (public): the original without its metadata.
#[utoipa::path(
    tag = "media",
    params(("id" = Uuid, Path, description = "Media id")),
    responses(
        (status = 200, description = "The image", content(
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"), (Vec<u8> = "image/webp"), (Vec<u8> = "image/gif"),
        ), headers(("ETag" = String), ("Cache-Control" = String, description = "public, max-age=31536000, immutable"))),
        (status = 304, description = "The client's copy is current"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such image", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}")]
pub async fn get_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let m = find(&state, path.into_inner()).await?;
    let key = store::original_key(m.id, m.mime());
    serve(&req, &state, &m, key, m.mime(), &m.sha256).await
}

/// A variant of an image (public): 320, 640 or 1280 px wide.
#[utoipa::path(
    tag = "media",
    params(
        ("id" = Uuid, Path, description = "Media id"),
        ("width" = u32, Path, description = "320, 640 or 1280 (those narrower than the original)"),
    ),
    responses(
        (status = 200, description = "The variant", content(
            (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/webp"),
        ), headers(("ETag" = String), ("Cache-Control" = String, description = "public, max-age=31536000, immutable"))),
        (status = 304, description = "The client's copy is current"),
        (status = 400, description = "Bad id or width", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such image, or no variant of that width", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/media/{id}/variants/{width}")]
pub async fn get_media_variant(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, u32)>,
) -> Result<HttpResponse, AppError> {
    let (id, width) = path.into_inner();
    let m = find(&state, id).await?;
    let v = m
        .variant(width)
        .ok_or_else(|| AppError::not_found("variant"))?;
    let mime = Mime::parse(&v.mime).unwrap_or(Mime::Jpeg);
    let key = store::variant_key(m.id, width, mime);
    serve(&req, &state, &m, key, mime, &v.sha256).await
}

/// Change the caption, credit or alt text of an image (the desk; a contributor its own).
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Media id")),
    request_body = UpdateMediaRequest,
    responses(
        (status = 200, description = "Changed", body = MediaView),
        (status = 400, description = "Malformed body or id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contributor and another's image", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such image", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A text too long", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateMediaRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Contributor)?;
    let id = path.into_inner();
    let c = edit::changeset(body.into_inner())?;
    let who = (auth.id(), auth.role());
    let dir = state.directory.clone();
    let m = state
        .write(Reach::Articles, move |conn, changes| {
            edit::update(conn, &dir, changes, who, id, &c)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, http_cache::PRIVATE))
        .json(MediaView::new(&state.config.public_url, &m)))
}

/// Delete an image (the desk; a contributor its own): 409 `media_in_use` while an article uses
/// it, as its cover or in its body.
#[utoipa::path(
    tag = "media",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Media id")),
    responses(
        (status = 204, description = "Deleted, with its files"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contributor and another's image", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such image", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An article uses it (`media_in_use`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Contributor)?;
    let id = path.into_inner();
    let who = (auth.id(), auth.role());
    let m = state
        .write(Reach::Articles, move |conn, changes| {
            remove::delete(conn, changes, who, id)
        })
        .await?;
    remove::forget_files(&state.media, &m).await;
    Ok(HttpResponse::NoContent().finish())
}

/// An image of the library, for anyone (its URL is public; a replica may answer).
async fn find(state: &AppState, id: Uuid) -> Result<Media, AppError> {
    state
        .read(Reader::Public, move |c| {
            queries::find(c, id)?.ok_or_else(|| AppError::not_found("media"))
        })
        .await
}

/// The file under `key` with the headers of an immutable public image (a 304 when the client
/// has it); the response cache keeps it under [`Scope::Media`].
async fn serve(
    req: &HttpRequest,
    state: &AppState,
    m: &Media,
    key: String,
    mime: Mime,
    sha256: &str,
) -> Result<HttpResponse, AppError> {
    cache::depends_on(req, vec![Scope::Media(m.id)]);
    let etag = format!("\"{}\"", &sha256[..sha256.len().min(32)]);
    if http_cache::none_match(req, &etag) {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, IMMUTABLE))
            .finish());
    }
    let bytes = state
        .media
        .get(&key)
        .await?
        .ok_or_else(|| AppError::bug("an image's file is missing from the media store"))?;
    Ok(HttpResponse::Ok()
        .content_type(mime.as_str())
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, IMMUTABLE))
        .body(bytes))
}
