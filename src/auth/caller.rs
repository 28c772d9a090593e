//! Who a request's bearer token names, read without the database (for middleware that keys
//! things per caller: rate limits, idempotency keys): the editor of a valid access token, or an
//! integration token by its hash (whether it is still live is the handler's business).

use actix_web::http::header::{HeaderMap, AUTHORIZATION};
use uuid::Uuid;

use super::jwt::JwtKeys;
use crate::tokens;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    Editor(Uuid),
    /// An integration token's SHA-256, hex.
    Token(String),
}

/// The token of `Authorization: Bearer <token>`.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The caller named by the request's bearer token; `None` without one or with a bad one.
pub fn caller(headers: &HeaderMap, jwt: &JwtKeys) -> Option<Caller> {
    let token = bearer_token(headers)?;
    if tokens::is_integration(token) {
        return Some(Caller::Token(tokens::digest(token)));
    }
    jwt.verify(token).map(|c| Caller::Editor(c.sub))
}
