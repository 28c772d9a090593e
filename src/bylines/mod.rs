//! Bylines as printed (API.md §9): credit lines of Chinese news copy — `(通讯员 夏洋 洪秀 周全)`,
//! `咸宁新闻网讯 (记者叶和平 通讯员沈荣华)`, `刘建平摄`, `编辑:hefan` — read into credits, the
//! dateline's source, the responsible editor and the text after them.
//!
//! - [`lexicon`] — role words, titles, datelines, surnames (data);
//! - [`names`] — telling names from text (jieba's dictionary and the surnames);
//! - [`parse`] — the parser (pure), over [`scan`] (what stands at a position) and [`credits`]
//!   (reading credits and names);
//! - [`queries`] — printed names matched to correspondents;
//! - [`views`], [`handlers`] — `POST /bylines/parse`.

pub mod credits;
pub mod handlers;
pub mod lexicon;
pub mod names;
pub mod parse;
pub mod queries;
pub mod scan;
pub mod views;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use parse::{credit_line, parse, Credit, Parsed};

/// A byline role, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = BylineRole)]
pub enum Role {
    /// 记者.
    Reporter,
    /// 通讯员.
    Correspondent,
    /// 摄影.
    Photographer,
    /// 文, 作者.
    Author,
    /// 翻译, 编译.
    Translator,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Reporter,
        Role::Correspondent,
        Role::Photographer,
        Role::Author,
        Role::Translator,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reporter => "reporter",
            Role::Correspondent => "correspondent",
            Role::Photographer => "photographer",
            Role::Author => "author",
            Role::Translator => "translator",
        }
    }
}
