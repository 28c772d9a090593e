//! Integration tests through the HTTP layer, against a real PostgreSQL (a fresh database per
//! test, cloned from a migrated template).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that meets an error fails"
)]

mod builders;
mod helpers;
mod receiver;
mod tokens;
mod webhooks;
mod wire;
mod xml_text;

mod access;
mod articles;
mod auth;
mod backup;
mod binary;
mod bounded;
mod bylines;
mod cache;
mod client;
mod document;
mod embedded;
mod errors;
mod feeds;
mod idempotency;
mod import;
mod listing;
mod load;
mod media;
mod operating;
mod related;
mod replica;
mod resources;
mod s3;
mod schema;
mod schemathesis;
mod search;
mod search_engines;
mod server;
mod varnish;
mod workflow;
