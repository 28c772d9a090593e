//! Configuration read once from the environment, validated at boot.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rand::RngCore;

use crate::site::{ArticleUrl, Site};

/// Minimum length of the JWT signing secret, in bytes.
pub const MIN_JWT_SECRET_LEN: usize = 32;

/// A secret that never prints itself.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(bytes)
    }
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How a CDN is told to drop pages (`NEWSDESK_PURGE_STYLE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeStyle {
    /// Varnish with the xkey module: `PURGE` with `xkey-purge: <keys>`.
    Xkey,
    /// `POST` with `Surrogate-Key: <keys>` and `Fastly-Key: <token>`.
    Fastly,
    /// `POST {"tags": [...]}` with `Authorization: Bearer <token>`.
    Cloudflare,
}

/// Where purges go: `NEWSDESK_PURGE_URL`, `NEWSDESK_PURGE_STYLE`, `NEWSDESK_PURGE_TOKEN`.
#[derive(Clone, Debug)]
pub struct PurgeTarget {
    pub url: String,
    pub style: PurgeStyle,
    pub token: Option<String>,
}

/// IndexNow (<https://www.indexnow.org>): the site's key and the endpoint pushed to.
#[derive(Clone, Debug)]
pub struct IndexNow {
    pub key: String,
    pub url: String,
}

/// Where uploaded images are kept (`NEWSDESK_MEDIA_STORE`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MediaStoreSpec {
    /// `file:` (the default: `<data dir>/media`) or `file:/some/dir`.
    File(PathBuf),
    /// `s3://bucket/prefix`: any S3-compatible store, credentials and endpoint from the usual
    /// `AWS_*` variables (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`).
    S3 { bucket: String, prefix: String },
}

impl MediaStoreSpec {
    /// Parses `NEWSDESK_MEDIA_STORE` (`None`: the data dir's `media/`).
    pub fn parse(raw: Option<&str>, data_dir: &Path) -> Result<MediaStoreSpec, ConfigError> {
        let raw = raw.map(str::trim).unwrap_or("file:");
        if let Some(path) = raw.strip_prefix("file:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            return Ok(MediaStoreSpec::File(if path.is_empty() {
                data_dir.join("media")
            } else {
                PathBuf::from(path)
            }));
        }
        if let Some(rest) = raw.strip_prefix("s3://") {
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let valid = !bucket.is_empty()
                && bucket
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
            if valid && !prefix.contains(char::is_whitespace) {
                return Ok(MediaStoreSpec::S3 {
                    bucket: bucket.to_owned(),
                    prefix: prefix.trim_matches('/').to_owned(),
                });
            }
        }
        Err(ConfigError(format!(
            "NEWSDESK_MEDIA_STORE must be file:, file:/a/dir or s3://bucket/prefix (got {raw:?})"
        )))
    }
}

/// Photos (API.md §11): `NEWSDESK_MEDIA_STORE`, `NEWSDESK_MEDIA_MAX_BYTES`,
/// `NEWSDESK_MEDIA_UPLOADS`.
#[derive(Clone, Debug)]
pub struct MediaConfig {
    pub store: MediaStoreSpec,
    /// The largest upload accepted (default 20 MiB); larger → 413.
    pub max_bytes: usize,
    /// Uploads read, decoded and resized at once (default 2); the others wait their turn
    /// before their bodies are read.
    pub uploads: usize,
}

/// A streaming replica for anonymous reads (API.md §12): `NEWSDESK_REPLICA_URL`,
/// `NEWSDESK_REPLICA_MAX_LAG`.
#[derive(Clone)]
pub struct ReplicaConfig {
    pub url: String,
    /// The most replay lag at which it still answers (default 5 s).
    pub max_lag: std::time::Duration,
}

impl fmt::Debug for ReplicaConfig {
    // Not the URL: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplicaConfig")
            .field("max_lag", &self.max_lag)
            .finish()
    }
}

