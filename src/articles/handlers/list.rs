//! `GET /articles` and `GET /sections/{slug}/articles`: filtered, keyset-paged lists and search.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::articles::policy;
use crate::articles::queries::{ListFilter, Sort};
use crate::articles::read::{self, ListPage, ListRequest};
use crate::articles::views::{ArticleListItem, ArticleListQuery};
use crate::articles::workflow::Status;
use crate::auth::OptionalAuth;
use crate::cache;
use crate::error::{AppError, FieldError, Problem};
use crate::http_cache;
use crate::pagination::{self, Cursor, Page, PageInfo};
use crate::search::SearchQuery;
use crate::state::AppState;
use crate::validate::query_time;

fn bad_param(field: &str, message: &str) -> AppError {
    AppError::BadRequest {
        code: "invalid_parameter",
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    }
}

/// The `?cursor=` link to the next page: the request's own query with the cursor replaced.
fn next_link(req: &HttpRequest, public_url: &str, cursor: &str) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!(
        "<{public_url}{}?{query}cursor={cursor}>; rel=\"next\"",
        req.path()
    )
}

async fn list(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    q: ArticleListQuery,
    section_from_path: Option<String>,
) -> Result<HttpResponse, AppError> {
    let staff = who.0.as_ref().map(|a| a.editor.clone());
    let limit = pagination::limit(q.limit)?;
    let search =
        q.q.as_deref()
            .map(SearchQuery::parse)
            .transpose()?
            .flatten();
    // With `q` and no explicit sort, hits come by relevance.
    let relevance = search.is_some() && q.sort.is_none();
    let sort = match q.sort.as_deref() {
        None | Some("published_at") => Sort::Published,
        Some("updated_at") if staff.is_some() => Sort::Updated,
        Some("updated_at") => {
            return Err(AppError::Unauthorized(
                "sort=updated_at is for staff".into(),
            ))
        }
        Some(_) => return Err(bad_param("sort", "must be published_at or updated_at")),
    };
    let status = q
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                bad_param(
                    "status",
                    "must be draft, in_review, scheduled, published or archived",
                )
            })
        })
        .transpose()?;
    let after = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, if relevance { 'q' } else { sort.cursor_kind() }))
        .transpose()?;
    let published_after = query_time("published_after", q.published_after.as_deref())?;
    let published_before = query_time("published_before", q.published_before.as_deref())?;
    let request = ListRequest {
        filter: ListFilter {
            visibility: policy::visibility(staff.as_ref()),
            section_ids: None,
            tag_id: None,
            correspondent_id: None,
            status,
            published_after,
            published_before,
            search,
            sort,
        },
        section_in_path: section_from_path.is_some(),
        section: section_from_path.or(q.section),
        tag: q.tag,
        correspondent: q.correspondent,
        after,
        limit,
        relevance,
        want_total: q.count.unwrap_or(false),
    };
    // An anonymous search or count can be made expensive at will: it runs in the bounded lane.
    let bounded = staff.is_none() && (request.filter.search.is_some() || request.want_total);
    let generation = state.cache.generation();
    let st = state.clone();
    let load = move |c: &mut diesel::PgConnection| {
        let counts = read::Counts {
            totals: &st.totals,
            generation,
        };
        read::list_page(c, &st.directory, &st.config.public_url, counts, request)
    };
    let ListPage {
        items,
        next_cursor,
        total,
        scopes,
    } = if bounded {
        state.lane.run(&state.reads, who.reader(), load).await?
    } else {
        state.read(who.reader(), load).await?
    };
    cache::depends_on(&req, scopes);
    let link = next_cursor
        .as_deref()
        .map(|c| next_link(&req, &state.config.public_url, c));
    let page = Page {
        data: items,
        page: PageInfo {
            limit,
            next_cursor,
            total,
        },
    };
    let mut res = http_cache::json_response(&req, staff.is_some(), &page)?;
    if let Some(link) = link {
        if let Ok(v) = header::HeaderValue::from_str(&link) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(res)
}

/// List articles, newest first, with filters and keyset pagination.
///
/// Anonymous callers see published articles only; contributors also their own; editors and
/// admins everything. `section` includes child sections. The response carries a
/// `Link: <…>; rel="next"` header when there is a next page.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles (without body_html and links)", body = Page<ArticleListItem>,
            headers(("Link" = String, description = "rel=\"next\" page"), ("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit, cursor, date, status or sort", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "sort=updated_at without a token, or a bad token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    list(req, who, state, query.into_inner(), None).await
}

/// The articles of a section and its child sections (= `GET /articles?section={slug}`).
#[utoipa::path(
    tag = "articles",
    params(("slug" = String, Path, description = "Section slug"), ArticleListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles", body = Page<ArticleListItem>),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such section", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections/{slug}/articles")]
pub async fn list_section_articles(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    if q.section.is_some() {
        return Err(bad_param("section", "is given by the path"));
    }
    list(req, who, state, q, Some(path.into_inner())).await
}
