//! Writes to the media library, one action a file: [`upload`], [`update`], [`delete`].

pub mod delete;
pub mod update;
pub mod upload;
