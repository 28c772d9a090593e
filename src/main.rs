//! The `newsdesk` binary: parses the command line and hands over to the library.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// mimalloc for small blocks, the system's for large ones (`newsdesk::allocator`).
#[global_allocator]
static ALLOCATOR: newsdesk::allocator::Allocator = newsdesk::allocator::Allocator;

#[actix_web::main]
async fn main() {
    newsdesk::allocator::configure();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let code = newsdesk::cli::run(newsdesk::cli::Cli::parse()).await;
    std::process::exit(code);
}
