import { describe, expect, it } from 'vitest';
import { describeLimits, EMPTY_OPTIONS, parseKeyOptions } from './keyOptions';

describe('parseKeyOptions', () => {
  const now = new Date('2026-12-07T12:00:00Z');

  it('leaves every option unset when the form is empty', () => {
    expect(parseKeyOptions(EMPTY_OPTIONS, now)).toEqual({ expiresAt: null, allowedOrigins: null, rateLimit: null });
  });

  it('reads origins, a rate and an expiry', () => {
    const parsed = parseKeyOptions({ expires: '2027-01-01T10:00', origins: 'https://shop.example,\nhttp://localhost:5173', rate: ' 20 ' }, now);
    expect(parsed).toMatchObject({ allowedOrigins: ['https://shop.example', 'http://localhost:5173'], rateLimit: 20 });
    expect(typeof (parsed as { expiresAt: string }).expiresAt).toBe('string');
  });

  it('says what to fix', () => {
    expect(parseKeyOptions({ ...EMPTY_OPTIONS, rate: '0' }, now)).toMatch(/at least 1/);
    expect(parseKeyOptions({ ...EMPTY_OPTIONS, rate: '2.5' }, now)).toMatch(/whole number/);
    expect(parseKeyOptions({ ...EMPTY_OPTIONS, expires: '2020-01-01T00:00' }, now)).toMatch(/future/);
    expect(parseKeyOptions({ ...EMPTY_OPTIONS, origins: 'shop.example' }, now)).toMatch(/not an origin/);
    expect(parseKeyOptions({ ...EMPTY_OPTIONS, origins: 'https://shop.example/app' }, now)).toMatch(/only the scheme/);
  });
});

describe('describeLimits', () => {
  it('puts a key’s limits in a few words', () => {
    expect(describeLimits({})).toBe('None');
    expect(describeLimits({ rateLimit: 5, allowedOrigins: ['https://a.example'] })).toBe('5/s · https://a.example');
  });
});
