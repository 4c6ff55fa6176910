/**
 * Pure helpers of the asset picker: which rendition serves as a thumbnail,
 * the chosen image per device, and sizes in words.
 */

export interface RenditionLike {
  device: string;
  format: string;
  width: number;
  height: number;
  url: string;
}

export const PREVIEW_DEVICES = ['MOBILE', 'TABLET', 'DESKTOP', 'TV'] as const;
export type PreviewDevice = (typeof PREVIEW_DEVICES)[number];

/** The server's address for a rendition when the asset's data is not at hand: `/assets/{id}/{device}.webp`. */
export function conventionalUrl(id: string, device: string): string {
  return `/assets/${encodeURIComponent(id)}/${device.toLowerCase()}.webp`;
}

/** A device's rendition, WebP preferred over JPEG; undefined when the asset has none for it. */
export function renditionFor(renditions: readonly RenditionLike[], device: string): RenditionLike | undefined {
  const mine = renditions.filter((r) => r.device === device);
  return mine.find((r) => r.format === 'webp') ?? mine[0];
}

/** The thumbnail: the MOBILE WebP rendition's url (or the conventional address). */
export function thumbnailUrl(id: string, renditions: readonly RenditionLike[]): string {
  return renditionFor(renditions, 'MOBILE')?.url ?? conventionalUrl(id, 'MOBILE');
}

export interface DevicePreview {
  device: PreviewDevice;
  url: string;
  /** null when the asset's data is not loaded (only the address is known). */
  width: number | null;
  height: number | null;
}

/** One preview per device (MOBILE, TABLET, DESKTOP, TV), from the renditions when known. */
export function devicePreviews(id: string, renditions: readonly RenditionLike[] | null): DevicePreview[] {
  return PREVIEW_DEVICES.map((device) => {
    const r = renditions ? renditionFor(renditions, device) : undefined;
    return r
      ? { device, url: r.url, width: r.width, height: r.height }
      : { device, url: conventionalUrl(id, device), width: null, height: null };
  });
}

/** Bytes in words: 512 bytes, 12.3 KB, 4.5 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "Tablet", "Tv" → "TV". */
export function deviceLabel(d: string): string {
  return d === 'TV' ? 'TV' : d.charAt(0) + d.slice(1).toLowerCase();
}
