//! What an upload becomes, with no I/O: its type decided by decoding (never by a header or a
//! name), its size checked from its header before a pixel is decoded, its metadata removed —
//! losslessly ([`super::strip`]) unless its EXIF orientation asks for a rotation, in which case
//! the rotated pixels are encoded again — and its variants resized (`fast_image_resize`,
//! Lanczos 3, each from the next wider one) and encoded: JPEG (`jpeg-encoder`: quality 82,
//! progressive, optimised Huffman tables, 4:2:0) for opaque images, lossless WebP where
//! transparency is used. Never upscaled: an image 900 px wide has the variants 320 and 640.

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::metadata::Orientation;
use image::{
    DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, RgbImage, RgbaImage,
};

use bytes::Bytes;

use super::{strip, Mime, MAX_DECODED_BYTES, MAX_PIXELS, VARIANT_WIDTHS};

/// Quality of the variants.
const VARIANT_QUALITY: u8 = 82;
/// Quality of an original encoded again after its rotation.
const ROTATED_QUALITY: u8 = 92;

/// Why an upload is refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Not a JPEG, PNG, WebP or GIF that decodes (415).
    #[error("{0}")]
    Unsupported(String),
    /// More pixels than [`MAX_PIXELS`], or more decoded bytes than [`MAX_DECODED_BYTES`] (422).
    #[error("{0}")]
    TooLarge(String),
}

/// The header of an upload, read without decoding its pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub mime: Mime,
    pub width: u32,
    pub height: u32,
    /// What its decoded pixels take in memory.
    pub decoded_bytes: u64,
}

/// One variant, encoded.
#[derive(Debug, Clone)]
pub struct Encoded {
    pub width: u32,
    pub height: u32,
    pub mime: Mime,
    pub bytes: Vec<u8>,
}

/// An upload made ready to store.
#[derive(Debug)]
pub struct Processed {
    pub mime: Mime,
    /// After the orientation was applied.
    pub width: u32,
    pub height: u32,
    /// The original without its metadata.
    pub original: Vec<u8>,
    /// Whether the original had to be encoded again (a rotation), else its image data is the
    /// upload's, byte for byte.
    pub reencoded: bool,
    /// Narrowest first.
    pub variants: Vec<Encoded>,
}

fn unsupported(e: impl std::fmt::Display) -> Refusal {
    Refusal::Unsupported(format!("the body is not an image newsdesk can decode: {e}"))
}

/// A reader of an upload's bytes.
type Reader<'a> = ImageReader<Cursor<&'a [u8]>>;

fn reader(bytes: &[u8]) -> Result<(Mime, Reader<'_>), Refusal> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(unsupported)?;
    let mime = match reader.format() {
        Some(ImageFormat::Jpeg) => Mime::Jpeg,
        Some(ImageFormat::Png) => Mime::Png,
        Some(ImageFormat::WebP) => Mime::WebP,
        Some(ImageFormat::Gif) => Mime::Gif,
        _ => {
            return Err(Refusal::Unsupported(
                "the body is not a JPEG, PNG, WebP or GIF image".into(),
            ))
        }
    };
    Ok((mime, reader))
}

fn check_size(mime: Mime, decoder: &impl ImageDecoder) -> Result<Header, Refusal> {
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > MAX_PIXELS {
        return Err(Refusal::TooLarge(format!(
            "{width} × {height} is {pixels} pixels; at most {MAX_PIXELS} are accepted"
        )));
    }
    let decoded_bytes = decoder.total_bytes();
    if decoded_bytes > MAX_DECODED_BYTES {
        return Err(Refusal::TooLarge(format!(
            "{width} × {height} decodes to {decoded_bytes} bytes; at most {MAX_DECODED_BYTES}"
        )));
    }
    Ok(Header {
        mime,
        width,
        height,
        decoded_bytes,
    })
}

