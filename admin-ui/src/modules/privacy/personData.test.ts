import { describe, expect, it } from 'vitest';
import { eraseQuestion, exportFileName, exportJson, lookupProblem, type PersonEvent } from './personData';

const click: PersonEvent = {
  at: '2026-12-07T10:00:00Z', kind: 'CLICK', entryKey: 'home-hero', variantId: 'var_1', variantName: 'Skiers', revision: 'abc',
  device: 'MOBILE', locale: 'en', attributes: { segment: 'skier' }, value: null,
};

describe('a person’s data', () => {
  it('needs a brand and a user key', () => {
    expect(lookupProblem({ brand: '', userKey: 'u1' })).toMatch(/brand/);
    expect(lookupProblem({ brand: 'alpine', userKey: '  ' })).toMatch(/user key/);
    expect(lookupProblem({ brand: 'alpine', userKey: 'u1' })).toBeNull();
  });

  it('exports the events as JSON without the user key', () => {
    const now = new Date('2026-12-07T12:00:00Z');
    const text = exportJson('alpine', [click], now);
    expect(JSON.parse(text)).toEqual({ brand: 'alpine', exportedAt: '2026-12-07T12:00:00.000Z', events: [click] });
    expect(exportFileName('alpine', now)).toBe('vary-person-data-alpine-2026-12-07.json');
  });

  it('asks before erasing, with the count', () => {
    expect(eraseQuestion(1, 'alpine')).toMatch(/^Erase 1 usage event of this person in alpine\?/);
    expect(eraseQuestion(3, 'alpine')).toMatch(/^Erase 3 usage events/);
  });
});
