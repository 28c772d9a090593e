//! The `newsdesk` binary: parses the command line and hands over to the library.

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// glibc's allocator spent a fifth of the server's CPU in a list benchmark (`perf`: many
/// threads, many small allocations); mimalloc does the same work for a fraction.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` (mimalloc 3's `mi_option_e`; the bindings name no constant for it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

#[actix_web::main]
async fn main() {
    // Freed pages go back to the system at once. mimalloc's default waits 10 ms, and a thread
    // that then sleeps keeps them: after ten parallel photo uploads (tens of megabytes freed on
    // blocking-pool threads that then idle) the process held 257 MiB instead of 162 MiB.
    // `MIMALLOC_PURGE_DELAY` still overrides it.
    // SAFETY: sets an option's default; mimalloc reads options atomically.
    unsafe { libmimalloc_sys::mi_option_set_default(PURGE_DELAY, 0) };
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let code = newsdesk::cli::run(newsdesk::cli::Cli::parse()).await;
    std::process::exit(code);
}
