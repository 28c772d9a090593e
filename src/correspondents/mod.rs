//! Correspondents (通讯员、记者、摄影): people credited in bylines. Their contact fields are
//! private: only staff ever receive them.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod views;
