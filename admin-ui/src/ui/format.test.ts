import { describe, expect, it } from 'vitest';
import { fromLocalInput, toLocalInput } from './format';

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
