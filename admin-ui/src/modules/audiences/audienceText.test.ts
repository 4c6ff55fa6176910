import { describe, expect, it } from 'vitest';
import { audienceNameProblem, usedByItems, usedBySummary } from './audienceText';

describe('audiences in words', () => {
  it('checks a new name', () => {
    expect(audienceNameProblem(' ', [])).toBe('Give the audience a name.');
    expect(audienceNameProblem('VIP', ['VIP'])).toMatch(/already an audience named “VIP”/);
    expect(audienceNameProblem('x'.repeat(101), [])).toMatch(/at most 100/);
    expect(audienceNameProblem('Gold', ['VIP'])).toBeNull();
  });

  it('lists what uses an audience, variants with where to open them', () => {
    const users = [
      { kind: 'VARIANT' as const, id: 'var_1', name: 'Gold offer', entryKey: 'home-hero' },
      { kind: 'AUDIENCE' as const, id: 'aud_2', name: 'Premium', entryKey: null },
    ];
    expect(usedByItems(users)).toEqual([
      { text: 'variant “Gold offer” of home-hero', variant: { entryKey: 'home-hero', id: 'var_1' } },
      { text: 'audience “Premium”', variant: null },
    ]);
    expect(usedBySummary(users)).toBe('Used by 1 variant and 1 audience');
    expect(usedBySummary([users[0], users[0]])).toBe('Used by 2 variants');
    expect(usedBySummary([])).toBe('Not used yet');
  });
});
