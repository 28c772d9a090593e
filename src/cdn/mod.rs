//! The CDN in front (API.md §10): every public response names what it shows in
//! `Surrogate-Key` and `Cache-Tag` ([`keys`]), from the same scopes the response cache uses, and
//! each committed change purges exactly the keys of what it changed ([`purge`]), through the
//! outbox.

pub mod keys;
pub mod purge;
