//! Purge requests, in the style of the CDN (`NEWSDESK_PURGE_STYLE`): Varnish's xkey module
//! (`PURGE` with `xkey-purge: <keys>`), Fastly (`POST` with `Surrogate-Key` and `Fastly-Key`) or
//! Cloudflare (`POST {"tags": [...]}` with a bearer token).

use crate::config::{PurgeStyle, PurgeTarget};

/// The request that purges `keys` at `target`.
pub fn request(
    client: &reqwest::Client,
    target: &PurgeTarget,
    keys: &[String],
) -> Result<reqwest::RequestBuilder, String> {
    let url = reqwest::Url::parse(&target.url).map_err(|e| e.to_string())?;
    let token = target.token.as_deref().unwrap_or_default();
    Ok(match target.style {
        PurgeStyle::Xkey => {
            let purge = reqwest::Method::from_bytes(b"PURGE").map_err(|e| e.to_string())?;
            client
                .request(purge, url)
                .header("xkey-purge", keys.join(" "))
        }
        PurgeStyle::Fastly => client
            .post(url)
            .header("surrogate-key", keys.join(" "))
            .header("fastly-key", token),
        PurgeStyle::Cloudflare => client
            .post(url)
            .bearer_auth(token)
            .json(&serde_json::json!({ "tags": keys })),
    })
}
