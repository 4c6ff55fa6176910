//! Device renditions: which sizes exist, how they are named, and how they are made.
//!
//! Every `Device` has a width (`MOBILE` 640, `TABLET` 1024, `DESKTOP` 1920, `TV` 3840, `OTHER` as
//! `DESKTOP`); a rendition is the image at that width or at its own width when narrower (never
//! upscaled), in lossy WebP or baseline JPEG, with no metadata at all (encoders get bare pixels,
//! so no EXIF or GPS survives). An optional [`Aspect`] from a short allow-list crops first, around
//! the [`Focal`] point, so the number of files per asset stays bounded.
//!
//! [`render`] makes many renditions from one decoded image the way libvips would: it resizes the
//! widest one from the source with a SIMD Lanczos3 and derives each narrower one from the previous
//! result, so every resize reads fewer pixels than the last.

use std::fmt;
use std::str::FromStr;

use fast_image_resize::Resizer;
use image::DynamicImage;

use super::AssetError;
use crate::domain::device::Device;

mod pixels;
use pixels::Pixels;

/// The width of a device's renditions, before the never-upscale rule.
pub const fn device_width(device: Device) -> u32 {
    match device {
        Device::Mobile => 640,
        Device::Tablet => 1024,
        Device::Desktop | Device::Other => 1920,
        Device::Tv => 3840,
    }
}

/// An aspect ratio a rendition may be cropped to. Only these, so nobody can make the server
/// render unbounded variations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aspect {
    Wide,
    Classic,
    Square,
    Portrait,
    Tall,
}

impl Aspect {
    pub const ALL: [Aspect; 5] = [
        Aspect::Wide,
        Aspect::Classic,
        Aspect::Square,
        Aspect::Portrait,
        Aspect::Tall,
    ];

    /// Width and height of the ratio.
    pub const fn ratio(self) -> (u32, u32) {
        match self {
            Aspect::Wide => (16, 9),
            Aspect::Classic => (4, 3),
            Aspect::Square => (1, 1),
            Aspect::Portrait => (3, 4),
            Aspect::Tall => (9, 16),
        }
    }

    /// The ratio as written in URLs: `16:9`.
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Wide => "16:9",
            Aspect::Classic => "4:3",
            Aspect::Square => "1:1",
            Aspect::Portrait => "3:4",
            Aspect::Tall => "9:16",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Aspect::Wide => "16x9",
            Aspect::Classic => "4x3",
            Aspect::Square => "1x1",
            Aspect::Portrait => "3x4",
            Aspect::Tall => "9x16",
        }
    }
}

/// The text is not one of the allowed ratios.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("aspect {0:?} is not allowed; use one of 16:9, 4:3, 1:1, 3:4, 9:16")]
pub struct UnknownAspect(pub String);

impl FromStr for Aspect {
    type Err = UnknownAspect;

    /// Accepts `16:9` and `16x9`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Aspect::ALL
            .into_iter()
            .find(|a| a.as_str() == text || a.slug() == text)
            .ok_or_else(|| UnknownAspect(text.to_owned()))
    }
}

/// Where the subject is, as fractions of width and height; crops keep it in frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Focal {
    x: f64,
    y: f64,
}

impl Focal {
    pub const CENTRE: Focal = Focal { x: 0.5, y: 0.5 };

    /// `None` unless both coordinates are finite and within 0..=1.
    pub fn new(x: f64, y: f64) -> Option<Focal> {
        let ok = |v: f64| v.is_finite() && (0.0..=1.0).contains(&v);
        (ok(x) && ok(y)).then_some(Focal { x, y })
    }

    pub fn x(self) -> f64 {
        self.x
    }

    pub fn y(self) -> f64 {
        self.y
    }

    /// The point in ten-thousandths of the width and height: what names a crop made around it,
    /// so that moving the focal point makes (and serves) new crops, never the stale ones.
    pub fn basis_points(self) -> (u16, u16) {
        let bp = |v: f64| (v * 10_000.0).round().clamp(0.0, 10_000.0) as u16;
        (bp(self.x), bp(self.y))
    }
}

impl Default for Focal {
    fn default() -> Self {
        Focal::CENTRE
    }
}

/// The two encodings of a rendition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenditionFormat {
    WebP,
    Jpeg,
}

impl RenditionFormat {
    pub const ALL: [RenditionFormat; 2] = [RenditionFormat::WebP, RenditionFormat::Jpeg];

