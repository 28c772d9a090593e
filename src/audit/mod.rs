//! The audit log: who did what, written in the same transaction as the change it records, and
//! read by admins at `GET /audit`.

pub mod handlers;
pub mod queries;
pub mod views;

pub use queries::{entity, record, Entry};
