import { describe, expect, it } from 'vitest';
import { assetName, focalFromClick, focalInWords, percentToFocal, toUpdateAssetInput } from './assetMeta';

describe('the asset library helpers', () => {
  it('turns a click on the drawn image into a focal point between 0 and 1', () => {
    expect(focalFromClick(100, 50, 400, 200)).toEqual({ x: 0.25, y: 0.25 });
    expect(focalFromClick(-5, 260, 400, 200)).toEqual({ x: 0, y: 1 });
    expect(focalFromClick(1, 1, 3, 3)).toEqual({ x: 0.3333, y: 0.3333 });
    expect(focalFromClick(10, 10, 0, 0)).toEqual({ x: 0.5, y: 0.5 });
  });

  it('says the focal point in words', () => {
    expect(focalInWords({ x: 0.25, y: 0.75 })).toBe('Focal point: 25 % from the left, 75 % from the top');
    expect(focalInWords(null)).toBe('Focal point: the centre (not set)');
  });

  it('names an image by its alt text, else its format and size', () => {
    expect(assetName({ alt: ' Skiers at dawn ', format: 'jpeg', width: 1200, height: 800 })).toBe('Skiers at dawn');
    expect(assetName({ alt: null, format: 'png', width: 640, height: 360 })).toBe('PNG image, 640×360');
  });

  it('sends alt text always and the focal point when set', () => {
    expect(toUpdateAssetInput({ alt: ' A dog ', focal: { x: 0.2, y: 0.8 } }, 'alpine')).toEqual({ brand: 'alpine', alt: 'A dog', focalX: 0.2, focalY: 0.8 });
    expect(toUpdateAssetInput({ alt: '', focal: null }, 'alpine')).toEqual({ brand: 'alpine', alt: '' });
  });

  it('reads a typed percentage', () => {
    expect(percentToFocal('25')).toBe(0.25);
    expect(percentToFocal('100')).toBe(1);
    expect(percentToFocal('101')).toBeNull();
    expect(percentToFocal('-1')).toBeNull();
    expect(percentToFocal('')).toBeNull();
  });
});
