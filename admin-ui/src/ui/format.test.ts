import { describe, expect, it } from 'vitest';
import { formatSize, fromLocalInput, toLocalInput } from './format';

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
