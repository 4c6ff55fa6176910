import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import type { BrandFieldsFragment } from '../../api';
import { brandProblems, draftFromBrand, hasChanges, placeBrandError, toUpdateInput, withDefaultLocale } from './brandForm';

const alpine: BrandFieldsFragment = {
  slug: 'alpine',
  name: 'Alpine Outfitters',
  defaultLocale: 'en',
  locales: ['en', 'de'],
  version: 3,
  usageKeptSince: null,
  previewUrl: null,
  policy: {
    minQuality: 0.5, requireApproval: false, bannedTerms: ['cheap'], requiredDisclaimer: null, maxTitleLength: 60, usageAttributes: [],
    consentRequired: false, usageRetentionDays: null,
  },
};

describe('toUpdateInput', () => {
  it('sends nothing when nothing changed', () => {
    expect(hasChanges(toUpdateInput(alpine, draftFromBrand(alpine)))).toBe(false);
  });

  it('sends only the changed values, policy values one by one', () => {
    const d = { ...draftFromBrand(alpine), name: ' Alpine ', minQuality: 0.7, bannedTerms: ['cheap', 'bargain'] };
    expect(toUpdateInput(alpine, d)).toEqual({ name: 'Alpine', policy: { minQuality: 0.7, bannedTerms: ['cheap', 'bargain'] } });
  });

  it('clears the disclaimer with an empty text and sets the maximum as a number', () => {
    const withDisclaimer = { ...alpine, policy: { ...alpine.policy, requiredDisclaimer: 'Terms apply.' } };
    const d = { ...draftFromBrand(withDisclaimer), requiredDisclaimer: '  ', maxTitleLength: '72' };
    expect(toUpdateInput(withDisclaimer, d)).toEqual({ policy: { requiredDisclaimer: '', maxTitleLength: 72 } });
  });

  it('sends locales and the default locale', () => {
    const d = { ...draftFromBrand(alpine), locales: ['de', 'en', 'fr'], defaultLocale: 'de' };
    expect(toUpdateInput(alpine, d)).toEqual({ defaultLocale: 'de', locales: ['de', 'en', 'fr'] });
  });
});

describe('privacy settings', () => {
  it('sends consent and retention, and clears retention with an empty field', () => {
    const d = { ...draftFromBrand(alpine), consentRequired: true, usageRetentionDays: ' 90 ' };
    expect(toUpdateInput(alpine, d)).toEqual({ policy: { consentRequired: true, usageRetentionDays: 90 } });
    const kept = { ...alpine, policy: { ...alpine.policy, usageRetentionDays: 90 } };
    expect(toUpdateInput(kept, { ...draftFromBrand(kept), usageRetentionDays: '' })).toEqual({ policy: { usageRetentionDays: null } });
    expect(hasChanges(toUpdateInput(kept, draftFromBrand(kept)))).toBe(false);
  });

  it('refuses retentions that are not whole days from 1 to 36,500', () => {
    for (const days of ['0', '-1', '1.5', 'a year', '36501']) {
      expect(brandProblems({ ...draftFromBrand(alpine), usageRetentionDays: days }, alpine).usageRetentionDays).toBeTruthy();
    }
    expect(brandProblems({ ...draftFromBrand(alpine), usageRetentionDays: '365' }, alpine)).toEqual({});
  });

  it('places the server\'s retention message next to its field', () => {
    const err = new ApiError('BAD_INPUT', 'policy.usageRetentionDays must be between 1 and 36500 (or null: keep forever)');
    expect(placeBrandError(err, draftFromBrand(alpine)).fields.usageRetentionDays).toMatch(/usageRetentionDays/);
  });
});

describe('brandProblems', () => {
  it('accepts the saved brand', () => {
    expect(brandProblems(draftFromBrand(alpine), alpine)).toEqual({});
  });

  it('names each problem by field', () => {
    const d = { ...draftFromBrand(alpine), name: ' ', minQuality: 1.5, maxTitleLength: '0', locales: ['en', 'english'], defaultLocale: 'fr' };
    const p = brandProblems(d, alpine);
    expect(Object.keys(p).sort()).toEqual(['defaultLocale', 'locales', 'maxTitleLength', 'minQuality', 'name']);
    expect(p.locales).toContain('english');
  });

  it('says that a maximum cannot be removed once set', () => {
    expect(brandProblems({ ...draftFromBrand(alpine), maxTitleLength: '' }, alpine).maxTitleLength).toMatch(/cannot be removed/);
    const none = { ...alpine, policy: { ...alpine.policy, maxTitleLength: null } };
    expect(brandProblems(draftFromBrand(none), none)).toEqual({});
  });

  it('keeps the default locale among the locales', () => {
    expect(withDefaultLocale(['de'], 'en')).toEqual(['en', 'de']);
    expect(withDefaultLocale(['en', 'de'], 'en')).toEqual(['en', 'de']);
  });
});

describe('placeBrandError', () => {
  const d = draftFromBrand(alpine);
  it('puts policy faults next to their field', () => {
    const placed = placeBrandError(new ApiError('BAD_INPUT', 'policy.minQuality must be between 0 and 1'), d);
    expect(placed).toEqual({ fields: { minQuality: 'policy.minQuality must be between 0 and 1' }, general: null });
  });

  it('puts name and locale faults next to their field', () => {
    expect(placeBrandError(new ApiError('BAD_INPUT', 'name must have 1 to 200 characters'), d).fields.name).toBeDefined();
    expect(placeBrandError(new ApiError('BAD_INPUT', '`xx_1` is not a locale tag like en or de-CH'), d).fields.locales).toBeDefined();
    const odd = { ...d, defaultLocale: 'english' };
    expect(placeBrandError(new ApiError('BAD_INPUT', '`english` is not a locale tag like en or de-CH'), odd).fields.defaultLocale).toBeDefined();
  });

  it('honours extensions.field', () => {
    expect(placeBrandError(new ApiError('BAD_INPUT', 'too many', { field: 'policy.bannedTerms' }), d).fields).toEqual({ bannedTerms: 'too many' });
  });

  it('says anything else in words by the save button', () => {
    const placed = placeBrandError(new ApiError('FORBIDDEN', 'admins only'), d);
    expect(placed.fields).toEqual({});
    expect(placed.general).toMatch(/may not do this/);
  });
});
