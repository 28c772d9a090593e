//! argon2id password hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane). [`hash`] and
//! [`verify`] run on the blocking pool (a hash takes tens of milliseconds of CPU); the
//! `_blocking` forms are for callers already off the async executor.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::blocking;
use crate::error::AppError;

pub const MIN_PASSWORD_LEN: usize = 10;
pub const MAX_PASSWORD_LEN: usize = 1024;

static FAST: AtomicBool = AtomicBool::new(false);

/// Test suites call this: new hashes use cheap parameters (verification reads the parameters
/// from each hash, so production hashes still verify).
pub fn use_fast_params_for_tests() {
    FAST.store(true, Ordering::Relaxed);
}

/// OWASP's argon2id parameters (19 MiB, 2 passes, 1 lane), or cheap ones for test suites.
fn params(fast: bool) -> Params {
    let p = if fast {
        Params::new(1024, 1, 1, None)
    } else {
        Params::new(19 * 1024, 2, 1, None)
    };
    p.unwrap_or_default()
}

fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        params(FAST.load(Ordering::Relaxed)),
    )
}

/// Hashes `password` into a PHC string, on the blocking pool.
pub async fn hash(password: String) -> Result<String, AppError> {
    blocking::run(move || hash_blocking(&password)).await?
}

/// Whether `password` matches `phc`, on the blocking pool; without a hash (an unknown account)
/// it is checked against a dummy one, so that both answers take as long.
pub async fn verify(password: String, phc: Option<String>) -> Result<bool, AppError> {
    blocking::run(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => verify_blocking(&password, dummy_hash()),
    })
    .await
}

/// [`hash`] on the calling thread.
pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal("hashing a password", e.to_string()))
}

/// Whether `password` matches `phc` on the calling thread. Malformed hashes never match.
fn verify_blocking(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of nothing, verified when the email is unknown so that a login takes as long either way.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        hasher()
            .hash_password(b"newsdesk-dummy-password", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The 422 field error for a new password, if any.
pub fn check_new(field: &str, password: &str, checks: &mut crate::validate::Checks) {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        checks.fail(
            field,
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        );
    } else if n > MAX_PASSWORD_LEN {
        checks.fail(
            field,
            format!("must be at most {MAX_PASSWORD_LEN} characters"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        use_fast_params_for_tests();
        let h = hash_blocking("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_blocking("correct horse battery", &h));
        assert!(!verify_blocking("wrong", &h));
        assert!(!verify_blocking("x", "not a hash"));
    }

    #[test]
    fn unknown_emails_cost_a_real_verification() {
        // The dummy hash has the parameters of real ones, so verifying against it takes as long.
        use_fast_params_for_tests();
        let real = hash_blocking("some password").unwrap();
        let params = |phc: &str| {
            let parsed = PasswordHash::new(phc).unwrap();
            (parsed.algorithm.to_string(), parsed.params.to_string())
        };
        assert_eq!(params(dummy_hash()), params(&real));
        assert!(!verify_blocking("anything", dummy_hash()));
    }

    #[test]
    fn production_parameters_follow_owasp() {
        // argon2id, 19 MiB, 2 passes, 1 lane (OWASP Password Storage Cheat Sheet).
        let p = params(false);
        assert_eq!((p.m_cost(), p.t_cost(), p.p_cost()), (19_456, 2, 1));
    }
}
