/**
 * The brand settings form as plain values: the draft of a brand, its
 * problems before saving, the `updateBrand` input with only what changed, and
 * where a BAD_INPUT answer belongs.
 */
import { asApiError, describeError, type BrandFieldsFragment, type UpdateBrandInput } from '../../api';

export interface BrandDraft {
  name: string;
  defaultLocale: string;
  locales: string[];
  minQuality: number;
  requireApproval: boolean;
  bannedTerms: string[];
  requiredDisclaimer: string;
  /** As typed: '' for no maximum. */
  maxTitleLength: string;
  usageAttributes: string[];
  consentRequired: boolean;
  /** As typed: '' keeps usage events forever. */
  usageRetentionDays: string;
}

/** The longest retention the server takes, in days. */
export const MAX_RETENTION_DAYS = 36_500;

export type BrandField = keyof BrandDraft;

export function draftFromBrand(b: BrandFieldsFragment): BrandDraft {
  return {
    name: b.name,
    defaultLocale: b.defaultLocale,
    locales: [...b.locales],
    minQuality: b.policy.minQuality,
    requireApproval: b.policy.requireApproval,
    bannedTerms: [...b.policy.bannedTerms],
    requiredDisclaimer: b.policy.requiredDisclaimer ?? '',
    maxTitleLength: b.policy.maxTitleLength == null ? '' : String(b.policy.maxTitleLength),
    usageAttributes: [...b.policy.usageAttributes],
    consentRequired: b.policy.consentRequired,
    usageRetentionDays: b.policy.usageRetentionDays == null ? '' : String(b.policy.usageRetentionDays),
  };
}

/** Locales with the default one always among them (the server keeps it first). */
export function withDefaultLocale(locales: string[], defaultLocale: string): string[] {
  return !defaultLocale || locales.includes(defaultLocale) ? locales : [defaultLocale, ...locales];
}

const LOCALE = /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/;

/** Problems the form can see before asking the server, by field. */
export function brandProblems(d: BrandDraft, saved: BrandFieldsFragment): Partial<Record<BrandField, string>> {
  const out: Partial<Record<BrandField, string>> = {};
  if (!d.name.trim()) out.name = 'Give the brand a name.';
  else if ([...d.name.trim()].length > 200) out.name = 'The name may have at most 200 characters.';
  const bad = d.locales.find((l) => !LOCALE.test(l));
  if (bad) out.locales = `“${bad}” is not a locale tag like en or de-CH.`;
  else if (d.locales.length === 0) out.locales = 'Add at least one locale.';
  if (!d.defaultLocale) out.defaultLocale = 'Choose the default locale.';
  else if (!d.locales.includes(d.defaultLocale)) out.defaultLocale = 'The default locale must be one of the locales.';
  if (!Number.isFinite(d.minQuality) || d.minQuality < 0 || d.minQuality > 1) out.minQuality = 'Enter a minimum quality from 0 to 100.';
  const max = d.maxTitleLength.trim();
  if (max === '') {
    if (saved.policy.maxTitleLength != null) out.maxTitleLength = 'A maximum once set cannot be removed here; enter a number of characters.';
  } else if (!/^\d+$/.test(max) || Number(max) < 1) out.maxTitleLength = 'Enter a whole number of characters, at least 1.';
  if (d.bannedTerms.some((t) => !t.trim())) out.bannedTerms = 'Banned terms must not be empty.';
  if (d.usageAttributes.some((t) => !t.trim())) out.usageAttributes = 'Attribute names must not be empty.';
  const days = d.usageRetentionDays.trim();
  if (days !== '' && (!/^\d+$/.test(days) || Number(days) < 1 || Number(days) > MAX_RETENTION_DAYS)) {
    out.usageRetentionDays = `Enter a whole number of days from 1 to ${MAX_RETENTION_DAYS}, or leave it empty to keep usage forever.`;
  }
  return out;
}

const sameList = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The `updateBrand` input holding only what differs from the saved brand (empty when nothing does). */
export function toUpdateInput(saved: BrandFieldsFragment, d: BrandDraft): UpdateBrandInput {
  const input: UpdateBrandInput = {};
  const name = d.name.trim();
  if (name !== saved.name) input.name = name;
  if (d.defaultLocale !== saved.defaultLocale) input.defaultLocale = d.defaultLocale;
  if (!sameList(d.locales, saved.locales)) input.locales = d.locales;
  const p = saved.policy;
  const policy: NonNullable<UpdateBrandInput['policy']> = {};
  if (d.minQuality !== p.minQuality) policy.minQuality = d.minQuality;
  if (d.requireApproval !== p.requireApproval) policy.requireApproval = d.requireApproval;
  if (!sameList(d.bannedTerms, p.bannedTerms)) policy.bannedTerms = d.bannedTerms;
  // An empty disclaimer is sent as "": the server then requires none.
  if (d.requiredDisclaimer.trim() !== (p.requiredDisclaimer ?? '')) policy.requiredDisclaimer = d.requiredDisclaimer.trim();
  const max = d.maxTitleLength.trim() === '' ? null : Number(d.maxTitleLength.trim());
  if (max !== null && max !== p.maxTitleLength) policy.maxTitleLength = max;
  if (!sameList(d.usageAttributes, p.usageAttributes)) policy.usageAttributes = d.usageAttributes;
  if (d.consentRequired !== p.consentRequired) policy.consentRequired = d.consentRequired;
  // An empty retention is sent as null: the server then keeps usage forever.
  const days = d.usageRetentionDays.trim() === '' ? null : Number(d.usageRetentionDays.trim());
  if (days !== (p.usageRetentionDays ?? null)) policy.usageRetentionDays = days;
  if (Object.keys(policy).length) input.policy = policy;
  return input;
}

export function hasChanges(input: UpdateBrandInput): boolean {
  return Object.keys(input).length > 0;
}

export interface PlacedBrandError {
  fields: Partial<Record<BrandField, string>>;
  general: string | null;
}

const POLICY_KEYS: BrandField[] = [
  'minQuality', 'requireApproval', 'bannedTerms', 'requiredDisclaimer', 'maxTitleLength', 'usageAttributes', 'consentRequired', 'usageRetentionDays',
];

/**
 * A failed save's message next to the field it names (`policy.minQuality …`,
 * `name must …`, `` `xx` is not a locale tag``), or by the save button.
 */
export function placeBrandError(err: unknown, draft: BrandDraft): PlacedBrandError {
  const e = asApiError(err);
  if (e.code === 'BAD_INPUT') {
    const m = e.message;
    const named = typeof e.extensions.field === 'string' ? e.extensions.field.replace(/^policy\./, '') : null;
    if (named && (POLICY_KEYS as string[]).concat(['name', 'locales', 'defaultLocale']).includes(named)) {
      return { fields: { [named]: m }, general: null };
    }
    const policy = /\bpolicy\.(\w+)/.exec(m)?.[1];
    if (policy && (POLICY_KEYS as string[]).includes(policy)) return { fields: { [policy]: m }, general: null };
    if (/^name\b/i.test(m)) return { fields: { name: m }, general: null };
    const locale = /`([^`]*)` is not a locale tag/.exec(m)?.[1];
    if (locale !== undefined) {
      const field: BrandField = locale === draft.defaultLocale && !draft.locales.includes(locale) ? 'defaultLocale' : 'locales';
      return { fields: { [field]: m }, general: null };
    }
  }
  return { fields: {}, general: describeError(err) };
}
