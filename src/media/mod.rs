//! Photos (API.md §11): the media library. An upload's type is decided by decoding it, its size
//! checked from its header before it is decoded, its metadata (EXIF with GPS, XMP, IPTC)
//! removed and its orientation applied, its variants 320, 640 and 1280 px wide made once, on
//! upload; the files go to the media store (the data dir or S3), a row describes them.
//!
//! - [`process`] (decode, orient, variants) and [`strip`] (lossless metadata removal): bytes in,
//!   bytes out, no I/O;
//! - [`store`]: the files, behind `object_store`'s one trait (local directory or S3);
//! - [`gate`]: how many uploads are read, decoded and resized at once (memory's bound);
//! - [`write`]: one action a file — upload, update, delete;
//! - [`model`], [`queries`], [`views`], [`policy`], [`handlers`]: the resource, shaped like the
//!   others.

pub mod gate;
pub mod handlers;
pub mod model;
pub mod policy;
pub mod process;
pub mod queries;
pub mod store;
pub mod strip;
pub mod views;
pub mod write;

/// Widths of the variants, never upscaled.
pub const VARIANT_WIDTHS: [u32; 3] = [320, 640, 1280];

/// More pixels than this is a decompression bomb (422), read from the header.
pub const MAX_PIXELS: u64 = 50_000_000;

/// The most an image may take decoded (50 megapixels of 8-bit RGBA); a 16-bit image that
/// would take more is refused like a bomb.
pub const MAX_DECODED_BYTES: u64 = 4 * MAX_PIXELS;

/// The image types accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mime {
    Jpeg,
    Png,
    WebP,
    Gif,
}

impl Mime {
    pub fn as_str(self) -> &'static str {
        match self {
            Mime::Jpeg => "image/jpeg",
            Mime::Png => "image/png",
            Mime::WebP => "image/webp",
            Mime::Gif => "image/gif",
        }
    }

    /// The file name extension of stored files.
    pub fn extension(self) -> &'static str {
        match self {
            Mime::Jpeg => "jpg",
            Mime::Png => "png",
            Mime::WebP => "webp",
            Mime::Gif => "gif",
        }
    }

    pub fn parse(raw: &str) -> Option<Mime> {
        [Mime::Jpeg, Mime::Png, Mime::WebP, Mime::Gif]
            .into_iter()
            .find(|m| m.as_str() == raw)
    }
}

/// The images of the media library an article body shows: every `/api/v1/media/<id>` it
/// names (the image or a variant, absolute or not), each once, in order.
pub fn references(html: &str) -> Vec<uuid::Uuid> {
    const PATH: &str = "/api/v1/media/";
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find(PATH) {
        rest = &rest[at + PATH.len()..];
        if let Some(id) = rest.get(..36).and_then(|s| uuid::Uuid::parse_str(s).ok()) {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_body_names_its_images() {
        let a = uuid::Uuid::now_v7();
        let b = uuid::Uuid::now_v7();
        let html = format!(
            r#"<p>x</p><figure><img src="https://news.example.cn/api/v1/media/{a}/variants/640" alt=""></figure><img src="/api/v1/media/{b}"><img src="/api/v1/media/{a}"><img src="/api/v1/media/not-an-id">"#
        );
        assert_eq!(super::references(&html), vec![a, b]);
        assert!(super::references("<p>没有图片</p>").is_empty());
    }
}
