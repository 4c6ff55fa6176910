import { useMemo, useState, type FormEvent } from 'react';
import { useParams } from 'react-router-dom';
import { request, UpdateBrandDocument } from '../../api';
import { InlineError } from '../../ui/ErrorBox';
import { fromPercent, toPercent } from '../../ui/quality';
import { TagsInput } from '../../ui/TagsInput';
import { useUnsavedWarning } from '../../ui/useUnsavedWarning';
import { useBrand, useSessionApi, type Brand } from '../session/SessionContext';
import {
  brandProblems, draftFromBrand, hasChanges, MAX_RETENTION_DAYS, placeBrandError, toUpdateInput, withDefaultLocale, type BrandDraft, type BrandField,
  type PlacedBrandError,
} from './brandForm';
import { PreviewSettings } from '../preview/PreviewSettings';
import { PolicyImpact, usePolicyImpact } from './PolicyImpact';

/** Admins edit a brand's name, locales and content policy. */
export function BrandSettingsPage() {
  const { brand: slug = '' } = useParams();
  const brand = useBrand(slug);
  if (!brand) {
    return (
      <section className="page">
        <h1>Not found</h1>
        <p>There is no brand “{slug}”, or it is not visible to you.</p>
      </section>
    );
  }
  return (
    <section className="page">
      <h1>Brand settings: {brand.name}</h1>
      <p className="muted">Name, locales and content policy of this brand. Switch brands with the selector at the top.</p>
      {/* Another brand starts a fresh form. */}
      <BrandForm key={brand.slug} brand={brand} />
      <PreviewSettings key={`preview-${brand.slug}`} brand={brand} />
    </section>
  );
}

const NO_ERRORS: PlacedBrandError = { fields: {}, general: null };

