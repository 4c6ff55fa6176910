import { describe, expect, it } from 'vitest';
import { formatAge, formatSize, fromLocalInput, toLocalInput } from './format';

describe('datetime-local conversion', () => {
  it('round-trips an instant through the local input format', () => {
    const iso = '2026-03-01T09:30:00Z';
    expect(fromLocalInput(toLocalInput(iso))).toBe(iso);
  });

  it('treats empty as no instant', () => {
    expect(fromLocalInput('')).toBeNull();
    expect(toLocalInput(null)).toBe('');
  });
});

describe('sizes', () => {
  it('says sizes in words', () => {
    expect(formatSize(512)).toBe('512 bytes');
    expect(formatSize(2048)).toBe('2.0 KB');
    expect(formatSize(3 * 1024 * 1024)).toBe('3.0 MB');
  });
});


describe('formatAge', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('says how long ago in words', () => {
    expect(formatAge('2026-12-07T11:59:40Z', now)).toBe('just now');
    expect(formatAge('2026-12-07T11:59:00Z', now)).toBe('1 minute');
    expect(formatAge('2026-12-07T09:00:00Z', now)).toBe('3 hours');
    expect(formatAge('2026-12-04T12:00:00Z', now)).toBe('3 days');
  });
});
