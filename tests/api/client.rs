//! The document as its users' tools read it (`tests/openapi-client/`): Redocly (2.x) and
//! Spectral (oas ruleset) lint it with no error, openapi-typescript generates a client, a small
//! program written against it compiles with `tsc --strict` (and stricter) without a cast, and
//! then reads the real binary's demo content, checking every field it reads is there.
//!
//! The npm packages (pinned in `package-lock.json`) are installed once under `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::server::{data_dir, Server};

const FILES: [&str; 6] = [
    "package.json",
    "package-lock.json",
    "tsconfig.json",
    "client.ts",
    "redocly.yaml",
    ".spectral.yaml",
];

#[track_caller]
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}): apt-get install nodejs npm"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{program} {args:?} failed:\n{text}");
    text
}

/// `tests/openapi-client` copied under `target/`, its packages installed.
fn workspace() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/openapi-client");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../openapi-client");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = std::fs::read(source.join("package-lock.json")).unwrap();
    let installed = std::fs::read(dir.join("node_modules/.newsdesk-lock")).ok();
    for f in FILES {
        std::fs::copy(source.join(f), dir.join(f)).unwrap();
    }
    if installed.as_deref() != Some(&lock[..]) {
        run(
            &dir,
            "npm",
            &["ci", "--no-audit", "--no-fund", "--loglevel=error"],
        );
        std::fs::write(dir.join("node_modules/.newsdesk-lock"), &lock).unwrap();
    }
    dir
}

#[test]
fn a_generated_typescript_client_compiles_strictly_and_reads_real_responses() {
    let dir = workspace();
    let document = Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let document = document.to_str().unwrap();
    let lint = run(
        &dir,
        "npx",
        &["redocly", "lint", "--config", "redocly.yaml", document],
    );
    assert!(lint.contains("valid"), "{lint}");
    run(
        &dir,
        "npx",
        &[
            "spectral",
            "lint",
            "--fail-severity=error",
            "--ruleset",
            ".spectral.yaml",
            document,
        ],
    );
    run(
        &dir,
        "npx",
        &["openapi-typescript", document, "-o", "generated/api.d.ts"],
    );
    run(&dir, "npx", &["tsc", "-p", "tsconfig.json"]);
    let data = data_dir();
    let server = Server::start_with(&data, "warn", &[]);
    let out = run(&dir, "node", &["dist/client.js", &server.base]);
    assert!(out.contains("ok: "), "{out}");
    server.stop();
    let _ = std::fs::remove_dir_all(&data);
}
