//! Auth in the handler's signature: `auth: Auth` requires a valid bearer token of an active
//! editor; `who: OptionalAuth` also admits anonymous callers (but refuses a bad token);
//! `token: Token` verifies the token and leaves reading the editor to the handler's transaction.

use std::future::Future;
use std::pin::Pin;

use actix_web::{dev::Payload, http::header, web, FromRequest, HttpRequest};
use diesel::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::editors::{queries, Editor, Role};
use crate::error::AppError;
use crate::replica::Reader;
use crate::state::AppState;

/// An authenticated, active staff account, re-read from the database on every request so that
/// deactivation and role changes take effect at once.
#[derive(Debug, Clone)]
pub struct Auth {
    pub editor: Editor,
}

impl Auth {
    pub fn id(&self) -> Uuid {
        self.editor.id
    }

    pub fn role(&self) -> Role {
        self.editor.role()
    }

    /// 403 unless the caller has at least `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.role() >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }
}

/// `Some(auth)` for a valid token, `None` without an `Authorization` header.
#[derive(Debug, Clone)]
pub struct OptionalAuth(pub Option<Auth>);

impl OptionalAuth {
    pub fn is_staff(&self) -> bool {
        self.0.is_some()
    }

    /// Where the caller's reads may go: anonymous ones to a replica, staff ones never.
    pub fn reader(&self) -> Reader {
        if self.is_staff() {
            Reader::Staff
        } else {
            Reader::Public
        }
    }
}

fn bearer(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("malformed Authorization header".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(AppError::Unauthorized(
            "expected Authorization: Bearer <token>".into(),
        )),
    }
}

/// Who a bearer token says it is: an access token's editor and the generation of its
/// sessions, or an integration token (by its hash), read with the account.
#[derive(Debug, Clone)]
enum Bearer {
    Access { editor: Uuid, generation: i32 },
    Integration { hash: String },
}

/// The editor a valid bearer token names (not yet read), `None` without a token.
fn verified(req: &HttpRequest) -> Result<Option<(web::Data<AppState>, Bearer)>, AppError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::bug("application state missing"))?
        .clone();
    if crate::tokens::is_integration(&token) {
        let hash = crate::tokens::digest(&token);
        return Ok(Some((state, Bearer::Integration { hash })));
    }
    let claims = state
        .jwt
        .verify(&token)
        .ok_or_else(|| AppError::Unauthorized("the access token is invalid or expired".into()))?;
    let bearer = Bearer::Access {
        editor: claims.sub,
        generation: claims.gen,
    };
    Ok(Some((state, bearer)))
}

/// The editor a token names, if the account still exists, is active, and the token was issued
/// since its sessions last ended.
fn active(conn: &mut PgConnection, bearer: &Bearer) -> Result<Editor, AppError> {
    let (id, generation) = match bearer {
        Bearer::Access { editor, generation } => (*editor, *generation),
        Bearer::Integration { hash } => {
            return match crate::tokens::queries::bearer(conn, hash)? {
                Some((editor, _, _)) if editor.active => Ok(editor),
                _ => Err(AppError::Unauthorized(
                    "the integration token is unknown, deleted or expired".into(),
                )),
            }
        }
    };
    match queries::find(conn, id)? {
        Some(editor)
            if editor.active && !editor.service && editor.token_generation == generation =>
        {
            Ok(editor)
        }
        Some(editor) if editor.active => Err(AppError::Unauthorized(
            "the access token was issued before the account's sessions were ended; log in again"
                .into(),
        )),
        _ => Err(AppError::Unauthorized(
            "the account is deactivated or gone".into(),
        )),
    }
}

async fn authenticate(req: HttpRequest) -> Result<Option<Auth>, AppError> {
    let Some((state, bearer)) = verified(&req)? else {
        return Ok(None);
    };
    let editor = db::run(&state.pool, move |c| active(c, &bearer)).await?;
    Ok(Some(Auth { editor }))
}

/// A valid bearer token whose account is read inside the handler's own transaction with
/// [`Token::editor`]: the same checks as [`Auth`], in the write's snapshot, without a pool
/// check-out and a blocking-pool hop of its own (for the writes a newsroom makes most).
#[derive(Debug, Clone)]
pub struct Token {
    bearer: Bearer,
}

impl Token {
    /// The active account behind the token (401 when deactivated, gone or ended).
    pub fn editor(&self, conn: &mut PgConnection) -> Result<Editor, AppError> {
        active(conn, &self.bearer)
    }
}

impl FromRequest for Token {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(match verified(req) {
            Ok(Some((_, bearer))) => Ok(Token { bearer }),
            Ok(None) => Err(AppError::Unauthorized("authentication required".into())),
            Err(e) => Err(e),
        })
    }
}

impl FromRequest for Auth {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .ok_or_else(|| AppError::Unauthorized("authentication required".into()))
        })
    }
}

impl FromRequest for OptionalAuth {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(OptionalAuth) })
    }
}
