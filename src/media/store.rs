//! Where the files of the media library live: behind `object_store`'s `ObjectStore`, the one
//! trait with the two implementations newsdesk uses — a local directory (`file:`, by default
//! `<data dir>/media`, written to a temporary file and renamed into place) and any
//! S3-compatible store (`s3://bucket/prefix`; `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` as the AWS tools read them).
//!
//! Keys are `<media id>/original.<ext>` and `<media id>/<width>.<ext>`: a media's files are its
//! own, so deleting one never touches another's.

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload};

use super::Mime;
use crate::config::MediaStoreSpec;
use crate::error::AppError;

/// The media store of this process.
#[derive(Debug, Clone)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
    /// Where it is, for logs and `newsdesk backup` (`file:/srv/data/media`, `s3://photos/x`).
    pub location: String,
    /// The directory of a `file:` store (what a backup copies).
    pub directory: Option<std::path::PathBuf>,
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("media store {location}: {source}")]
pub struct OpenError {
    location: String,
    #[source]
    source: object_store::Error,
}

impl MediaStore {
    /// Opens the configured store (creating a `file:` directory when it does not exist).
    pub fn open(spec: &MediaStoreSpec) -> Result<MediaStore, OpenError> {
        match spec {
            MediaStoreSpec::File(dir) => {
                let location = format!("file:{}", dir.display());
                let fail = |source| OpenError {
                    location: location.clone(),
                    source,
                };
                std::fs::create_dir_all(dir).map_err(|e| {
                    fail(object_store::Error::Generic {
                        store: "LocalFileSystem",
                        source: Box::new(e),
                    })
                })?;
                // An image's directory goes with its last file.
                let local = LocalFileSystem::new_with_prefix(dir)
                    .map_err(fail)?
                    .with_automatic_cleanup(true);
                Ok(MediaStore {
                    inner: Arc::new(local),
                    location,
                    directory: Some(dir.clone()),
                })
            }
            MediaStoreSpec::S3 { bucket, prefix } => {
                let location = format!("s3://{bucket}/{prefix}");
                let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
                // A store on loopback or an intranet (MinIO, moto, Ceph) is often plain http.
                if std::env::var("AWS_ENDPOINT_URL")
                    .or_else(|_| std::env::var("AWS_ENDPOINT"))
                    .is_ok_and(|e| e.starts_with("http://"))
                {
                    builder = builder.with_allow_http(true);
                }
                let s3 = builder.build().map_err(|source| OpenError {
                    location: location.clone(),
                    source,
                })?;
                let inner: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(MediaStore {
                    inner,
                    location,
                    directory: None,
                })
            }
        }
    }

    /// Stores `bytes` under `key`.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), AppError> {
        self.inner
            .put(&Path::from(key), PutPayload::from(bytes))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// The bytes under `key`; `None` when there are none.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, AppError> {
        match self.inner.get(&Path::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(unavailable)?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Removes `keys`; those already gone are no error.
    pub async fn delete(&self, keys: &[String]) -> Result<(), AppError> {
        for key in keys {
            match self.inner.delete(&Path::from(key.as_str())).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(unavailable(e)),
            }
        }
        Ok(())
    }
}

/// The store failed: the client is not to blame (503, the cause logged).
fn unavailable(e: object_store::Error) -> AppError {
    AppError::Unavailable(format!("media store: {e}"))
}

/// The key of a media's original.
pub fn original_key(id: uuid::Uuid, mime: Mime) -> String {
    format!("{id}/original.{}", mime.extension())
}

/// The key of one of its variants.
pub fn variant_key(id: uuid::Uuid, width: u32, mime: Mime) -> String {
    format!("{id}/{width}.{}", mime.extension())
}
