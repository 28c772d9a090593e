//! Articles (稿件): the stories, their bylines, tags, revisions and workflow.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod revisions;
pub mod scheduler;
pub mod views;
pub mod workflow;
pub mod write;

pub use workflow::Status;
