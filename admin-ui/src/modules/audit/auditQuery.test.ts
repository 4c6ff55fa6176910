import { describe, expect, it } from 'vitest';
import { auditVariables, EMPTY_FILTER, filterProblem, isDay, nextDay, reportFileName, reportUrl, type AuditFilter } from './auditQuery';

const filter = (f: Partial<AuditFilter>): AuditFilter => ({ ...EMPTY_FILTER, ...f });

describe('audit date range', () => {
  it('turns whole UTC days into an instant range with an exclusive end', () => {
    expect(auditVariables(filter({ brand: 'alpine', from: '2026-01-01', to: '2026-01-31' }))).toEqual({
      brand: 'alpine',
      actor: null,
      action: null,
      from: '2026-01-01T00:00:00Z',
      to: '2026-02-01T00:00:00Z',
    });
  });

  it('leaves out what is not set', () => {
    expect(auditVariables(filter({ brand: '', from: '', to: '' }))).toEqual({ brand: null, actor: null, action: null, from: null, to: null });
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
    expect(filterProblem(filter({ brand: '', from: '2026-02-02', to: '2026-02-01' }))).toBe('The start date is after the end date.');
    expect(filterProblem(filter({ brand: '', from: '2026-13-01', to: '' }))).toMatch(/start date is not a date/);
    expect(filterProblem(filter({ brand: '', from: '2026-02-01', to: '2026-02-01' }))).toBeNull();
  });
});

describe('audit report address', () => {
  it('puts brand, days and format in the query string', () => {
    expect(reportUrl(filter({ brand: 'alpine', from: '2026-01-01', to: '2026-01-31' }), 'csv')).toBe(
      '/api/reports/audit?brand=alpine&from=2026-01-01&to=2026-01-31&format=csv',
    );
  });

  it('omits empty parts and escapes the rest', () => {
    expect(reportUrl(filter({ brand: '', from: '', to: '' }), 'json')).toBe('/api/reports/audit?format=json');
    expect(reportUrl(filter({ brand: 'a&b', from: '', to: '' }), 'csv')).toBe('/api/reports/audit?brand=a%26b&format=csv');
  });

  it('carries the actor and action filters, trimmed', () => {
    expect(reportUrl(filter({ actor: ' ed@example.com ', action: 'variant.publish' }), 'csv')).toBe(
      '/api/reports/audit?actor=ed%40example.com&action=variant.publish&format=csv',
    );
    expect(auditVariables(filter({ actor: 'ed@example.com', action: ' ' }))).toMatchObject({ actor: 'ed@example.com', action: null });
    expect(reportFileName(filter({ brand: 'alpine', actor: 'ed@example.com' }), 'csv')).toBe('vary-audit-alpine-ed_example_com.csv');
  });

  it('names the file after what it holds', () => {
    expect(reportFileName(filter({ brand: 'alpine', from: '', to: '' }), 'csv')).toBe('vary-audit-alpine.csv');
    expect(reportFileName(filter({ brand: '', from: '2026-01-01', to: '' }), 'json')).toBe('vary-audit-2026-01-01_now.json');
  });
});
