//! Metadata removed without touching the pixels: EXIF (GPS included), XMP, IPTC, comments and
//! thumbnails go, the ICC profile (and what decoding needs) stays. JPEG, PNG and WebP through
//! `img-parts`, which keeps the compressed image data byte for byte; GIF by copying its frames
//! (indices, palettes, timing) into a new file, which only re-runs LZW on the same indices.

use std::io::Cursor;

use img_parts::jpeg::{markers, Jpeg, JpegSegment};
use img_parts::png::Png;
use img_parts::riff::RiffContent;
use img_parts::webp::WebP;
use img_parts::Bytes;

use super::Mime;

/// Why a file could not be taken apart (it claims a type it does not hold).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Damaged(pub String);

/// `bytes` without their metadata. The parsers keep slices of `bytes` (no copy); the result is
/// written once.
pub fn strip(mime: Mime, bytes: &Bytes) -> Result<Vec<u8>, Damaged> {
    let damaged = |e: img_parts::Error| Damaged(e.to_string());
    Ok(match mime {
        Mime::Jpeg => {
            let mut jpeg = Jpeg::from_bytes(bytes.clone()).map_err(damaged)?;
            jpeg.segments_mut().retain(keep_jpeg_segment);
            let mut out = Vec::with_capacity(bytes.len());
            out.extend_from_slice(&[markers::P, markers::SOI]);
            for segment in jpeg.segments() {
                // The first scan's segment holds the rest of the file as its entropy data: its
                // header is written alone, then the scans, cleaned, from the upload itself.
                let entropy = segment.len_with_entropy() - segment.len();
                let header =
                    JpegSegment::new_with_contents(segment.marker(), segment.contents().clone());
                // Writing to a Vec cannot fail.
                let _ = header.encoder().write_to(&mut out);
                if entropy > 0 {
                    clean_scans_into(&bytes[bytes.len() - entropy..], &mut out);
                }
            }
            out
        }
        Mime::Png => {
            let mut png = Png::from_bytes(bytes.clone()).map_err(damaged)?;
            png.chunks_mut().retain(|c| PNG_KEPT.contains(&c.kind()));
            let mut out = Vec::with_capacity(bytes.len());
            let _ = png.encoder().write_to(&mut out);
            out
        }
        Mime::WebP => {
            let mut webp = WebP::from_bytes(bytes.clone()).map_err(damaged)?;
            webp.chunks_mut().retain(|c| WEBP_KEPT.contains(&c.id()));
            clear_webp_metadata_flags(&mut webp);
            let mut out = Vec::with_capacity(bytes.len());
            let _ = webp.encoder().write_to(&mut out);
            out
        }
        Mime::Gif => copy_gif(bytes)?,
    })
}

/// JPEG segments before the first scan worth keeping: everything that is not an application
/// segment or a comment, plus JFIF (density), the ICC profile and Adobe's colour transform
/// (without which CMYK and YCCK files decode wrongly). EXIF and XMP are APP1, IPTC APP13, the
/// multi-picture index (MPF) APP2.
fn keep_jpeg_segment(s: &JpegSegment) -> bool {
    let contents = s.contents();
    match s.marker() {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        m if (markers::APP0..=markers::APP15).contains(&m) => false,
        markers::COM => false,
        _ => true,
    }
}

/// The scans of a JPEG from the first one's data on, cut after the image's end (EOI) — what a
/// phone appends there (a second picture of the multi-picture format, with its own EXIF and GPS)
/// goes — and without the application segments or comments a progressive file may carry
/// between its scans. Entropy data never holds a marker: `FF` is followed by `00` (a stuffed
/// byte), `D0`–`D7` (a restart), more `FF` fill, or a real marker.
fn clean_scans_into(data: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    let mut start = 0;
    while let Some(pos) = data[i..].iter().position(|&b| b == 0xFF) {
        let at = i + pos;
        let Some(&marker) = data.get(at + 1) else {
            break;
        };
        match marker {
            0x00 | 0xFF | markers::RST0..=markers::RST7 => i = at + 1,
            markers::EOI => {
                out.extend_from_slice(&data[start..at + 2]);
                return;
            }
            _ => {
                let len = data
                    .get(at + 2..at + 4)
                    .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
                    .unwrap_or(0);
                let end = (at + 2 + len).min(data.len());
                if (markers::APP0..=markers::APP15).contains(&marker) || marker == markers::COM {
                    out.extend_from_slice(&data[start..at]);
                    start = end;
                }
                i = end.max(at + 1);
            }
        }
    }
    // No end marker (a truncated file): what there is, as it is.
    out.extend_from_slice(&data[start..]);
}