    /// The contract's name: `webp` or `jpeg`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RenditionFormat::WebP => "webp",
            RenditionFormat::Jpeg => "jpeg",
        }
    }

    /// The file extension in URLs: `webp` or `jpg`.
    pub const fn extension(self) -> &'static str {
        match self {
            RenditionFormat::WebP => "webp",
            RenditionFormat::Jpeg => "jpg",
        }
    }

    pub const fn media_type(self) -> &'static str {
        match self {
            RenditionFormat::WebP => "image/webp",
            RenditionFormat::Jpeg => "image/jpeg",
        }
    }

    /// Parses a URL extension (`webp`, `jpg` or `jpeg`).
    pub fn from_extension(ext: &str) -> Option<RenditionFormat> {
        match ext {
            "webp" => Some(RenditionFormat::WebP),
            "jpg" | "jpeg" => Some(RenditionFormat::Jpeg),
            _ => None,
        }
    }
}

/// One rendition of an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RenditionKey {
    pub device: Device,
    pub format: RenditionFormat,
    pub aspect: Option<Aspect>,
}

impl RenditionKey {
    pub fn new(device: Device, format: RenditionFormat, aspect: Option<Aspect>) -> Self {
        RenditionKey {
            device,
            format,
            aspect,
        }
    }

    /// The key whose file this key is served from: `OTHER` shares `DESKTOP`'s files.
    pub fn canonical(self) -> RenditionKey {
        let device = if self.device == Device::Other {
            Device::Desktop
        } else {
            self.device
        };
        RenditionKey { device, ..self }
    }

    /// The uncropped WebP and JPEG renditions of every device, `OTHER` folded into `DESKTOP`.
    pub fn every_device() -> Vec<RenditionKey> {
        let devices = [Device::Tv, Device::Desktop, Device::Tablet, Device::Mobile];
        devices
            .into_iter()
            .flat_map(|d| RenditionFormat::ALL.map(|f| RenditionKey::new(d, f, None)))
            .collect()
    }
}

/// The file name within the asset's folder: `mobile.webp`, `tv.jpg.16x9`.
impl fmt::Display for RenditionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let device = self.device.as_str().to_ascii_lowercase();
        write!(f, "{device}.{}", self.format.extension())?;
        if let Some(aspect) = self.aspect {
            write!(f, ".{}", aspect.slug())?;
        }
        Ok(())
    }
}

/// Width and height of a rendition of a `width`×`height` image (both already upright).
pub fn rendition_size(
    width: u32,
    height: u32,
    device: Device,
    aspect: Option<Aspect>,
) -> (u32, u32) {
    let crop = crop_box(width, height, aspect, Focal::CENTRE);
    scaled_size(crop, device_width(device))
}

fn scaled_size(crop: CropBox, target: u32) -> (u32, u32) {
    let w = target.min(crop.width);
    let h =
        (u64::from(crop.height) * u64::from(w) + u64::from(crop.width) / 2) / u64::from(crop.width);
    (w, (h as u32).max(1))
}

/// A rectangle of the source, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CropBox {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// The largest box of the aspect's ratio inside the image, centred on the focal point as far as
/// the edges allow. The whole image without an aspect.
pub fn crop_box(width: u32, height: u32, aspect: Option<Aspect>, focal: Focal) -> CropBox {
    let Some(aspect) = aspect else {
        return CropBox {
            left: 0,
            top: 0,
            width,
            height,
        };
    };
    let (aw, ah) = aspect.ratio();
    let (w, h) = (u64::from(width), u64::from(height));
    let (cw, ch) = if w * u64::from(ah) > h * u64::from(aw) {
        ((h * u64::from(aw) / u64::from(ah)).max(1), h)
    } else {
        (w, (w * u64::from(ah) / u64::from(aw)).max(1))
    };
    let place = |full: u64, size: u64, at: f64| -> u32 {
        let wanted = at * full as f64 - size as f64 / 2.0;
        wanted.round().clamp(0.0, (full - size) as f64) as u32
    };
    CropBox {
        left: place(w, cw, focal.x),
        top: place(h, ch, focal.y),
        width: cw as u32,
        height: ch as u32,
    }
}

/// A finished rendition file.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub key: RenditionKey,
    pub width: u32,
    pub height: u32,
    pub bytes: Vec<u8>,
}

/// Makes the renditions named by `keys` (folded to canonical keys, duplicates made once) from an
/// upright RGB8/RGBA8 image.
pub fn render(
    image: &DynamicImage,
    keys: &[RenditionKey],
    focal: Focal,
) -> Result<Vec<Rendered>, AssetError> {
    let keys = unique(keys.iter().map(|k| k.canonical()));
    let aspects = unique(keys.iter().map(|k| k.aspect));
    let source = Pixels::from_image(image)?;
    let mut resizer = Resizer::new();
    let mut out = Vec::with_capacity(keys.len());
    for aspect in aspects {
        let group: Vec<RenditionKey> = keys
            .iter()
            .copied()
            .filter(|k| k.aspect == aspect)
            .collect();
        let crop = crop_box(source.width, source.height, aspect, focal);
        render_group(&mut resizer, &source, crop, &group, &mut out)?;
    }
    Ok(out)
}

