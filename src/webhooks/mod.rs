//! Webhooks (admin): where the outbox sends which events; their deliveries' history.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod views;
