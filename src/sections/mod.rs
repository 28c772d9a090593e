//! Sections (栏目), nested by `parent_id` (县市区 › 嘉鱼).

pub mod handlers;
pub mod model;
pub mod queries;
pub mod tree;
pub mod views;
