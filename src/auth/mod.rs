//! Authentication: login, JWT access tokens, rotating refresh tokens, the auth extractors and
//! login throttling.

pub mod caller;
pub mod extractors;
pub mod handlers;
pub mod jwt;
pub mod password;
pub mod refresh;
pub mod throttle;

pub use extractors::{Auth, OptionalAuth, Token};
