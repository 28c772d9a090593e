//! `POST /auth/login`, `/auth/refresh`, `/auth/logout`; `GET /me`, `PATCH /me/password`.

use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{jwt, password, refresh, throttle, Auth};
use crate::editors::views::{ChangePasswordRequest, EditorView};
use crate::editors::{model::EditorChangeset, queries, Editor};
use crate::error::{AppError, Problem};
use crate::request_body::Json;
use crate::state::AppState;
use crate::validate::Checks;
use crate::{audit, db};

/// `POST /auth/login`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

/// `POST /auth/refresh` and `/auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// `POST /auth/logout`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    pub refresh_token: String,
    /// `true` ends every session of the account, not only this login's: all its refresh tokens
    /// are revoked and every access token issued so far is refused at once. Default `false`.
    #[serde(default)]
    pub everywhere: bool,
}

/// Tokens for a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// A JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires (900).
    pub expires_in: u64,
    /// Single use: exchange it at `/auth/refresh` for a new pair.
    pub refresh_token: String,
    pub editor: EditorView,
}

fn tokens(
    state: &AppState,
    editor: &Editor,
    refresh_token: String,
) -> Result<TokenResponse, AppError> {
    let access_token = state
        .jwt
        .issue(editor.id, editor.role().as_str(), editor.token_generation)
        .map_err(|e| AppError::internal("signing a token", e))?;
    Ok(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: jwt::ACCESS_TTL_SECS,
        refresh_token,
        editor: EditorView::from(editor),
    })
}

fn no_store(body: impl Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

fn bad_credentials() -> AppError {
    AppError::Unauthorized("wrong email or password".into())
}

/// Log in with email and password.
///
/// Wrong email and wrong password give the same 401. After 10 failures for one email within
/// 15 minutes (or 50 from one address) further attempts get 429 with `Retry-After`.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Wrong email or password, or deactivated", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, AppError> {
    let LoginRequest {
        email,
        password: given,
    } = body.into_inner();
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Some(retry_after) = throttled(&state, &email, &addr).await? {
        return Err(AppError::TooManyRequests {
            detail: "too many failed logins; try again later".into(),
            retry_after,
        });
    }
    let lookup = email.clone();
    let editor = db::run(&state.pool, move |c| {
        Ok(queries::find_by_email(c, &lookup)?)
    })
    .await?;
    let hash = editor.as_ref().map(|e| e.password_hash.clone());
    let matches = password::verify(given, hash).await?;
    let editor = match editor {
        Some(e) if matches && e.active && !e.service => e,
        _ => {
            failed(&state, &email, &addr).await?;
            return Err(bad_credentials());
        }
    };
    succeeded(&state, &email).await?;
    let editor_id = editor.id;
    let refresh_token = db::transaction(&state.pool, move |c| {
        let token = refresh::issue(c, editor_id, Uuid::now_v7())?;
        audit::entity(c, editor_id, "login", "editor", editor_id)?;
        Ok(token)
    })
    .await?;
    Ok(no_store(tokens(&state, &editor, refresh_token)?))
}

/// Exchange a refresh token for a new pair (the old one dies).
///
/// Presenting a refresh token that was already used revokes every token of that login (401).
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Invalid, expired, revoked or re-used token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_session(
    state: web::Data<AppState>,
    body: Json<RefreshRequest>,
) -> Result<HttpResponse, AppError> {
    let token = body.into_inner().refresh_token;
    let (editor, next) = db::transaction(&state.pool, move |c| {
        // A refused token (a replay included) answers Ok(None), so a family revoked for a
        // replay stays revoked: the transaction commits.
        Ok(refresh::rotate(c, &token)?)
    })
    .await?
    .ok_or_else(|| {
        AppError::Unauthorized("the refresh token is invalid, expired or revoked".into())
    })?;
    let (editor, next) = db::run(&state.pool, move |c| {
        let editor = queries::find(c, editor)?
            .filter(|e| e.active)
            .ok_or_else(|| AppError::Unauthorized("the account is deactivated or gone".into()))?;
        Ok((editor, next))
    })
    .await?;
    Ok(no_store(tokens(&state, &editor, next)?))
}

/// Log out: revoke the refresh token and every token of its login; with `everywhere`, end
/// every session of the account (its access tokens too, at once).
#[utoipa::path(
    tag = "auth",
    request_body = LogoutRequest,
    responses(
        (status = 204, description = "Logged out (also for an unknown token)"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    body: Json<LogoutRequest>,
) -> Result<HttpResponse, AppError> {
    let LogoutRequest {
        refresh_token,
        everywhere,
    } = body.into_inner();
    db::transaction(&state.pool, move |c| {
        if everywhere {
            if let Some(editor) = refresh::owner(c, &refresh_token)? {
                refresh::end_sessions(c, editor)?;
                audit::entity(c, editor, "logout_everywhere", "editor", editor)?;
            }
        }
        Ok(refresh::revoke(c, &refresh_token)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = EditorView),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/me")]
pub async fn get_me(auth: Auth) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", crate::http_cache::PRIVATE))
        .json(EditorView::from(&auth.editor))
}

/// Change the caller's password; every refresh token of the account is revoked.
#[utoipa::path(
    tag = "auth",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password or too short a new one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong current passwords (counted with failed logins)", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
#[patch("/me/password")]
pub async fn change_my_password(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, AppError> {
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let mut checks = Checks::new();
    password::check_new("new_password", &new_password, &mut checks);
    checks.finish()?;
    // Guessing the current password with a stolen access token counts like failed logins.
    let email = auth.editor.email.clone();
    let addr = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Some(retry_after) = throttled(&state, &email, &addr).await? {
        return Err(AppError::TooManyRequests {
            detail: "too many wrong passwords; try again later".into(),
            retry_after,
        });
    }
    let current_hash = auth.editor.password_hash.clone();
    if !password::verify(current_password, Some(current_hash)).await? {
        failed(&state, &email, &addr).await?;
        return Err(AppError::invalid_field(
            "current_password",
            "is not the current password",
        ));
    }
    succeeded(&state, &email).await?;
    let new_hash = password::hash(new_password).await?;
    let id = auth.id();
    db::transaction(&state.pool, move |c| {
        queries::update(
            c,
            id,
            &EditorChangeset {
                password_hash: Some(new_hash),
                updated_at: Some(chrono::Utc::now()),
                ..Default::default()
            },
        )?;
        refresh::end_sessions(c, id)?;
        audit::entity(c, id, "change_password", "editor", id)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Seconds to wait when `email` or `addr` failed too often (counted by every process).
async fn throttled(state: &AppState, email: &str, addr: &str) -> Result<Option<u64>, AppError> {
    let (email, addr) = (email.to_owned(), addr.to_owned());
    db::run(&state.pool, move |c| {
        Ok(throttle::retry_after(c, &email, &addr)?)
    })
    .await
}

async fn failed(state: &AppState, email: &str, addr: &str) -> Result<(), AppError> {
    let (email, addr) = (email.to_owned(), addr.to_owned());
    db::run(&state.pool, move |c| {
        Ok(throttle::record_failure(c, &email, &addr)?)
    })
    .await
}

async fn succeeded(state: &AppState, email: &str) -> Result<(), AppError> {
    let email = email.to_owned();
    db::run(&state.pool, move |c| {
        Ok(throttle::record_success(c, &email)?)
    })
    .await
}
