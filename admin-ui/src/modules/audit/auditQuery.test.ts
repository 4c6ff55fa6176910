import { describe, expect, it } from 'vitest';
import { auditVariables, filterProblem, isDay, nextDay, reportFileName, reportUrl } from './auditQuery';

describe('audit date range', () => {
  it('turns whole UTC days into an instant range with an exclusive end', () => {
    expect(auditVariables({ brand: 'alpine', from: '2026-01-01', to: '2026-01-31' })).toEqual({
      brand: 'alpine',
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
  });

  it('leaves out what is not set', () => {
    expect(auditVariables({ brand: '', from: '', to: '' })).toEqual({ brand: null, from: null, to: null });
  });

  it('steps over month, year and leap-day ends', () => {
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
  });

  it('knows real days', () => {
    expect(isDay('2026-02-28')).toBe(true);
    expect(isDay('2026-02-30')).toBe(false);
    expect(isDay('26-02-01')).toBe(false);
  });

  it('says in words when the range is backwards or not a date', () => {
    expect(filterProblem({ brand: '', from: '2026-02-02', to: '2026-02-01' })).toBe('The start date is after the end date.');
    expect(filterProblem({ brand: '', from: '2026-13-01', to: '' })).toMatch(/start date is not a date/);
    expect(filterProblem({ brand: '', from: '2026-02-01', to: '2026-02-01' })).toBeNull();
  });
});

describe('audit report address', () => {
  it('puts brand, days and format in the query string', () => {
    expect(reportUrl({ brand: 'alpine', from: '2026-01-01', to: '2026-01-31' }, 'csv')).toBe(
      '/api/reports/audit?brand=alpine&from=2026-01-01&to=2026-01-31&format=csv',
    );
  });

  it('omits empty parts and escapes the rest', () => {
    expect(reportUrl({ brand: '', from: '', to: '' }, 'json')).toBe('/api/reports/audit?format=json');
    expect(reportUrl({ brand: 'a&b', from: '', to: '' }, 'csv')).toBe('/api/reports/audit?brand=a%26b&format=csv');
  });

  it('names the file after what it holds', () => {
    expect(reportFileName({ brand: 'alpine', from: '', to: '' }, 'csv')).toBe('vary-audit-alpine.csv');
    expect(reportFileName({ brand: '', from: '2026-01-01', to: '' }, 'json')).toBe('vary-audit-2026-01-01_now.json');
  });
});
