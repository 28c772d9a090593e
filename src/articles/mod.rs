//! Articles (稿件): the stories, their bylines, tags, revisions and workflow.

pub mod handlers;
pub mod model;
pub mod policy;
pub mod queries;
pub mod read;
pub mod scheduler;
pub mod views;
pub mod workflow;
pub mod write;

pub use workflow::Status;
