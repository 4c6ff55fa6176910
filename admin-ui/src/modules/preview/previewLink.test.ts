import { describe, expect, it } from 'vitest';
import { previewHref, previewUrlProblem, storedPreviewToken, storePreviewToken } from './previewLink';

describe('Open preview', () => {
  it('fills the key and token, encoded', () => {
    expect(previewHref('https://site.example/{key}?vary_preview={token}', 'home hero', 'vk_a/b'))
      .toBe('https://site.example/home%20hero?vary_preview=vk_a%2Fb');
    expect(previewHref('http://localhost:3000/p/{key}', 'x', 't')).toBe('http://localhost:3000/p/x');
  });

  it('never makes a link that is not http(s)', () => {
    expect(previewHref('javascript:alert(1)//{key}', 'x', 't')).toBeNull();
    expect(previewHref('/relative/{key}', 'x', 't')).toBeNull();
  });

  it('checks a template as the server does', () => {
    expect(previewUrlProblem('')).toBeNull();
    expect(previewUrlProblem('https://site.example/{key}?vary_preview={token}')).toBeNull();
    expect(previewUrlProblem('https://site.example/page')).toMatch(/\{key\}/);
    expect(previewUrlProblem('ftp://site.example/{key}')).toMatch(/https:\/\//);
    expect(previewUrlProblem('https://site.example/{key} x')).toMatch(/spaces/);
    expect(previewUrlProblem('https://{key}.site.example/')).toMatch(/cannot be the host/);
    expect(previewUrlProblem('https:///{key}')).toMatch(/cannot be the host/);
  });

  it('keeps the token per brand, and forgets it', () => {
    const map = new Map<string, string>();
    const storage = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
    expect(storedPreviewToken('alpine', storage)).toBeNull();
    storePreviewToken('alpine', ' tok ', storage);
    expect(storedPreviewToken('alpine', storage)).toBe('tok');
    expect(storedPreviewToken('nordbank', storage)).toBeNull();
    storePreviewToken('alpine', null, storage);
    expect(storedPreviewToken('alpine', storage)).toBeNull();
  });
});
