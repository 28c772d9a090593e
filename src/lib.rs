//! newsdesk: a headless CMS for news publishers.
//!
//! The crate is a library with a thin binary (`main.rs`): `startup` builds the application
//! that `main` serves and the integration tests drive.

// Unit tests may unwrap: a failed assumption there is the test failing.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        reason = "a test that meets an error fails"
    )
)]

pub mod allocator;
pub mod articles;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod blocking;
pub mod bylines;
pub mod cache;
pub mod cdn;
pub mod cli;
pub mod config;
pub mod correspondents;
pub mod db;
pub mod demo;
pub mod directory;
pub mod docs;
pub mod editors;
pub mod embedded_pg;
pub mod error;
pub mod feeds;
pub mod head;
pub mod http_cache;
pub mod idempotency;
pub mod ident;
pub mod import;
pub mod lane;
pub mod media;
pub mod openapi;
pub mod operating;
pub mod outbox;
pub mod pagination;
pub mod rate_limit;
pub mod replica;
pub mod request_body;
pub mod routes;
pub mod schema;
pub mod search;
pub mod sections;
pub mod site;
pub mod slug;
pub mod startup;
pub mod state;
pub mod tags;
pub mod telemetry;
pub mod text;
pub mod tokens;
pub mod validate;
pub mod webhooks;
