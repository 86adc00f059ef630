//! Attachments: images only, metadata removed before anything is stored.
//!
//! Photos carry the phone's GPS position, the camera's serial number and the
//! time to the second in their EXIF and XMP blocks. A reporter who attaches a
//! photo of a flat must not hand over where they stood. We keep only formats
//! we can clean with confidence (JPEG, PNG, WebP), re-emit the image from its
//! parsed structure without the metadata blocks, and refuse everything else.

use bytes::Bytes;
use img_parts::ImageEXIF;
use img_parts::jpeg::{Jpeg, markers};
use img_parts::png::Png;
use img_parts::webp::WebP;

/// Largest accepted attachment, before cleaning.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AttachmentError {
    #[error("attachment is {0} bytes; the limit is {MAX_ATTACHMENT_BYTES}")]
    TooLarge(usize),
    #[error("only JPEG, PNG and WebP images are accepted")]
    UnsupportedType,
    #[error("the image is damaged and cannot be cleaned: {0}")]
    Damaged(String),
}

/// An image with its metadata removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanAttachment {
    pub media_type: &'static str,
    pub bytes: Vec<u8>,
}

/// Identifies the image by its magic bytes (never by the name or the type the
/// browser claimed) and strips its metadata.
pub fn clean_attachment(data: &[u8]) -> Result<CleanAttachment, AttachmentError> {
    if data.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge(data.len()));
    }
    let clean = clean_once(data)?;
    // What we store must read back as the same image: a file whose
    // structure does not survive a second pass unchanged is malformed in a
    // way we cannot vouch for (found by fuzzing), so it is refused.
    match clean_once(&clean.bytes) {
        Ok(again) if again == clean => Ok(clean),
        _ => Err(AttachmentError::Damaged(
            "the image does not survive cleaning intact".into(),
        )),
    }
}

fn clean_once(data: &[u8]) -> Result<CleanAttachment, AttachmentError> {
    let bytes = Bytes::copy_from_slice(data);
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let mut jpeg = Jpeg::from_bytes(bytes).map_err(damaged)?;
        // A JPEG without a frame header is no picture, and what img-parts
        // writes back from one does not even read as a JPEG again (found by
        // fuzzing).
        if !jpeg.segments().iter().any(|s| is_frame_header(s.marker())) {
            return Err(AttachmentError::Damaged("no frame header".into()));
        }
        jpeg.segments_mut()
            .retain(|segment| keep_jpeg_segment(segment.marker(), segment.contents()));
        return Ok(CleanAttachment {
            media_type: "image/jpeg",
            bytes: jpeg.encoder().bytes().to_vec(),
        });
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let mut png = Png::from_bytes(bytes).map_err(damaged)?;
        if png.chunk_by_type(*b"IHDR").is_none() || png.chunk_by_type(*b"IDAT").is_none() {
            return Err(AttachmentError::Damaged("no image header or data".into()));
        }
        png.chunks_mut()
            .retain(|chunk| !PNG_METADATA.contains(&chunk.kind()));
        return Ok(CleanAttachment {
            media_type: "image/png",
            bytes: png.encoder().bytes().to_vec(),
        });
    }
    if data.len() >= 12 && &data[..4] == b"RIFF" && &data[8..12] == b"WEBP" {
        let mut webp = WebP::from_bytes(bytes).map_err(damaged)?;
        if [*b"VP8 ", *b"VP8L", *b"VP8X"]
            .iter()
            .all(|id| webp.chunk_by_id(*id).is_none())
        {
            return Err(AttachmentError::Damaged("no image data".into()));
        }
        webp.set_exif(None);
        webp.remove_chunks_by_id(*b"XMP ");
        return Ok(CleanAttachment {
            media_type: "image/webp",
            bytes: webp.encoder().bytes().to_vec(),
        });
    }
    Err(AttachmentError::UnsupportedType)
}

fn damaged(e: img_parts::Error) -> AttachmentError {
    AttachmentError::Damaged(e.to_string())
}

/// Start-of-frame markers (SOF0–SOF15 without DHT, JPG and DAC, which share
/// the range).
fn is_frame_header(marker: u8) -> bool {
    (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker)
}

/// PNG chunks that carry text, time or EXIF.
const PNG_METADATA: [[u8; 4]; 5] = [*b"eXIf", *b"tEXt", *b"zTXt", *b"iTXt", *b"tIME"];

