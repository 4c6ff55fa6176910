import { describe, expect, it } from 'vitest';
import { ApiError, describeError, isRetryable, messageForField } from './errors';

describe('errors a person can meet, in words that say what to do', () => {
  it('a duplicate key names it and asks for another', () => {
    const text = describeError(new ApiError('CONFLICT', 'entry `home-hero` already exists in this brand'));
    expect(text).toBe('An entry with the key “home-hero” already exists in this brand. Choose another key.');
    expect(text).not.toMatch(/clashes|`/);
  });
  it('a field that is too long says by how much, next to the field', () => {
    const err = new ApiError('BAD_INPUT', 'field `title`: is 98 characters long; at most 80 allowed');
    expect(messageForField(err, 'title')).toBe('“title” is 98 characters long; at most 80 are allowed. Shorten it by 18 characters.');
    expect(messageForField(err, 'body')).toBeNull();
  });
  it('a refusal says who to ask, without the server’s wording or a retry', () => {
    const err = new ApiError('FORBIDDEN', 'not allowed to do this in brand `nordbank`');
    expect(describeError(err)).toBe('Your account may not do this in the brand “nordbank”. Ask an administrator if you need to.');
    expect(isRetryable(err)).toBe(false);
    expect(isRetryable(new ApiError('NETWORK', 'x'))).toBe(true);
  });
  it('a stale save says to reload', () => {
    expect(describeError(new ApiError('CONFLICT', 'stale version: expected 3, found 4'))).toMatch(/^Someone else saved a change here.*Reload/);
  });
});
