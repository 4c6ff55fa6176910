//! The asset service: uploads and renditions off the async executor, with bounded concurrency.
//!
//! [`Assets::ingest`] checks, decodes and analyses an upload on the blocking pool, stores the
//! original, and hands the decoded pixels to a background task that makes every device's WebP
//! and JPEG. [`Assets::rendition`] serves a stored rendition, making it on demand when it does
//! not exist yet (just after upload, or a cropped aspect). One semaphore bounds how many images
//! are decoded or rendered at once, so a burst of uploads cannot starve delivery of CPU or memory.
//! Metadata rows are the caller's: this service only knows bytes.

use std::sync::Arc;

use image::DynamicImage;
use tokio::sync::Semaphore;

use super::analyse::analyse;
use super::blob::{AssetId, BlobKey, BlobStore};
use super::decode::{decode, decode_at_least};
use super::renditions::{crop_box, device_width, render, Focal, RenditionKey};
use super::sniff::{sniff, Claim, SourceFormat};
use super::{AssetError, AssetLimits};

/// What an accepted upload is; the caller stores it as the asset's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ingested {
    pub id: AssetId,
    pub format: SourceFormat,
    /// Upright (EXIF orientation applied) width and height.
    pub width: u32,
    pub height: u32,
    pub bytes: u64,
    pub dominant_color: String,
    pub placeholder: String,
}

/// Uploads and renditions over a blob store.
#[derive(Clone)]
pub struct Assets {
    store: Arc<dyn BlobStore>,
    limits: AssetLimits,
    permits: Arc<Semaphore>,
}