/// The upload, stripped, oriented and with its variants. Memory at its peak: the upload, its
/// decoded pixels and the variants' buffers; the pixels are gone before a lossless strip writes
/// its copy of the upload.
pub fn process(bytes: &Bytes) -> Result<Processed, Refusal> {
    let (mime, reader) = reader(bytes)?;
    let mut decoder = reader.into_decoder().map_err(unsupported)?;
    check_size(mime, &decoder)?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(unsupported)?;
    let rotate = orientation != Orientation::NoTransforms;
    if rotate {
        image.apply_orientation(orientation);
    }
    let pixels = Pixels::of(image);
    let (width, height) = pixels.dimensions();
    let variants = variants(&pixels, icc.as_deref())?;
    let original = if rotate {
        encode_original(mime, &pixels, icc.as_deref())?
    } else {
        drop(pixels);
        strip::strip(mime, bytes).map_err(unsupported)?
    };
    Ok(Processed {
        mime,
        width,
        height,
        original,
        reencoded: rotate,
        variants,
    })
}

/// Decoded pixels: 8-bit RGB, or RGBA where some pixel is not opaque.
enum Pixels {
    Rgb(RgbImage),
    Rgba(RgbaImage),
}

impl Pixels {
    fn of(image: DynamicImage) -> Pixels {
        if !image.color().has_alpha() {
            return Pixels::Rgb(image.into_rgb8());
        }
        let rgba = image.into_rgba8();
        if rgba.pixels().all(|p| p.0[3] == u8::MAX) {
            Pixels::Rgb(DynamicImage::ImageRgba8(rgba).into_rgb8())
        } else {
            Pixels::Rgba(rgba)
        }
    }

    fn dimensions(&self) -> (u32, u32) {
        match self {
            Pixels::Rgb(i) => i.dimensions(),
            Pixels::Rgba(i) => i.dimensions(),
        }
    }

    fn raw(&self) -> (&[u8], PixelType) {
        match self {
            Pixels::Rgb(i) => (i.as_raw(), PixelType::U8x3),
            Pixels::Rgba(i) => (i.as_raw(), PixelType::U8x4),
        }
    }
}

fn encoding_failed(e: impl std::fmt::Display) -> Refusal {
    // Only an image the decoder accepted gets here; its size is what an encoder may refuse.
    Refusal::TooLarge(format!("the image cannot be encoded again: {e}"))
}

/// A rotated original in its own format (GIF carries no orientation, so never gets here).
fn encode_original(mime: Mime, pixels: &Pixels, icc: Option<&[u8]>) -> Result<Vec<u8>, Refusal> {
    let (raw, kind) = pixels.raw();
    let (w, h) = pixels.dimensions();
    match mime {
        // A decoded JPEG has no alpha channel.
        Mime::Jpeg if kind == PixelType::U8x3 => jpeg(raw, w, h, ROTATED_QUALITY, icc),
        Mime::Png => {
            let mut out = Vec::new();
            let mut enc = image::codecs::png::PngEncoder::new(&mut out);
            if let Some(icc) = icc {
                // An encoder that cannot embed it still encodes the pixels.
                let _ = enc.set_icc_profile(icc.to_vec());
            }
            enc.write_image(raw, w, h, color_of(kind))
                .map_err(encoding_failed)?;
            Ok(out)
        }
        _ => webp_lossless(pixels, icc),
    }
}

fn color_of(kind: PixelType) -> image::ExtendedColorType {
    if kind == PixelType::U8x3 {
        image::ExtendedColorType::Rgb8
    } else {
        image::ExtendedColorType::Rgba8
    }
}

fn jpeg(raw: &[u8], w: u32, h: u32, quality: u8, icc: Option<&[u8]>) -> Result<Vec<u8>, Refusal> {
    let (w16, h16) = (
        u16::try_from(w).map_err(encoding_failed)?,
        u16::try_from(h).map_err(encoding_failed)?,
    );
    let mut out = Vec::with_capacity(raw.len() / 10);
    let mut enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.set_progressive(true);
    enc.set_optimized_huffman_tables(true);
    if let Some(icc) = icc {
        enc.add_icc_profile(icc).map_err(encoding_failed)?;
    }
    enc.encode(raw, w16, h16, jpeg_encoder::ColorType::Rgb)
        .map_err(encoding_failed)?;
    Ok(out)
}

