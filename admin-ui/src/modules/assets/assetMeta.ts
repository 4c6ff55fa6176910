/**
 * Pure helpers of the asset library: the focal point from a click on the image, the focal point
 * and an asset's name in words, and the `updateAsset` input from the editor's form.
 */
import type { UpdateAssetInput } from '../../api';

export interface Focal {
  x: number;
  y: number;
}

const clamp01 = (n: number) => Math.min(1, Math.max(0, n));
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

/** A click at (`offsetX`, `offsetY`) on an image drawn `width` × `height` as a focal point (0–1 each). */
export function focalFromClick(offsetX: number, offsetY: number, width: number, height: number): Focal {
  if (width <= 0 || height <= 0) return { x: 0.5, y: 0.5 };
  return { x: round4(clamp01(offsetX / width)), y: round4(clamp01(offsetY / height)) };
}

/** "Focal point: 25 % from the left, 75 % from the top", or the default centre. */
export function focalInWords(f: Focal | null): string {
  if (!f) return 'Focal point: the centre (not set)';
  return `Focal point: ${Math.round(f.x * 100)} % from the left, ${Math.round(f.y * 100)} % from the top`;
}

export interface AssetLike {
  alt?: string | null;
  format: string;
  width: number;
  height: number;
}

/** What people call an image: its alt text, else its format and size. */
export function assetName(a: AssetLike): string {
  const alt = a.alt?.trim();
  return alt ? alt : `${a.format.toUpperCase()} image, ${a.width}×${a.height}`;
}

export interface AssetForm {
  alt: string;
  focal: Focal | null;
}

/** The change to send: alt always (empty clears it), the focal point when one is set. */
export function toUpdateAssetInput(form: AssetForm, brand: string): UpdateAssetInput {
  const input: UpdateAssetInput = { brand, alt: form.alt.trim() };
  if (form.focal) {
    input.focalX = form.focal.x;
    input.focalY = form.focal.y;
  }
  return input;
}

/** A percentage typed in (0–100) as a focal coordinate, or null when it is not one. */
export function percentToFocal(text: string): number | null {
  const t = text.trim();
  if (t === '' || !/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return n >= 0 && n <= 100 ? round4(n / 100) : null;
}