fn unique<T: PartialEq>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for item in items {
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// One crop's renditions, widest first, each narrower size resized from the previous one.
fn render_group(
    resizer: &mut Resizer,
    source: &Pixels<'_>,
    crop: CropBox,
    keys: &[RenditionKey],
    out: &mut Vec<Rendered>,
) -> Result<(), AssetError> {
    let mut sizes: Vec<(u32, u32)> = keys
        .iter()
        .map(|k| scaled_size(crop, device_width(k.device)))
        .collect();
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    sizes.dedup();
    let mut previous: Option<Pixels<'static>> = None;
    for (width, height) in sizes {
        let pixels = match &previous {
            None => source.resized(resizer, Some(crop), width, height)?,
            Some(prev) => prev.resized(resizer, None, width, height)?,
        };
        for key in keys
            .iter()
            .filter(|k| scaled_size(crop, device_width(k.device)) == (width, height))
        {
            let bytes = pixels.encode(key.format)?;
            out.push(Rendered {
                key: *key,
                width,
                height,
                bytes,
            });
        }
        previous = Some(pixels);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::testimages::{gradient, translucent};
    use image::GenericImageView;

    fn decode(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).unwrap()
    }

    #[test]
    fn every_device_gets_webp_and_jpeg_at_its_width() {
        let img = gradient(3000, 2000);
        let out = render(&img, &RenditionKey::every_device(), Focal::CENTRE).unwrap();
        assert_eq!(out.len(), 8);
        for r in &out {
            let want = device_width(r.key.device).min(3000);
            assert_eq!(r.width, want, "{}", r.key);
            assert_eq!(
                decode(&r.bytes).dimensions(),
                rendition_size(3000, 2000, r.key.device, None),
                "{}",
                r.key
            );
            assert_eq!(r.height, (want * 2 + 1) / 3);
        }
        let webp = out
            .iter()
            .find(|r| r.key.format == RenditionFormat::WebP)
            .unwrap();
        assert_eq!(
            image::guess_format(&webp.bytes).unwrap(),
            image::ImageFormat::WebP
        );
    }

    #[test]
    fn a_small_image_is_never_upscaled() {
        let out = render(
            &gradient(300, 200),
            &RenditionKey::every_device(),
            Focal::CENTRE,
        )
        .unwrap();
        assert!(out.iter().all(|r| (r.width, r.height) == (300, 200)));
    }

    #[test]
    fn other_is_served_from_desktop() {
        let key = RenditionKey::new(Device::Other, RenditionFormat::Jpeg, Some(Aspect::Wide));
        assert_eq!(key.canonical().to_string(), "desktop.jpg.16x9");
    }

    #[test]
    fn aspect_crops_follow_the_focal_point() {
        let crop = crop_box(
            1000,
            1000,
            Some(Aspect::Wide),
            Focal::new(0.5, 1.0).unwrap(),
        );
        assert_eq!(
            crop,
            CropBox {
                left: 0,
                top: 438,
                width: 1000,
                height: 562
            }
        );
        let crop = crop_box(
            1600,
            900,
            Some(Aspect::Square),
            Focal::new(0.0, 0.5).unwrap(),
        );
        assert_eq!(
            crop,
            CropBox {
                left: 0,
                top: 0,
                width: 900,
                height: 900
            }
        );
    }

    #[test]
    fn cropped_renditions_have_the_ratio() {
        let key = RenditionKey::new(Device::Mobile, RenditionFormat::WebP, Some(Aspect::Tall));
        let out = render(&gradient(2000, 1500), &[key], Focal::CENTRE).unwrap();
        assert_eq!(decode(&out[0].bytes).dimensions(), (640, 1139));
    }

    #[test]
    fn only_allowed_aspects_parse() {
        assert_eq!("16:9".parse::<Aspect>().unwrap(), Aspect::Wide);
        assert_eq!("9x16".parse::<Aspect>().unwrap(), Aspect::Tall);
        assert!("21:9".parse::<Aspect>().is_err());
        assert!(Focal::new(1.5, 0.5).is_none());
    }

    #[test]
    fn jpeg_flattens_alpha_and_webp_keeps_it() {
        let keys = [RenditionFormat::WebP, RenditionFormat::Jpeg]
            .map(|f| RenditionKey::new(Device::Mobile, f, None));
        let out = render(&translucent(64, 32), &keys, Focal::CENTRE).unwrap();
        assert!(decode(&out[0].bytes).color().has_alpha());
        let jpeg = decode(&out[1].bytes).to_rgb8();
        assert!(
            jpeg.get_pixel(60, 16)[1] > 240,
            "transparent part becomes white"
        );
    }

    #[test]
    fn renditions_carry_no_exif() {
        let out = render(
            &gradient(100, 80),
            &RenditionKey::every_device(),
            Focal::CENTRE,
        )
        .unwrap();
        for r in out {
            assert!(!r.bytes.windows(4).any(|w| w == b"Exif"), "{}", r.key);
        }
    }
}
