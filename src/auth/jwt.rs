//! Access tokens: HS256 JWTs with issuer, audience and a 15-minute expiry. Any other algorithm
//! (including `none`) is refused.

use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::config::Secret;

pub const ISSUER: &str = "newsdesk";
pub const AUDIENCE: &str = "newsdesk-api";
pub const ACCESS_TTL_SECS: u64 = 15 * 60;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: u64,
    pub exp: u64,
    /// Not before (validated when present).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    pub jti: Uuid,
    /// The generation of the account's sessions it was issued in ([`crate::editors::Editor`]'s
    /// `token_generation`); absent in tokens of older releases, which were generation 0.
    #[serde(default)]
    pub gen: i32,
}

/// Signing and verification keys.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(***)")
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl JwtKeys {
    pub fn new(secret: &Secret) -> Self {
        JwtKeys {
            encoding: EncodingKey::from_secret(secret.expose()),
            decoding: DecodingKey::from_secret(secret.expose()),
        }
    }

    /// A token for `editor` valid for 15 minutes, in its sessions' generation `gen`.
    pub fn issue(
        &self,
        editor: Uuid,
        role: &str,
        gen: i32,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.issue_at(editor, role, gen, now_secs())
    }

    /// A token as if issued at `iat` (tests make expired tokens with it).
    pub fn issue_at(
        &self,
        editor: Uuid,
        role: &str,
        gen: i32,
        iat: u64,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        self.sign(&Claims {
            sub: editor,
            role: role.to_owned(),
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat,
            exp: iat + ACCESS_TTL_SECS,
            nbf: None,
            jti: Uuid::new_v4(),
            gen,
        })
    }

    /// Signs `claims` as they are.
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a valid token; `None` for anything expired, tampered or foreign.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[ISSUER]);
        v.set_audience(&[AUDIENCE]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.validate_nbf = true;
        v.leeway = 0;
        decode::<Claims>(token, &self.decoding, &v)
            .ok()
            .map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

    fn keys() -> JwtKeys {
        JwtKeys::new(&Secret::new(vec![7u8; 32]))
    }

    #[test]
    fn round_trip_and_expiry() {
        let k = keys();
        let id = Uuid::now_v7();
        let t = k.issue(id, "editor", 3).unwrap();
        let claims = k.verify(&t).unwrap();
        assert_eq!((claims.sub, claims.gen), (id, 3));
        let old = k
            .issue_at(id, "editor", 0, now_secs() - ACCESS_TTL_SECS - 5)
            .unwrap();
        assert!(k.verify(&old).is_none());
        // Not valid before a time still to come.
        let mut early = claims;
        early.nbf = Some(now_secs() + 60);
        assert!(k.verify(&k.sign(&early).unwrap()).is_none());
        early.nbf = Some(now_secs() - 1);
        assert!(k.verify(&k.sign(&early).unwrap()).is_some());
    }

    #[test]
    fn tampered_foreign_and_alg_none_are_refused() {
        let k = keys();
        let t = k.issue(Uuid::now_v7(), "editor", 0).unwrap();
        let mut parts: Vec<String> = t.split('.').map(str::to_owned).collect();
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
        parts[1] = URL_SAFE_NO_PAD.encode(payload.replace("\"editor\"", "\"admin\""));
        assert!(k.verify(&parts.join(".")).is_none());
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        assert!(k
            .verify(&format!(
                "{none_header}.{}.",
                URL_SAFE_NO_PAD.encode(&payload)
            ))
            .is_none());
        let other = JwtKeys::new(&Secret::new(vec![8u8; 32]));
        assert!(other.verify(&t).is_none());
    }
}
