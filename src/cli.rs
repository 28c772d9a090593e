//! The command line (clap): `serve` (default), `migrate`, `create-editor`, `seed-demo`, `openapi`.

use std::io::Read;

use clap::{Parser, Subcommand};

use crate::auth::jwt::JwtKeys;
use crate::blocking;
use crate::config::{Config, MediaStoreSpec};
use crate::editors::accounts::{self, NewAccount};
use crate::editors::Role;
use crate::startup::{self, Database, StartError};
use crate::state::AppState;

#[derive(Debug, Parser)]
#[command(
    name = "newsdesk",
    version,
    about = "A headless CMS for news publishers"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default). Without DATABASE_URL it runs its own PostgreSQL in
    /// NEWSDESK_DATA_DIR and fills an empty database with demo content.
    Serve,
    /// Apply pending database migrations.
    Migrate,
    /// Create a staff account; the password comes from NEWSDESK_PASSWORD or standard input.
    CreateEditor {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, editor or contributor.
        #[arg(long, default_value = "editor")]
        role: String,
    },
    /// Load the demo content (sections, tags, correspondents, articles, a demo admin); with
    /// `--articles N`, also a generated corpus of N county stories (or, with `--out`, only write
    /// that corpus in the import format, without touching a database).
    SeedDemo {
        /// How many generated articles to add.
        #[arg(long)]
        articles: Option<usize>,
        /// The generator's seed (the same seed gives the same corpus).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Write the corpus into this directory instead of loading it.
        #[arg(long, requires = "articles")]
        out: Option<std::path::PathBuf>,
    },
    /// Import a corpus directory (sections.jsonl, contributors.jsonl, tags.jsonl,
    /// articles.jsonl); idempotent by slug, bad lines reported with file and line.
    Import {
        /// The directory holding the .jsonl files.
        dir: std::path::PathBuf,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Write a consistent backup of the database (pg_dump custom format).
    Backup {
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Restore a backup into an empty database (for the embedded one: a new NEWSDESK_DATA_DIR).
    Restore {
        /// A file written by `newsdesk backup`.
        file: std::path::PathBuf,
    },
}

/// Runs the command; returns the process exit code.
pub async fn run(cli: Cli) -> i32 {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", crate::openapi::document_json());
        return 0;
    }
    if let Command::SeedDemo {
        articles: Some(n),
        seed,
        out: Some(dir),
    } = &command
    {
        return match crate::demo::corpus::write(dir, *n, *seed) {
            Ok(w) => {
                println!(
                    "corpus written to {}: {} articles ({} published)",
                    dir.display(),
                    w.articles,
                    w.published
                );
                0
            }
            Err(e) => {
                eprintln!("newsdesk: {}: {e}", dir.display());
                1
            }
        };
    }
    match run_with_database(command).await {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("newsdesk: {}", crate::error::chain(&e));
            1
        }
    }
}