/// Everything the server needs to know, from `DATABASE_URL` and the `NEWSDESK_*` variables.
#[derive(Clone, Debug)]
pub struct Config {
    /// An external PostgreSQL; `None` runs the embedded cluster in `data_dir`.
    pub database_url: Option<String>,
    /// Address to listen on (`NEWSDESK_BIND`, default `127.0.0.1:8080`).
    pub bind: String,
    /// `NEWSDESK_JWT_SECRET`; generated and kept in the data dir for the embedded database.
    pub jwt_secret: Option<Secret>,
    /// Base URL for permalinks and `Location` headers (`NEWSDESK_PUBLIC_URL`).
    pub public_url: String,
    /// `NEWSDESK_DATA_DIR`, default `./data`.
    pub data_dir: PathBuf,
    /// `NEWSDESK_DB_POOL_SIZE`, default 16.
    pub pool_size: u32,
    /// `NEWSDESK_SHUTDOWN_GRACE`: seconds in-flight requests get to finish on SIGTERM (default 30).
    pub shutdown_grace_secs: u64,
    /// `NEWSDESK_CORS_ORIGINS`: comma-separated origins allowed to call the API from a browser
    /// (`https://www.example.cn`); none by default.
    pub cors_origins: Vec<String>,
    /// `NEWSDESK_WRITE_LIMIT`: writes per client per minute (default 600; 0 = off).
    pub write_limit: u32,
    /// `NEWSDESK_SEARCH_LIMIT`: searches per client per minute (default 600; 0 = off).
    pub search_limit: u32,
    /// `NEWSDESK_CACHE`: `on` (default) keeps rendered public responses in memory; `off` renders
    /// every request.
    pub cache: bool,
    /// `NEWSDESK_SEARCH_TIMEOUT`: milliseconds an anonymous search or count may run (default
    /// 3000); at most a quarter of the pool runs them at once.
    pub search_timeout_ms: u64,
    /// `NEWSDESK_BODY_TIMEOUT`: seconds a request body may take to arrive (default 30).
    pub body_timeout_secs: u64,
    /// `NEWSDESK_WEBHOOK_ALLOW_PRIVATE=1`: webhooks may use `http` and private or loopback
    /// addresses (tests, an intranet front-end); off by default (SSRF).
    pub webhook_allow_private: bool,
    /// `NEWSDESK_PURGE_URL` (and its style and token): where committed changes purge the CDN.
    pub purge: Option<PurgeTarget>,
    /// `NEWSDESK_INDEXNOW_KEY` and `NEWSDESK_INDEXNOW_URL`: IndexNow pushes of article pages.
    pub indexnow: Option<IndexNow>,
    /// `NEWSDESK_BAIDU_PUSH_URL`: Baidu's link submission (its URL carries the site and token).
    pub baidu_push_url: Option<String>,
    /// The publication: `NEWSDESK_SITE_NAME`, `NEWSDESK_SITE_URL`, `NEWSDESK_ARTICLE_URL`,
    /// `NEWSDESK_TIMEZONE` (API.md §4).
    pub site: Arc<Site>,
    /// Photos: where they are stored and how much an upload may take.
    pub media: MediaConfig,
    /// A streaming replica that may serve anonymous reads.
    pub replica: Option<ReplicaConfig>,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(pub String);

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Reads the environment. The JWT secret is resolved later by [`Config::resolve_jwt_secret`]
    /// because the embedded mode keeps it in the data dir.
    pub fn from_env() -> Result<Config, ConfigError> {
        let bind = var("NEWSDESK_BIND").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let public_url = var("NEWSDESK_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{bind}"))
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError(format!(
                "NEWSDESK_PUBLIC_URL must start with http:// or https:// (got {public_url:?})"
            )));
        }
        let pool_size = match var("NEWSDESK_DB_POOL_SIZE") {
            None => 16,
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=256).contains(n))
                .ok_or_else(|| ConfigError("NEWSDESK_DB_POOL_SIZE must be 1..=256".into()))?,
        };
        let shutdown_grace_secs = match var("NEWSDESK_SHUTDOWN_GRACE") {
            None => 30,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n <= 3600)
                .ok_or_else(|| {
                    ConfigError("NEWSDESK_SHUTDOWN_GRACE must be 0..=3600 seconds".into())
                })?,
        };
        let body_timeout_secs = match var("NEWSDESK_BODY_TIMEOUT") {
            None => 30,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=3600).contains(n))
                .ok_or_else(|| {
                    ConfigError("NEWSDESK_BODY_TIMEOUT must be 1..=3600 seconds".into())
                })?,
        };
        let search_timeout_ms = match var("NEWSDESK_SEARCH_TIMEOUT") {
            None => 3000,
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (10..=600_000).contains(n))
                .ok_or_else(|| {
                    ConfigError("NEWSDESK_SEARCH_TIMEOUT must be 10..=600000 milliseconds".into())
                })?,
        };
        let cors_origins = cors_origins(var("NEWSDESK_CORS_ORIGINS").as_deref())?;
        let per_minute = |name: &str| -> Result<u32, ConfigError> {
            match var(name) {
                None => Ok(600),
                Some(v) => v.parse::<u32>().map_err(|_| {
                    ConfigError(format!(
                        "{name} must be a number of requests per minute (0 = off)"
                    ))
                }),
            }
        };
        let write_limit = per_minute("NEWSDESK_WRITE_LIMIT")?;
        let search_limit = per_minute("NEWSDESK_SEARCH_LIMIT")?;
        let cache = match var("NEWSDESK_CACHE").as_deref() {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError(format!(
                    "NEWSDESK_CACHE must be on or off (got {other:?})"
                )))
            }
        };
        let jwt_secret = match var("NEWSDESK_JWT_SECRET") {
            None => None,
            Some(s) => Some(validate_secret(s.into_bytes())?),
        };
        let site = Arc::new(site(&public_url)?);
        let data_dir = PathBuf::from(var("NEWSDESK_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let media = media(&data_dir)?;
        Ok(Config {
            database_url: var("DATABASE_URL"),
            bind,
            jwt_secret,
            public_url,
            data_dir,
            pool_size,
            shutdown_grace_secs,
            cors_origins,
            write_limit,
            search_limit,
            cache,
            body_timeout_secs,
            search_timeout_ms,
            purge: purge_target()?,
            indexnow: var("NEWSDESK_INDEXNOW_KEY").map(|key| IndexNow {
                key,
                url: var("NEWSDESK_INDEXNOW_URL")
                    .unwrap_or_else(|| "https://api.indexnow.org/indexnow".into()),
            }),
            baidu_push_url: var("NEWSDESK_BAIDU_PUSH_URL"),
            webhook_allow_private: matches!(
                var("NEWSDESK_WEBHOOK_ALLOW_PRIVATE").as_deref(),
                Some("1" | "true" | "on")
            ),
            site,
            media,
            replica: replica()?,
        })
    }

    /// The configured secret, or (embedded mode only) the one kept in `data_dir/jwt_secret`,
    /// generated on first use.
    pub fn resolve_jwt_secret(&mut self) -> Result<Secret, ConfigError> {
        if let Some(s) = &self.jwt_secret {
            return Ok(s.clone());
        }
        if self.database_url.is_some() {
            return Err(ConfigError(
                "NEWSDESK_JWT_SECRET is required with an external DATABASE_URL (at least 32 bytes)"
                    .into(),
            ));
        }
        let secret = load_or_create_secret(&self.data_dir.join("jwt_secret"))?;
        self.jwt_secret = Some(secret.clone());
        Ok(secret)
    }
}

