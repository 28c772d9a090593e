//! Tags / topics (专题), e.g. `央媒省媒看咸宁`.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod views;
