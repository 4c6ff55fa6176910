import { describe, expect, it } from 'vitest';
import { duplicateInput } from './duplicate';
import type { VariantFullFragment } from '../../api';

describe('duplicating a variant', () => {
  it('copies the latest content under a new name', () => {
    const v = { name: 'Skiers', fields: { title: 'Snow' }, tags: ['winter'], rule: { attr: 'a', op: 'eq', value: 1 }, devices: ['MOBILE'], locale: 'en', priority: 3, startsAt: null, endsAt: '2027-01-01T00:00:00Z' } as unknown as VariantFullFragment;
    expect(duplicateInput('e1', v)).toEqual({
      entryId: 'e1', name: 'Skiers (copy)', fields: { title: 'Snow' }, tags: ['winter'], rule: { attr: 'a', op: 'eq', value: 1 },
      devices: ['MOBILE'], locale: 'en', priority: 3, startsAt: null, endsAt: '2027-01-01T00:00:00Z',
    });
  });
});