/// `NEWSDESK_PURGE_URL`, `NEWSDESK_PURGE_STYLE` (`xkey`, the default, `fastly`, `cloudflare`)
/// and `NEWSDESK_PURGE_TOKEN` (required by fastly and cloudflare).
fn purge_target() -> Result<Option<PurgeTarget>, ConfigError> {
    let Some(url) = var("NEWSDESK_PURGE_URL") else {
        return Ok(None);
    };
    if !(url.starts_with("http://") || url.starts_with("https://")) {
        return Err(ConfigError(format!(
            "NEWSDESK_PURGE_URL must be an http(s) URL (got {url:?})"
        )));
    }
    let style = match var("NEWSDESK_PURGE_STYLE").as_deref() {
        None | Some("xkey") => PurgeStyle::Xkey,
        Some("fastly") => PurgeStyle::Fastly,
        Some("cloudflare") => PurgeStyle::Cloudflare,
        Some(other) => {
            return Err(ConfigError(format!(
                "NEWSDESK_PURGE_STYLE must be xkey, fastly or cloudflare (got {other:?})"
            )))
        }
    };
    let token = var("NEWSDESK_PURGE_TOKEN");
    if style != PurgeStyle::Xkey && token.is_none() {
        return Err(ConfigError(
            "NEWSDESK_PURGE_TOKEN is required with NEWSDESK_PURGE_STYLE=fastly or cloudflare"
                .into(),
        ));
    }
    Ok(Some(PurgeTarget { url, style, token }))
}