function BrandForm({ brand }: { brand: Brand }) {
  const { replaceBrand } = useSessionApi();
  const [draft, setDraftState] = useState<BrandDraft>(() => draftFromBrand(brand));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<PlacedBrandError>(NO_ERRORS);
  const [saved, setSaved] = useState(false);

  const input = useMemo(() => toUpdateInput(brand, draft), [brand, draft]);
  const dirty = hasChanges(input);
  useUnsavedWarning(dirty);
  const problems = brandProblems(draft, brand);
  const blocked = Object.keys(problems).length > 0;
  const impact = usePolicyImpact(brand.slug, brand.policy.minQuality, draft.minQuality);
  const takenOff = impact.off?.length ?? 0;

  function setDraft(next: Partial<BrandDraft>) {
    setSaved(false);
    setDraftState((d) => ({ ...d, ...next }));
  }

  /** The message under one field: a problem once saving was tried, else the server's answer. */
  const message = (f: BrandField) => (tried ? problems[f] : undefined) ?? errors.fields[f];
  const describe = (f: BrandField) => ({ 'aria-describedby': `bs-${f}-err`, 'aria-invalid': message(f) ? true : undefined });

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    setErrors(NO_ERRORS);
    if (blocked || !dirty) return;
    setBusy(true);
    try {
      const res = await request(UpdateBrandDocument, { slug: brand.slug, input });
      setDraftState(draftFromBrand(res.updateBrand));
      setTried(false);
      setSaved(true);
      replaceBrand(res.updateBrand);
    } catch (err) {
      setErrors(placeBrandError(err, draft));
    } finally {
      setBusy(false);
    }
  }

  const pct = Math.round(draft.minQuality * 100);
  return (
    <form className="brand-form" onSubmit={save} noValidate aria-label="Brand settings">
      <section className="card form-grid" aria-labelledby="bs-general">
        <h2 id="bs-general" className="field-wide">General <code className="muted">{brand.slug}</code></h2>
        <div className="field field-wide">
          <label htmlFor="bs-name">Name</label>
          <input id="bs-name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} disabled={busy} required {...describe('name')} />
          <InlineError id="bs-name-err" message={message('name')} />
        </div>
        <div className="field">
          <label htmlFor="bs-locales">Locales</label>
          <TagsInput
            id="bs-locales"
            tags={draft.locales}
            onChange={(locales) => setDraft({ locales: withDefaultLocale(locales, draft.defaultLocale) })}
            disabled={busy}
            placeholder="Add a locale like de-CH and press Enter"
            itemLabel="locale"
            describedBy="bs-locales-err"
            invalid={!!message('locales')}
          />
          <small className="muted">The default locale is always one of them.</small>
          <InlineError id="bs-locales-err" message={message('locales')} />
        </div>
        <div className="field">
          <label htmlFor="bs-default-locale">Default locale</label>
          <select id="bs-default-locale" value={draft.defaultLocale} onChange={(e) => setDraft({ defaultLocale: e.target.value })} disabled={busy} {...describe('defaultLocale')}>
            {draft.locales.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>
          <small className="muted">Served when a visitor’s language is not among the locales.</small>
          <InlineError id="bs-defaultLocale-err" message={message('defaultLocale')} />
        </div>
      </section>

      <section className="card form-grid" aria-labelledby="bs-policy">
        <h2 id="bs-policy" className="field-wide">Content policy</h2>
        <div className="field">
          <label htmlFor="bs-min-quality">Minimum quality</label>
          <div className="slider-row">
            <input
              type="range" min={0} max={100} step={5} value={Number.isFinite(pct) ? pct : 0} disabled={busy}
              aria-label="Minimum quality (slider)" onChange={(e) => setDraft({ minQuality: fromPercent(e.target.value) })}
            />
            <input
              id="bs-min-quality" type="number" min={0} max={100} step={1} inputMode="numeric" className="number-small" disabled={busy}
              value={Number.isFinite(draft.minQuality) ? toPercent(draft.minQuality) : ''}
              onChange={(e) => setDraft({ minQuality: e.target.value === '' ? Number.NaN : fromPercent(e.target.value) })}
              {...describe('minQuality')}
            />
            <span className="muted">of 100</span>
          </div>
          <small className="muted">Variants scoring below {Number.isFinite(pct) ? pct : '…'} (of 100) are not served.</small>
          <InlineError id="bs-minQuality-err" message={message('minQuality')} />
          <PolicyImpact brand={brand.slug} next={draft.minQuality} impact={impact} />
        </div>
        <div className="field">
          <label htmlFor="bs-max-title">Maximum title length</label>
          <input id="bs-max-title" type="number" min={1} step={1} inputMode="numeric" className="number-small" value={draft.maxTitleLength} disabled={busy}
            onChange={(e) => setDraft({ maxTitleLength: e.target.value })} placeholder="no limit" {...describe('maxTitleLength')} />
          <small className="muted">Characters; longer titles fail the quality check.</small>
          <InlineError id="bs-maxTitleLength-err" message={message('maxTitleLength')} />
        </div>
        <div className="field field-wide">
          <label className="check" htmlFor="bs-approval">
            <input id="bs-approval" type="checkbox" checked={draft.requireApproval} disabled={busy} onChange={(e) => setDraft({ requireApproval: e.target.checked })} {...describe('requireApproval')} />
            Require approval before publishing
          </label>
          <small className="muted">When on, a reviewer must approve every revision; editors cannot publish.</small>
          <InlineError id="bs-requireApproval-err" message={message('requireApproval')} />
        </div>
        <div className="field field-wide">
          <label htmlFor="bs-banned">Banned terms</label>
          <TagsInput id="bs-banned" tags={draft.bannedTerms} onChange={(bannedTerms) => setDraft({ bannedTerms })} disabled={busy}
            placeholder="Add a word or phrase and press Enter" itemLabel="term" describedBy="bs-bannedTerms-err" invalid={!!message('bannedTerms')} />
          <small className="muted">Whole words or phrases, in any case; content using them fails the quality check.</small>
          <InlineError id="bs-bannedTerms-err" message={message('bannedTerms')} />
        </div>
        <div className="field field-wide">
          <label htmlFor="bs-disclaimer">Required disclaimer</label>
          <textarea id="bs-disclaimer" rows={2} value={draft.requiredDisclaimer} disabled={busy} onChange={(e) => setDraft({ requiredDisclaimer: e.target.value })} {...describe('requiredDisclaimer')} />
          <small className="muted">Every variant’s text must contain it. Leave empty for none.</small>
          <InlineError id="bs-requiredDisclaimer-err" message={message('requiredDisclaimer')} />
        </div>
        <div className="field field-wide">
          <label htmlFor="bs-usage">Usage attributes</label>
          <TagsInput id="bs-usage" tags={draft.usageAttributes} onChange={(usageAttributes) => setDraft({ usageAttributes })} disabled={busy}
            placeholder="Add an attribute name and press Enter" itemLabel="attribute" describedBy="bs-usageAttributes-err" invalid={!!message('usageAttributes')} />
          <small className="muted">Audience attributes that may be stored with usage events; the rule builder suggests them. Keep personal data out.</small>
          <InlineError id="bs-usageAttributes-err" message={message('usageAttributes')} />
        </div>
      </section>

      <section className="card form-grid" aria-labelledby="bs-privacy">
        <h2 id="bs-privacy" className="field-wide">Privacy</h2>
        <div className="field field-wide">
          <label className="check" htmlFor="bs-consent">
            <input id="bs-consent" type="checkbox" checked={draft.consentRequired} disabled={busy} onChange={(e) => setDraft({ consentRequired: e.target.checked })} {...describe('consentRequired')} />
            Require consent
          </label>
          <small className="muted">
            When on, a visitor whose app does not say they consented is neither personalized (only variants without a rule or devices are served)
            nor measured (their impressions are counted without user key or attributes). Apps send <code>consent</code> in the context.
          </small>
          <InlineError id="bs-consentRequired-err" message={message('consentRequired')} />
        </div>
        <div className="field">
          <label htmlFor="bs-retention">Keep usage events for (days)</label>
          <input id="bs-retention" type="number" min={1} max={MAX_RETENTION_DAYS} step={1} inputMode="numeric" className="number-small" value={draft.usageRetentionDays} disabled={busy}
            onChange={(e) => setDraft({ usageRetentionDays: e.target.value })} placeholder="forever" {...describe('usageRetentionDays')} />
          <small className="muted">Older events are deleted at least once a day. Leave empty to keep them forever.</small>
          <InlineError id="bs-usageRetentionDays-err" message={message('usageRetentionDays')} />
        </div>
        <div className="field">
          <span className="label">Reports complete since</span>
          <p data-testid="usage-kept-since">{brand.usageKeptSince ? new Date(brand.usageKeptSince).toISOString().replace('.000Z', 'Z') : 'the first event (nothing deleted yet)'}</p>
        </div>
      </section>

      <div className="save-bar">
        {errors.general && <p className="field-error" role="alert">{errors.general}</p>}
        {tried && blocked && <p className="field-error" role="alert">Fix the marked problems before saving.</p>}
        <span className="muted" aria-live="polite">{dirty ? 'Unsaved changes' : saved ? 'Saved' : 'No changes'}</span>
        {dirty && <button type="button" className="btn" disabled={busy} onClick={() => { setDraftState(draftFromBrand(brand)); setTried(false); setErrors(NO_ERRORS); }}>Discard changes</button>}
        <button type="submit" className="btn btn-primary" disabled={busy || !dirty}>{busy ? 'Saving…' : takenOff > 0 ? `Save and take ${takenOff} off the air` : 'Save settings'}</button>
      </div>
    </form>
  );
}
