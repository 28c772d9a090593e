//! Rebuilds when a migration is added or changed: they are embedded with `embed_migrations!`,
//! which cargo cannot see through (diesel_migrations' recommendation).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
