//! One upload, from its body to its files and its row: the same bytes as an image already in the
//! library (as uploaded, or once stripped) are that image (`Existing`, 200); otherwise the body
//! is processed on the blocking pool ([`crate::media::process`]), its files stored, its row
//! inserted with its audit entry. Files stored for a row that is then not inserted are removed
//! again (a concurrent upload of the same bytes won the race: its row is the answer).

use actix_web::web::Bytes;
use uuid::Uuid;

use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::media::model::{Media, Variant};
use crate::media::process::{self, Refusal};
use crate::media::store::{self, MediaStore};
use crate::media::{queries, sha256_hex};
use crate::{audit, blocking};

/// What goes with an upload.
#[derive(Debug, Clone, Default)]
pub struct Texts {
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: Option<String>,
}

/// The outcome.
#[derive(Debug)]
pub enum Uploaded {
    Created(Media),
    /// The library already held these bytes.
    Existing(Media),
}

/// The problem a refused upload is: 415 for what is not an image we decode, 422 for a bomb.
pub fn refused(r: Refusal) -> AppError {
    match r {
        Refusal::Unsupported(detail) => AppError::UnsupportedMediaType(detail),
        Refusal::TooLarge(detail) => AppError::Invalid {
            code: "image_too_large",
            detail,
            errors: vec![],
        },
    }
}

async fn existing(pool: &DbPool, sha256: String) -> Result<Option<Media>, AppError> {
    db::run(pool, move |c| Ok(queries::by_hash(c, &sha256)?)).await
}

/// Uploads `body` for `by` (its texts already checked).
pub async fn upload(
    pool: &DbPool,
    store: &MediaStore,
    body: Bytes,
    texts: Texts,
    by: Uuid,
) -> Result<Uploaded, AppError> {
    let hashed = body.clone();
    let source = blocking::run(move || sha256_hex(&hashed)).await?;
    if let Some(m) = existing(pool, source.clone()).await? {
        return Ok(Uploaded::Existing(m));
    }
    let (processed, sha256) = blocking::run(move || {
        process::process(&body).map(|p| {
            let sha = sha256_hex(&p.original);
            (p, sha)
        })
    })
    .await?
    .map_err(refused)?;
    if sha256 != source {
        if let Some(m) = existing(pool, sha256.clone()).await? {
            return Ok(Uploaded::Existing(m));
        }
    }
    let id = Uuid::now_v7();
    let mut keys = Vec::with_capacity(1 + processed.variants.len());
    let mut variants = Vec::with_capacity(processed.variants.len());
    let bytes = processed.original.len();
    let mut files = vec![(store::original_key(id, processed.mime), processed.original)];
    for v in processed.variants {
        variants.push(Variant {
            width: v.width,
            height: v.height,
            mime: v.mime.as_str().to_owned(),
            bytes: v.bytes.len() as u64,
            sha256: sha256_hex(&v.bytes),
        });
        files.push((store::variant_key(id, v.width, v.mime), v.bytes));
    }
    for (key, file) in files {
        keys.push(key.clone());
        if let Err(e) = store.put(&key, file).await {
            forget(store, &keys).await;
            return Err(e);
        }
    }
    let now = chrono::Utc::now();
    let row = Media {
        id,
        sha256,
        source_sha256: source,
        mime: processed.mime.as_str().to_owned(),
        width: i32::try_from(processed.width).unwrap_or(i32::MAX),
        height: i32::try_from(processed.height).unwrap_or(i32::MAX),
        bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
        caption: texts.caption,
        credit: texts.credit,
        alt: texts.alt,
        variants: serde_json::to_value(&variants)?,
        uploaded_by: Some(by),
        created_at: now,
        updated_at: now,
    };
    let (sha, source) = (row.sha256.clone(), row.source_sha256.clone());
    let inserted = db::transaction(pool, move |c| {
        let m = queries::insert(c, &row)?;
        audit::entity(c, by, "create", "media", m.id)?;
        Ok(m)
    })
    .await;
    match inserted {
        Ok(m) => Ok(Uploaded::Created(m)),
        // It may be saved: its files stay.
        Err(e @ AppError::CommitUnknown(_)) => Err(e),
        Err(AppError::Conflict {
            code: "media_exists",
            ..
        }) => {
            forget(store, &keys).await;
            match existing(pool, sha).await? {
                Some(m) => Ok(Uploaded::Existing(m)),
                None => existing(pool, source)
                    .await?
                    .map(Uploaded::Existing)
                    .ok_or_else(|| AppError::bug("a media that clashed is gone")),
            }
        }
        Err(e) => {
            forget(store, &keys).await;
            Err(e)
        }
    }
}

/// Removes files no row describes (a failed upload's); a failure is logged, not answered.
async fn forget(store: &MediaStore, keys: &[String]) {
    if let Err(e) = store.delete(keys).await {
        tracing::warn!(error = %e, ?keys, "files of a failed upload are left in the media store");
    }
}
