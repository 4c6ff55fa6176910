import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { placeSaveError } from './saveErrors';

describe('placeSaveError', () => {
  it('marks a stale version as a conflict', () => {
    expect(placeSaveError(new ApiError('CONFLICT', 'stale version'), []).conflict).toBe(true);
  });

  it('puts a BAD_INPUT naming a field next to that field', () => {
    const placed = placeSaveError(new ApiError('BAD_INPUT', 'field "title" is longer than 60 characters'), ['title', 'body']);
    expect(placed.fields).toEqual({ title: 'Field "title" is longer than 60 characters.' });
    expect(placed.general).toBeNull();
  });

  it('honours extensions.field', () => {
    const placed = placeSaveError(new ApiError('BAD_INPUT', 'too long', { field: 'body' }), ['title', 'body']);
    expect(placed.fields).toEqual({ body: 'Too long.' });
  });

  it('puts rule faults by the rule builder with their path', () => {
    const placed = placeSaveError(new ApiError('BAD_INPUT', 'malformed rule: unknown op', { path: '$.all[0].op' }), ['title']);
    expect(placed.rule).toBe('malformed rule: unknown op');
    expect(placed.rulePath).toBe('$.all[0].op');
  });

  it('says anything else in words by the save button', () => {
    expect(placeSaveError(new ApiError('FORBIDDEN', 'editors only'), []).general).toMatch(/may not do this/);
  });
});
