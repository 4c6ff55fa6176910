import { describe, expect, it } from 'vitest';
import { fromPercent, percentInText, toPercent } from './quality';

describe('quality on one 0–100 scale', () => {
  it('converts both ways', () => {
    expect(toPercent(0.85)).toBe(85);
    expect(toPercent(0.904)).toBe(90);
    expect(fromPercent('90')).toBe(0.9);
    expect(fromPercent('')).toBe(0);
    expect(Number.isNaN(fromPercent('x'))).toBe(true);
  });
  it('rewrites scores in the API’s words', () => {
    expect(percentInText('quality 0.70 below 0.90')).toBe('quality 70 below 90');
    expect(percentInText('priority 0; locale en')).toBe('priority 0; locale en');
  });
});
