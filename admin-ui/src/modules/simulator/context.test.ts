import { describe, expect, it } from 'vitest';
import { toContext, type SimulatorForm } from './context';

const base: SimulatorForm = { rows: [], device: '', locale: '', userKey: '', at: null };

describe('toContext', () => {
  it('keeps attribute types as chosen', () => {
    const { context, problems } = toContext({
      ...base,
      rows: [
        { id: 1, key: 'age', value: { type: 'number', text: '34' } },
        { id: 2, key: 'zip', value: { type: 'string', text: '34' } },
        { id: 3, key: 'vip', value: { type: 'boolean', text: 'true' } },
        { id: 4, key: ' ', value: { type: 'string', text: 'ignored' } },
      ],
    });
    expect(problems).toEqual([]);
    expect(context).toEqual({ attributes: { age: 34, zip: '34', vip: true } });
  });

  it('adds device, locale, user key and instant only when given', () => {
    const { context } = toContext({ ...base, device: 'MOBILE', locale: 'fr-CA', userKey: 'u1', at: '2026-01-01T00:00:00Z' });
    expect(context).toEqual({ attributes: {}, device: 'MOBILE', locale: 'fr-CA', userKey: 'u1', at: '2026-01-01T00:00:00Z' });
  });

  it('reports numbers that are not numbers and repeated keys', () => {
    const { problems } = toContext({
      ...base,
      rows: [
        { id: 1, key: 'age', value: { type: 'number', text: 'old' } },
        { id: 2, key: 'a', value: { type: 'string', text: 'x' } },
        { id: 3, key: 'a', value: { type: 'string', text: 'y' } },
      ],
    });
    expect(problems).toHaveLength(2);
  });
});
