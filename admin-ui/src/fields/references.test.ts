import { describe, expect, it } from 'vitest';
import { allowedTypes, matchingEntries } from './references';

const entries = [
  { key: 'home-hero', contentType: 'Hero', description: 'The home page hero' },
  { key: 'card-ski', contentType: 'Card', description: 'Ski pass offer' },
  { key: 'card-hike', contentType: 'Card', description: null },
];

describe('the reference picker', () => {
  it('finds entries by every word typed, in key, type or description', () => {
    expect(matchingEntries(entries, 'card').map((e) => e.key)).toEqual(['card-ski', 'card-hike']);
    expect(matchingEntries(entries, 'SKI offer').map((e) => e.key)).toEqual(['card-ski']);
    expect(matchingEntries(entries, '').length).toBe(3);
    expect(matchingEntries(entries, 'nothing')).toEqual([]);
  });

  it('limits a field to its content types, or none', () => {
    expect(allowedTypes(['Card'])).toEqual(['Card']);
    expect(allowedTypes([])).toBeNull();
    expect(allowedTypes(undefined)).toBeNull();
  });
});
