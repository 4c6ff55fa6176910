import { describe, expect, it } from 'vitest';
import { conventionalUrl, deviceLabel, devicePreviews, formatBytes, renditionFor, thumbnailUrl, type RenditionLike } from './assets';

const r = (device: string, format: string, width: number): RenditionLike => ({ device, format, width, height: Math.round(width / 2), url: `/assets/a1/${device.toLowerCase()}.${format === 'webp' ? 'webp' : 'jpg'}` });
const RS = [r('MOBILE', 'jpeg', 480), r('MOBILE', 'webp', 480), r('TABLET', 'jpeg', 1024), r('DESKTOP', 'webp', 1920), r('TV', 'webp', 3840)];

describe('asset renditions', () => {
  it('prefers WebP, falls back to what there is', () => {
    expect(renditionFor(RS, 'MOBILE')?.format).toBe('webp');
    expect(renditionFor(RS, 'TABLET')?.format).toBe('jpeg');
    expect(renditionFor(RS, 'OTHER')).toBeUndefined();
  });
  it('takes the MOBILE WebP as thumbnail', () => {
    expect(thumbnailUrl('a1', RS)).toBe('/assets/a1/mobile.webp');
    expect(thumbnailUrl('a b', [])).toBe('/assets/a%20b/mobile.webp');
    expect(conventionalUrl('x', 'TV')).toBe('/assets/x/tv.webp');
  });
  it('previews each device with its width, or the address alone', () => {
    expect(devicePreviews('a1', RS).map((p) => [p.device, p.width])).toEqual([['MOBILE', 480], ['TABLET', 1024], ['DESKTOP', 1920], ['TV', 3840]]);
    expect(devicePreviews('a1', null)[3]).toEqual({ device: 'TV', url: '/assets/a1/tv.webp', width: null, height: null });
  });
  it('words sizes and devices', () => {
    expect(formatBytes(900)).toBe('900 bytes');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(3 * 1024 * 1024)).toBe('3.0 MB');
    expect(deviceLabel('TV')).toBe('TV');
    expect(deviceLabel('DESKTOP')).toBe('Desktop');
  });
});