fn webp_lossless(pixels: &Pixels, icc: Option<&[u8]>) -> Result<Vec<u8>, Refusal> {
    let (raw, kind) = pixels.raw();
    let (w, h) = pixels.dimensions();
    let mut out = Vec::new();
    let mut enc = image::codecs::webp::WebPEncoder::new_lossless(&mut out);
    if let Some(icc) = icc {
        let _ = enc.set_icc_profile(icc.to_vec());
    }
    enc.write_image(raw, w, h, color_of(kind))
        .map_err(encoding_failed)?;
    Ok(out)
}

/// The variants narrower than the image, each resized from the next wider one.
fn variants(pixels: &Pixels, icc: Option<&[u8]>) -> Result<Vec<Encoded>, Refusal> {
    let (raw, kind) = pixels.raw();
    let (w, h) = pixels.dimensions();
    let source = ImageRef::new(w, h, raw, kind).map_err(encoding_failed)?;
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    let mut resizer = Resizer::new();
    let mut out = Vec::new();
    let mut wider: Option<Image<'static>> = None;
    for &target in VARIANT_WIDTHS.iter().rev().filter(|&&t| t < w) {
        let th =
            u32::try_from((u64::from(h) * u64::from(target) + u64::from(w) / 2) / u64::from(w))
                .unwrap_or(1)
                .max(1);
        let mut dst = Image::new(target, th, kind);
        match &wider {
            Some(src) => resizer.resize(src, &mut dst, &options),
            None => resizer.resize(&source, &mut dst, &options),
        }
        .map_err(encoding_failed)?;
        let (bytes, mime) = if kind == PixelType::U8x3 {
            (
                jpeg(dst.buffer(), target, th, VARIANT_QUALITY, icc)?,
                Mime::Jpeg,
            )
        } else {
            let rgba = RgbaImage::from_raw(target, th, dst.buffer().to_vec())
                .ok_or_else(|| encoding_failed("a resized buffer of the wrong size"))?;
            (webp_lossless(&Pixels::Rgba(rgba), icc)?, Mime::WebP)
        };
        out.push(Encoded {
            width: target,
            height: th,
            mime,
            bytes,
        });
        wider = Some(dst);
    }
    out.reverse();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32, alpha: bool) -> Vec<u8> {
        let img = RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([x as u8, y as u8, 128, if alpha && x < 5 { 0 } else { 255 }])
        });
        let mut out = Vec::new();
        DynamicImage::ImageRgba8(img)
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .unwrap();
        out
    }

    #[test]
    fn variants_are_never_upscaled() {
        let p = process(&Bytes::from(png(900, 600, false))).unwrap();
        assert_eq!((p.mime, p.width, p.height), (Mime::Png, 900, 600));
        let widths: Vec<(u32, u32, Mime)> = p
            .variants
            .iter()
            .map(|v| (v.width, v.height, v.mime))
            .collect();
        assert_eq!(widths, vec![(320, 213, Mime::Jpeg), (640, 427, Mime::Jpeg)]);
        for v in &p.variants {
            let d = image::load_from_memory(&v.bytes).unwrap();
            assert_eq!((d.width(), d.height()), (v.width, v.height));
        }
        assert!(!p.reencoded);
    }

    #[test]
    fn transparency_makes_webp_variants() {
        let p = process(&Bytes::from(png(400, 100, true))).unwrap();
        assert_eq!(p.variants.len(), 1);
        assert_eq!(p.variants[0].mime, Mime::WebP);
        let d = image::load_from_memory(&p.variants[0].bytes).unwrap();
        assert!(d.color().has_alpha());
    }

    #[test]
    fn anything_else_is_unsupported() {
        for body in [
            &b"GIF87"[..],
            b"%PDF-1.7 ...",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>",
            b"",
        ] {
            assert!(
                matches!(
                    process(&Bytes::from_static(body)),
                    Err(Refusal::Unsupported(_))
                ),
                "{body:?}"
            );
        }
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // A PNG header claiming 10 000 × 10 000 pixels, and no pixel data at all.
        let mut bomb = png(1, 1, false);
        bomb[16..20].copy_from_slice(&10_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&10_000u32.to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.sum().to_be_bytes());
        assert!(matches!(
            process(&Bytes::from(bomb)),
            Err(Refusal::TooLarge(_))
        ));
    }
}