/// `NEWSDESK_REPLICA_URL` and `NEWSDESK_REPLICA_MAX_LAG` (seconds, decimals allowed, more than
/// 0 and at most 3600; default 5).
fn replica() -> Result<Option<ReplicaConfig>, ConfigError> {
    let max_lag = max_lag(var("NEWSDESK_REPLICA_MAX_LAG").as_deref())?;
    Ok(var("NEWSDESK_REPLICA_URL").map(|url| ReplicaConfig {
        url: url.trim().to_owned(),
        max_lag,
    }))
}

fn max_lag(raw: Option<&str>) -> Result<std::time::Duration, ConfigError> {
    let Some(raw) = raw else {
        return Ok(std::time::Duration::from_secs(5));
    };
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0 && *s <= 3600.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| {
            ConfigError(format!(
                "NEWSDESK_REPLICA_MAX_LAG must be seconds, more than 0 and at most 3600 (got {raw:?})"
            ))
        })
}

/// `NEWSDESK_MEDIA_STORE`, `NEWSDESK_MEDIA_MAX_BYTES` (1 KiB – 200 MiB, default 20 MiB) and
/// `NEWSDESK_MEDIA_UPLOADS` (1–64, default 2).
fn media(data_dir: &Path) -> Result<MediaConfig, ConfigError> {
    let store = MediaStoreSpec::parse(var("NEWSDESK_MEDIA_STORE").as_deref(), data_dir)?;
    let max_bytes = match var("NEWSDESK_MEDIA_MAX_BYTES") {
        None => 20 * 1024 * 1024,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1024..=200 * 1024 * 1024).contains(n))
            .ok_or_else(|| {
                ConfigError("NEWSDESK_MEDIA_MAX_BYTES must be 1024..=209715200 bytes".into())
            })?,
    };
    let uploads = match var("NEWSDESK_MEDIA_UPLOADS") {
        None => 2,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=64).contains(n))
            .ok_or_else(|| ConfigError("NEWSDESK_MEDIA_UPLOADS must be 1..=64".into()))?,
    };
    Ok(MediaConfig {
        store,
        max_bytes,
        uploads,
    })
}

/// The publication around `public_url`, from `NEWSDESK_SITE_NAME`, `NEWSDESK_SITE_URL`,
/// `NEWSDESK_ARTICLE_URL` and `NEWSDESK_TIMEZONE`.
fn site(public_url: &str) -> Result<Site, ConfigError> {
    let mut site = Site::new(public_url);
    if let Some(name) = var("NEWSDESK_SITE_NAME") {
        if name.chars().count() > 128 || name.chars().any(char::is_control) {
            return Err(ConfigError(
                "NEWSDESK_SITE_NAME must be at most 128 characters, without control characters"
                    .into(),
            ));
        }
        site.name = name.trim().to_owned();
    }
    if let Some(home) = var("NEWSDESK_SITE_URL") {
        if !(home.starts_with("http://") || home.starts_with("https://"))
            || home.contains(char::is_whitespace)
        {
            return Err(ConfigError(format!(
                "NEWSDESK_SITE_URL must be an http:// or https:// URL (got {home:?})"
            )));
        }
        site.home = home;
    }
    if let Some(template) = var("NEWSDESK_ARTICLE_URL") {
        site.article_url = ArticleUrl::parse(&template)
            .map_err(|e| ConfigError(format!("NEWSDESK_ARTICLE_URL: {e}")))?;
    }
    if let Some(zone) = var("NEWSDESK_TIMEZONE") {
        site.timezone = zone.parse().map_err(|_| {
            ConfigError(format!(
                "NEWSDESK_TIMEZONE must be an IANA time zone such as Asia/Shanghai (got {zone:?})"
            ))
        })?;
    }
    Ok(site)
}