async fn run_with_database(command: Command) -> Result<(), StartError> {
    let mut config = Config::from_env()?;
    // Validate the secret before starting anything.
    let needs_secret = matches!(command, Command::Serve);
    if needs_secret && config.database_url.is_some() {
        config.resolve_jwt_secret()?;
    }
    let db_config = config.clone();
    // A restore needs the database as it is: empty, not migrated.
    let restoring = matches!(command, Command::Restore { .. });
    let database = blocking::run(move || {
        if restoring {
            Database::connect(&db_config)
        } else {
            Database::open(&db_config)
        }
    })
    .await
    .map_err(StartError::app("opening the database"))??;
    let secret = config.resolve_jwt_secret();
    let result = match (command, secret) {
        (_, Err(e)) => Err(e.into()),
        (Command::Migrate, Ok(_)) => {
            println!("migrations applied");
            Ok(())
        }
        (Command::Serve, Ok(secret)) => {
            let jwt = JwtKeys::new(&secret);
            let state = AppState::new(database.pool.clone(), config.clone(), jwt.clone())?;
            if database.embedded.is_some() {
                crate::demo::seed_if_empty(&state)
                    .await
                    .map_err(StartError::app("loading the demo content"))?;
            }
            startup::serve(config, database.url.clone(), database.pool.clone(), jwt).await
        }
        (Command::SeedDemo { articles, seed, .. }, Ok(secret)) => {
            let state = AppState::new(database.pool.clone(), config, JwtKeys::new(&secret))?;
            let report = crate::demo::seed(&state)
                .await
                .map_err(StartError::app("loading the demo content"))?;
            println!("{report}");
            match articles {
                None => Ok(()),
                Some(n) => {
                    let dir = std::env::temp_dir()
                        .join(format!("newsdesk-corpus-{}", uuid::Uuid::new_v4().simple()));
                    let written = crate::demo::corpus::write(&dir, n, seed);
                    let result = match written {
                        Ok(_) => import(&database, dir.clone()).await,
                        Err(e) => Err(StartError::Io(e)),
                    };
                    let _ = std::fs::remove_dir_all(&dir);
                    result
                }
            }
        }
        (Command::CreateEditor { email, name, role }, Ok(secret)) => {
            let state = AppState::new(database.pool.clone(), config, JwtKeys::new(&secret))?;
            create_editor(&state, email, name, &role).await
        }
        (Command::Import { dir }, Ok(_)) => import(&database, dir).await,
        (Command::Backup { out }, Ok(_)) => {
            let url = database.url.clone();
            let shown = out.display().to_string();
            let file = out.clone();
            blocking::run(move || crate::backup::dump(&url, &file))
                .await
                .map_err(StartError::app("writing the backup"))??;
            println!("backup written to {shown}");
            match &config.media.store {
                MediaStoreSpec::File(dir) => {
                    let (from, to) = (dir.clone(), crate::backup::media_dir(&out));
                    let shown = to.display().to_string();
                    let copied = blocking::run(move || crate::backup::copy_media(&from, &to))
                        .await
                        .map_err(StartError::app("copying the photos"))??;
                    println!("photos copied to {shown} ({copied} new files)");
                }
                MediaStoreSpec::S3 { bucket, prefix } => println!(
                    "photos are not in this backup: they stay in s3://{bucket}/{prefix} (back it up with the store's versioning or replication)"
                ),
            }
            Ok(())
        }
        (Command::Restore { file }, Ok(_)) => {
            let url = database.url.clone();
            let dump = file.clone();
            blocking::run(move || crate::backup::restore(&url, &dump))
                .await
                .map_err(StartError::app("restoring the backup"))??;
            database.prepare()?;
            println!("restored");
            let photos = crate::backup::media_dir(&file);
            if let (true, MediaStoreSpec::File(dir)) = (photos.is_dir(), &config.media.store) {
                let (from, to) = (photos, dir.clone());
                let shown = to.display().to_string();
                let copied = blocking::run(move || crate::backup::copy_media(&from, &to))
                    .await
                    .map_err(StartError::app("restoring the photos"))??;
                println!("photos restored to {shown} ({copied} files)");
            }
            Ok(())
        }
        (Command::Openapi, Ok(_)) => Ok(()),
    };
    let closer = blocking::run(move || database.close()).await;
    if let Err(e) = closer {
        tracing::error!(error = %e, "shutdown");
    }
    result
}

async fn create_editor(
    state: &AppState,
    email: String,
    name: String,
    role: &str,
) -> Result<(), StartError> {
    let role = Role::parse(role)
        .ok_or_else(|| StartError::Usage("--role must be admin, editor or contributor".into()))?;
    let password = match std::env::var("NEWSDESK_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => {
            let mut buf = String::new();
            std::io::stdin().read_to_string(&mut buf)?;
            buf.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let account = NewAccount::parse(&email, &name, role.as_str(), password)
        .map_err(StartError::app("checking the account"))?;
    let editor = accounts::create(&state.pool, account, None)
        .await
        .map_err(StartError::app("creating the account"))?;
    println!("created {} {} ({})", editor.role, editor.email, editor.id);
    Ok(())
}

async fn import(database: &Database, dir: std::path::PathBuf) -> Result<(), StartError> {
    let url = database.url.clone();
    let started = std::time::Instant::now();
    let report = blocking::run(move || -> Result<_, StartError> {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} of articles.jsonl  {bytes_per_sec}  eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let report = crate::import::run(&url, &dir, |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        });
        bar.finish_and_clear();
        Ok(report?)
    })
    .await
    .map_err(StartError::app("importing"))??;
    println!("{report}");
    println!("done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
