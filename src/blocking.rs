//! The one door to the blocking thread pool: work that would stall the async executor (Diesel's
//! synchronous connections, argon2) runs there, inside the caller's tracing span, so its log
//! lines keep the request id (the idea of zero-to-production's `spawn_blocking_with_tracing`).

use crate::error::AppError;

/// Runs `f` on actix's blocking pool within the current span.
pub async fn run<T, F>(f: F) -> Result<T, AppError>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let span = tracing::Span::current();
    Ok(actix_web::web::block(move || span.in_scope(f)).await?)
}