/// Parses `NEWSDESK_CORS_ORIGINS`: each entry `http(s)://host[:port]`, no path.
pub fn cors_origins(raw: Option<&str>) -> Result<Vec<String>, ConfigError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let rest = o
                .strip_prefix("https://")
                .or_else(|| o.strip_prefix("http://"));
            match rest {
                Some(host)
                    if !host.is_empty()
                        && !host.contains('/')
                        && !host.contains(char::is_whitespace) =>
                {
                    Ok(o.to_owned())
                }
                _ => Err(ConfigError(format!(
                    "NEWSDESK_CORS_ORIGINS: {o:?} is not an origin like https://www.example.cn"
                ))),
            }
        })
        .collect()
}

fn validate_secret(bytes: Vec<u8>) -> Result<Secret, ConfigError> {
    if bytes.len() < MIN_JWT_SECRET_LEN {
        return Err(ConfigError(format!(
            "NEWSDESK_JWT_SECRET must be at least {MIN_JWT_SECRET_LEN} bytes"
        )));
    }
    Ok(Secret(bytes))
}

fn load_or_create_secret(path: &Path) -> Result<Secret, ConfigError> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Ok(s) = std::fs::read_to_string(path) {
        return validate_secret(s.trim().as_bytes().to_vec());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| ConfigError(format!("cannot create {}: {e}", dir.display())))?;
    }
    let mut raw = [0u8; 48];
    rand::thread_rng().fill_bytes(&mut raw);
    let encoded = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, raw);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
    std::io::Write::write_all(&mut f, encoded.as_bytes())
        .map_err(|e| ConfigError(format!("cannot write {}: {e}", path.display())))?;
    Ok(Secret(encoded.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_stores_are_parsed() {
        let data = Path::new("/srv/data");
        let parse = |raw| MediaStoreSpec::parse(raw, data);
        assert_eq!(
            parse(None).unwrap(),
            MediaStoreSpec::File(data.join("media"))
        );
        assert_eq!(
            parse(Some("file:")).unwrap(),
            MediaStoreSpec::File(data.join("media"))
        );
        assert_eq!(
            parse(Some("file:/var/media")).unwrap(),
            MediaStoreSpec::File("/var/media".into())
        );
        assert_eq!(
            parse(Some("s3://photos/xianning/")).unwrap(),
            MediaStoreSpec::S3 {
                bucket: "photos".into(),
                prefix: "xianning".into()
            }
        );
        for bad in ["s3://", "s3://Bad_Bucket/x", "gs://b/p", "/var/media"] {
            assert!(parse(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn replica_lag_is_seconds() {
        use std::time::Duration;
        assert_eq!(max_lag(None).unwrap(), Duration::from_secs(5));
        assert_eq!(max_lag(Some("0.5")).unwrap(), Duration::from_millis(500));
        assert_eq!(max_lag(Some(" 30 ")).unwrap(), Duration::from_secs(30));
        for bad in ["0", "-1", "5s", "3601", "NaN"] {
            assert!(max_lag(Some(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn cors_origins_are_validated() {
        assert_eq!(cors_origins(None).unwrap(), Vec::<String>::new());
        assert_eq!(
            cors_origins(Some(" https://www.example.cn, http://localhost:3000 ,")).unwrap(),
            ["https://www.example.cn", "http://localhost:3000"]
        );
        for bad in [
            "www.example.cn",
            "https://",
            "https://x.cn/path",
            "ftp://x.cn",
        ] {
            assert!(cors_origins(Some(bad)).is_err(), "{bad}");
        }
    }
}