/// PNG chunks kept: the image, its transparency and colour (ICC, sRGB, gamma, chromaticities,
/// CICP, significant bits), its density and background, and APNG's animation. Text (where XMP
/// lives), `eXIf` and `tIME` go.
const PNG_KEPT: [[u8; 4]; 16] = [
    *b"IHDR", *b"PLTE", *b"IDAT", *b"IEND", *b"tRNS", *b"iCCP", *b"sRGB", *b"gAMA", *b"cHRM",
    *b"cICP", *b"sBIT", *b"pHYs", *b"bKGD", *b"acTL", *b"fcTL", *b"fdAT",
];

/// WebP chunks kept: the bitstreams, alpha, animation, the ICC profile (not `EXIF`, `XMP `).
const WEBP_KEPT: [[u8; 4]; 7] = [
    *b"VP8 ", *b"VP8L", *b"VP8X", *b"ALPH", *b"ANIM", *b"ANMF", *b"ICCP",
];

/// The extended header's EXIF and XMP bits, cleared now that their chunks are gone.
fn clear_webp_metadata_flags(webp: &mut WebP) {
    const EXIF: u8 = 0b0000_1000;
    const XMP: u8 = 0b0000_0100;
    for chunk in webp.chunks_mut() {
        if chunk.id() != *b"VP8X" {
            continue;
        }
        if let RiffContent::Data(data) = chunk.content_mut() {
            if let Some(&flags) = data.first() {
                let mut v = data.to_vec();
                v[0] = flags & !(EXIF | XMP);
                *data = Bytes::from(v);
            }
        }
    }
}

/// A GIF rebuilt from its frames and loop count: comments and application extensions (XMP
/// among them) are not carried over.
fn copy_gif(bytes: &[u8]) -> Result<Vec<u8>, Damaged> {
    let damaged = |e: &dyn std::fmt::Display| Damaged(e.to_string());
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::Indexed);
    options.set_memory_limit(gif::MemoryLimit::Bytes(
        super::MAX_DECODED_BYTES
            .try_into()
            .map_err(|e| damaged(&e))?,
    ));
    let mut decoder = options
        .read_info(Cursor::new(bytes))
        .map_err(|e| damaged(&e))?;
    let (width, height) = (decoder.width(), decoder.height());
    let palette = decoder.global_palette().map(<[u8]>::to_vec);
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().map_err(|e| damaged(&e))? {
        frames.push(frame.clone());
    }
    let repeat = decoder.repeat();
    let mut out = Vec::with_capacity(bytes.len());
    {
        let mut encoder =
            gif::Encoder::new(&mut out, width, height, palette.as_deref().unwrap_or(&[]))
                .map_err(|e| damaged(&e))?;
        if frames.len() > 1 {
            encoder.set_repeat(repeat).map_err(|e| damaged(&e))?;
        }
        for frame in &frames {
            encoder.write_frame(frame).map_err(|e| damaged(&e))?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG with an EXIF segment, a comment, a trailing picture and no ICC profile.
    fn jpeg_with_metadata() -> Vec<u8> {
        let img =
            image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
        let mut plain = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
            .encode_image(&img)
            .unwrap();
        let mut with = plain[..2].to_vec();
        let exif = b"Exif\0\0MM\0*GPS 30.5N 114.3E";
        with.extend_from_slice(&[0xFF, 0xE1]);
        with.extend_from_slice(&u16::try_from(exif.len() + 2).unwrap().to_be_bytes());
        with.extend_from_slice(exif);
        let com = b"shot by a phone";
        with.extend_from_slice(&[0xFF, 0xFE]);
        with.extend_from_slice(&u16::try_from(com.len() + 2).unwrap().to_be_bytes());
        with.extend_from_slice(com);
        with.extend_from_slice(&plain[2..]);
        with.extend_from_slice(b"\xFF\xD8trailing picture Exif GPS\xFF\xD9");
        with
    }

    #[test]
    fn a_jpeg_loses_its_metadata_and_keeps_its_pixels() {
        let with = jpeg_with_metadata();
        let stripped = strip(Mime::Jpeg, &Bytes::from(with.clone())).unwrap();
        assert!(stripped.len() < with.len());
        for needle in [&b"GPS"[..], b"Exif", b"shot by", b"trailing"] {
            assert!(
                !stripped.windows(needle.len()).any(|w| w == needle),
                "{needle:?} survived"
            );
        }
        let a = image::load_from_memory(&with).unwrap().into_rgb8();
        let b = image::load_from_memory(&stripped).unwrap().into_rgb8();
        assert_eq!(a.as_raw(), b.as_raw());
        assert!(stripped.ends_with(&[0xFF, 0xD9]));
    }

    #[test]
    fn scans_keep_stuffed_bytes_and_restarts() {
        let data = [
            1, 0xFF, 0x00, 2, 0xFF, 0xD3, 3, 0xFF, 0xFE, 0, 4, b'x', b'y', 5, 0xFF, 0xD9, 9,
        ];
        let mut out = Vec::new();
        clean_scans_into(&data, &mut out);
        assert_eq!(out, vec![1, 0xFF, 0x00, 2, 0xFF, 0xD3, 3, 5, 0xFF, 0xD9]);
    }
}
