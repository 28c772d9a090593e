//! `POST /bylines/parse`: the request and what it answers.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::Role;

/// The text of a credit line, as printed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParseBylineRequest {
    /// `咸宁新闻网讯 (记者叶和平 通讯员沈荣华)10日,…`, `(通讯员 夏洋 洪秀 周全)`, `刘建平摄`,
    /// `编辑:hefan`; several lines are read as a lead and credit lines.
    #[schema(max_length = 5000)]
    pub text: String,
}

/// An existing correspondent a credit names.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct CorrespondentRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// One credited person.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParsedCredit {
    pub name: String,
    pub role: Role,
    /// The publication or unit printed before the role word (`香城都市报`).
    pub affiliation: Option<String>,
    /// The correspondent of that name (and affiliation, when two share the name), or `null`.
    pub correspondent: Option<CorrespondentRef>,
}

/// What the text credits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParsedByline {
    /// The dateline's publication: `咸宁新闻网` of `咸宁新闻网讯`, `本报` of `本报讯`, `新华社` of
    /// `新华社武汉4月9日电`; `null` without a dateline.
    pub source: Option<String>,
    pub credits: Vec<ParsedCredit>,
    /// The responsible editor printed after 编辑 / 责任编辑, or `null`.
    pub editor: Option<String>,
    /// The text after credits that open the text (a lead running into the body), else `""`.
    pub rest: String,
}
