//! The `newsdesk` binary: parses the command line and hands over to the library.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// glibc's allocator spent a fifth of the server's CPU in a list benchmark (`perf`: many
/// threads, many small allocations); mimalloc does the same work for a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[actix_web::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let code = newsdesk::cli::run(newsdesk::cli::Cli::parse()).await;
    std::process::exit(code);
}
