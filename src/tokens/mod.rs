//! Integration tokens (admin): `ndt_…` bearer tokens for scripts and apps, each acting through a
//! service account of its own with the token's role; stored as a hash, refused at once once
//! deleted or expired ([`queries::bearer`], read with every request).

pub mod handlers;
pub mod queries;
pub mod views;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// How every integration token begins.
pub const PREFIX: &str = "ndt_";

/// A new token: `ndt_` and 32 random bytes, base64url.
pub fn new_token() -> String {
    let mut raw = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut raw);
    format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// What is stored of a token: its SHA-256, hex.
pub fn digest(token: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(token.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Whether a bearer token is an integration token (else a JWT).
pub fn is_integration(token: &str) -> bool {
    token.starts_with(PREFIX)
}
