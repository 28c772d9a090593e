//! Staff accounts (编辑): admins, editors and contributors.

pub mod accounts;
pub mod handlers;
pub mod model;
pub mod queries;
pub mod views;

pub use model::{Editor, Role};
