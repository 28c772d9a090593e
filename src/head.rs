//! `HEAD` on every `GET` route (RFC 9110 §9.3.2; API.md §7): the request is routed as the `GET`
//! it asks about, so status and headers are the same; the HTTP layer, which saw `HEAD`, sends
//! no body (and keeps the `Content-Length` the body would have had).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

/// Routes `HEAD` as `GET`.
pub async fn as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