/// Keeps what decoding needs (JFIF header, ICC colour profile, Adobe colour
/// transform, and every non-application segment) and drops the rest: EXIF
/// and XMP (APP1), IPTC (APP13), maker notes and comments.
fn keep_jpeg_segment(marker: u8, contents: &[u8]) -> bool {
    match marker {
        markers::APP0 => contents.starts_with(b"JFIF\0"),
        markers::APP2 => contents.starts_with(b"ICC_PROFILE\0"),
        markers::APP14 => contents.starts_with(b"Adobe"),
        markers::COM => false,
        m if (markers::APP0..=markers::APP15).contains(&m) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 JPEG with an EXIF block that contains GPS-looking text.
    fn jpeg_with_exif() -> Vec<u8> {
        let mut out = vec![0xFF, 0xD8];
        let exif = b"Exif\0\0GPSLatitude 40.4168 N GPSLongitude 3.7038 W";
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(exif);
        let comment = b"taken at Calle Mayor 1";
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(comment);
        out.extend_from_slice(TINY_JPEG_BODY);
        out
    }

    /// The tables, frame and scan of a valid 1×1 grey baseline JPEG, after SOI.
    const TINY_JPEG_BODY: &[u8] = &[
        0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08, 0x07, 0x07, 0x07,
        0x09, 0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12, 0x13, 0x0F,
        0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20, 0x22,
        0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1F, 0x27,
        0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00,
        0x01, 0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
        0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00,
        0x3F, 0x00, 0x2A, 0x9F, 0xFF, 0xD9,
    ];

    fn contains(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn jpeg_loses_exif_and_comments_and_keeps_the_image() {
        let input = jpeg_with_exif();
        assert!(contains(&input, b"GPSLatitude"));
        let clean = clean_attachment(&input).unwrap();
        assert_eq!(clean.media_type, "image/jpeg");
        assert!(!contains(&clean.bytes, b"GPSLatitude"));
        assert!(!contains(&clean.bytes, b"Calle Mayor"));
        assert!(clean.bytes.starts_with(&[0xFF, 0xD8]));
        assert!(contains(&clean.bytes, &[0xFF, 0xC0]), "frame header kept");
        assert!(clean.bytes.ends_with(&[0xFF, 0xD9]));
    }

    fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc_input = kind.to_vec();
        crc_input.extend_from_slice(data);
        out.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn png_loses_text_and_exif_chunks() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(png_chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]));
        png.extend(png_chunk(b"tEXt", b"Comment\0flat 3B, Rua Augusta"));
        png.extend(png_chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(png_chunk(
            b"IDAT",
            &[0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01],
        ));
        png.extend(png_chunk(b"IEND", &[]));
        let clean = clean_attachment(&png).unwrap();
        assert_eq!(clean.media_type, "image/png");
        assert!(!contains(&clean.bytes, b"Rua Augusta"));
        assert!(!contains(&clean.bytes, b"eXIf"));
        assert!(contains(&clean.bytes, b"IDAT"));
    }

    #[test]
    fn refuses_other_types_and_oversize_and_damage() {
        assert_eq!(
            clean_attachment(b"%PDF-1.7"),
            Err(AttachmentError::UnsupportedType)
        );
        assert_eq!(clean_attachment(b""), Err(AttachmentError::UnsupportedType));
        let big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
        assert_eq!(
            clean_attachment(&big),
            Err(AttachmentError::TooLarge(big.len()))
        );
        assert!(matches!(
            clean_attachment(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF]),
            Err(AttachmentError::Damaged(_))
        ));
        // A frame header in a broken file that img-parts writes back
        // differently (found by fuzzing).
        let broken = [
            0xFF, 0xD8, 0xFF, 0xFF, 0xF2, 0xD0, 0x00, 0x04, 0xD8, 0xFF, 0xFF, 0xC7, 0x00, 0x04,
            0xD8, 0x32, 0xFF, 0xD9, 0xFF, 0x2E, 0xD9, 0xFF, 0xF2,
        ];
        if let Ok(clean) = clean_attachment(&broken) {
            assert_eq!(clean_attachment(&clean.bytes).unwrap(), clean);
        }
        // Start and end of image with nothing between (found by fuzzing).
        assert!(matches!(
            clean_attachment(&[0xFF, 0xD8, 0xFF, 0xD9]),
            Err(AttachmentError::Damaged(_))
        ));
    }
}