impl Assets {
    /// `concurrency` images at most are decoded or rendered at once (at least one).
    pub fn new(store: Arc<dyn BlobStore>, limits: AssetLimits, concurrency: usize) -> Assets {
        Assets {
            store,
            limits,
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    pub fn limits(&self) -> &AssetLimits {
        &self.limits
    }

    /// Whether the blob store answered its last health probe (never waits).
    pub fn healthy(&self) -> bool {
        self.store.healthy()
    }

    /// Checks, decodes and analyses `bytes`, stores the original and starts its renditions in
    /// the background. On any error nothing is stored.
    pub async fn ingest(&self, bytes: Vec<u8>, claim: Claim) -> Result<Ingested, AssetError> {
        if bytes.len() as u64 > self.limits.max_bytes {
            return Err(too_many_bytes(&self.limits));
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(internal)?;
        let (store, limits) = (self.store.clone(), self.limits);
        let (ingested, image) = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            ingest_blocking(&*store, &bytes, &claim, &limits)
        })
        .await
        .map_err(internal)??;
        self.render_in_background(ingested.id.clone(), image);
        Ok(ingested)
    }

    fn render_in_background(&self, id: AssetId, image: DynamicImage) {
        let (store, permits) = (self.store.clone(), self.permits.clone());
        let id_for_log = id.clone();
        tokio::spawn(async move {
            let Ok(permit) = permits.acquire_owned().await else {
                return;
            };
            let done = tokio::task::spawn_blocking(move || {
                let _permit = permit;
                let keys = RenditionKey::every_device();
                for rendered in render(&image, &keys, Focal::CENTRE)? {
                    store.put(
                        &BlobKey::Rendition(id.clone(), rendered.key),
                        &rendered.bytes,
                    )?;
                }
                Ok::<_, AssetError>(())
            })
            .await;
            if !matches!(done, Ok(Ok(()))) {
                // On-demand rendering covers for a failed background run.
                tracing::warn!(asset = %id_for_log, error = ?done, "background renditions failed");
            }
        });
    }

    /// A rendition's bytes, made now (and stored) when it does not exist yet.
    pub async fn rendition(
        &self,
        id: &AssetId,
        key: RenditionKey,
        focal: Focal,
    ) -> Result<Vec<u8>, AssetError> {
        // Crops are named by their focal point: after the point moves, new crops are made.
        let blob = match key.aspect {
            Some(_) => BlobKey::Cropped(id.clone(), key.canonical(), focal.basis_points()),
            None => BlobKey::Rendition(id.clone(), key.canonical()),
        };
        let store = self.store.clone();
        let lookup = blob.clone();
        if let Some(bytes) = blocking(move || Ok(store.get(&lookup)?)).await? {
            return Ok(bytes);
        }
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(internal)?;
        let (store, limits, id) = (self.store.clone(), self.limits, id.clone());
        blocking(move || {
            let _permit = permit;
            let original = store
                .get(&BlobKey::Original(id))?
                .ok_or(AssetError::NotFound)?;
            let bytes = render_one(&original, key, focal, &limits)?;
            match store.put(&blob, &bytes) {
                Ok(()) => {}
                // A full disk keeps renditions from being kept, not from being served.
                Err(e) if e.kind() == std::io::ErrorKind::StorageFull => {
                    tracing::warn!(error = %e, "storage full: a rendition is served without being stored");
                    return Ok(bytes);
                }
                Err(e) => return Err(e.into()),
            }
            // A concurrent maker may have stored its bytes first; serve what is stored.
            Ok(store.get(&blob)?.unwrap_or(bytes))
        })
        .await
    }

    /// Whether an original with this id is stored.
    pub async fn exists(&self, id: &AssetId) -> Result<bool, AssetError> {
        let (store, key) = (self.store.clone(), BlobKey::Original(id.clone()));
        blocking(move || Ok(store.exists(&key)?)).await
    }
}

fn ingest_blocking(
    store: &dyn BlobStore,
    bytes: &[u8],
    claim: &Claim,
    limits: &AssetLimits,
) -> Result<(Ingested, DynamicImage), AssetError> {
    let format = sniff(bytes, claim)?;
    let image = decode(bytes, format, limits)?;
    let analysis = analyse(&image)?;
    let id = AssetId::of(bytes);
    store.put(&BlobKey::Original(id.clone()), bytes)?;
    let ingested = Ingested {
        id,
        format,
        width: image.width(),
        height: image.height(),
        bytes: bytes.len() as u64,
        dominant_color: analysis.dominant_color,
        placeholder: analysis.placeholder,
    };
    Ok((ingested, image))
}

/// One rendition from the original's bytes, decoding a JPEG only as large as this key needs.
fn render_one(
    original: &[u8],
    key: RenditionKey,
    focal: Focal,
    limits: &AssetLimits,
) -> Result<Vec<u8>, AssetError> {
    let format = sniff(original, &Claim::default())?;
    let needed = |w: u32, h: u32| {
        let crop = crop_box(w, h, key.aspect, focal);
        let target = u64::from(device_width(key.device).min(crop.width));
        // Two pixels of slack for the rounding of a crop on the reduced image.
        (target * u64::from(w)).div_ceil(u64::from(crop.width)) as u32 + 2
    };
    let image = decode_at_least(original, format, limits, needed)?;
    let rendered = render(&image, &[key], focal)?;
    rendered
        .into_iter()
        .next()
        .map(|r| r.bytes)
        .ok_or_else(|| AssetError::Internal("no rendition made".into()))
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AssetError> + Send + 'static,
) -> Result<T, AssetError> {
    tokio::task::spawn_blocking(work).await.map_err(internal)?
}

fn internal(error: impl std::fmt::Display) -> AssetError {
    AssetError::Internal(error.to_string())
}

fn too_many_bytes(limits: &AssetLimits) -> AssetError {
    AssetError::TooLarge(format!(
        "the file is over the limit of {} bytes",
        limits.max_bytes
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::testimages::{encode, gradient, png_claiming};
    use crate::assets::{FsBlobStore, RenditionFormat};
    use crate::domain::device::Device;
    use image::{GenericImageView, ImageFormat};

    fn service() -> (tempfile::TempDir, Assets) {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(FsBlobStore::open(dir.path()).unwrap());
        (dir, Assets::new(store, AssetLimits::default(), 2))
    }

    fn files(dir: &tempfile::TempDir) -> usize {
        std::fs::read_dir(dir.path()).unwrap().count()
    }

    #[tokio::test]
    async fn an_upload_is_stored_once_and_rendered() {
        let (dir, assets) = service();
        let jpeg = encode(&gradient(1200, 800), ImageFormat::Jpeg);
        let first = assets.ingest(jpeg.clone(), Claim::default()).await.unwrap();
        let second = assets.ingest(jpeg, Claim::default()).await.unwrap();
        assert_eq!(first, second);
        assert_eq!(
            (first.width, first.height, first.format),
            (1200, 800, SourceFormat::Jpeg)
        );
        assert_eq!(files(&dir), 1);
        let key = RenditionKey::new(Device::Mobile, RenditionFormat::WebP, None);
        let bytes = assets
            .rendition(&first.id, key, Focal::CENTRE)
            .await
            .unwrap();
        assert_eq!(
            image::load_from_memory(&bytes).unwrap().dimensions(),
            (640, 427)
        );
    }

    #[tokio::test]
    async fn bad_uploads_store_nothing() {
        let (dir, assets) = service();
        let bad = [
            png_claiming(100_000, 100_000),
            b"<svg/>".to_vec(),
            vec![0xFF, 0xD8, 0xFF, 0xE0],
        ];
        for bytes in bad {
            assert!(assets.ingest(bytes, Claim::default()).await.is_err());
        }
        let small = Assets::new(
            assets.store.clone(),
            AssetLimits {
                max_bytes: 10,
                ..AssetLimits::default()
            },
            1,
        );
        let png = encode(&gradient(8, 8), ImageFormat::Png);
        assert!(matches!(
            small.ingest(png, Claim::default()).await,
            Err(AssetError::TooLarge(_))
        ));
        assert_eq!(files(&dir), 0);
    }

    #[tokio::test]
    async fn an_aspect_rendition_is_made_on_demand_from_a_reduced_decode() {
        let (_dir, assets) = service();
        let jpeg = encode(&gradient(3000, 1000), ImageFormat::Jpeg);
        let asset = assets.ingest(jpeg, Claim::default()).await.unwrap();
        let key = RenditionKey::new(
            Device::Mobile,
            RenditionFormat::Jpeg,
            Some(crate::assets::Aspect::Square),
        );
        let bytes = assets
            .rendition(&asset.id, key, Focal::new(0.9, 0.5).unwrap())
            .await
            .unwrap();
        assert_eq!(
            image::load_from_memory(&bytes).unwrap().dimensions(),
            (640, 640)
        );
    }

    #[tokio::test]
    async fn an_unknown_asset_is_not_found() {
        let (_dir, assets) = service();
        let key = RenditionKey::new(Device::Tv, RenditionFormat::Jpeg, None);
        let missing = assets
            .rendition(&AssetId::of(b"nothing"), key, Focal::CENTRE)
            .await;
        assert!(matches!(missing, Err(AssetError::NotFound)));
    }
}
