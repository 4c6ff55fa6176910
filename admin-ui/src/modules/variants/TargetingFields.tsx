import type { Device } from '../../api';
import { InlineError } from '../../ui/ErrorBox';
import { fromLocalInput, toLocalInput } from '../../ui/format';
import type { Brand } from '../session/SessionContext';
import { DEVICES, type VariantDraft } from './draft';

interface Props {
  brand: Brand;
  draft: VariantDraft;
  setDraft: (d: Partial<VariantDraft>) => void;
  disabled: boolean;
  problem: (field: string) => string | undefined;
}

const DEVICE_LABEL: Record<Device, string> = { MOBILE: 'Mobile', TABLET: 'Tablet', DESKTOP: 'Desktop', TV: 'TV', OTHER: 'Other' };

/** Devices, locale, priority and schedule: who else this variant is for, and when. */
export function TargetingFields({ brand, draft, setDraft, disabled, problem }: Props) {
  function toggleDevice(d: Device, on: boolean) {
    const set = new Set(draft.devices);
    if (on) set.add(d);
    else set.delete(d);
    setDraft({ devices: DEVICES.filter((x) => set.has(x)) });
  }
  const locales = brand.locales.includes(brand.defaultLocale) ? brand.locales : [brand.defaultLocale, ...brand.locales];
  const localeKnown = draft.locale === null || locales.includes(draft.locale);

  return (
    <section className="card form-grid" aria-labelledby="targeting-title">
      <h2 id="targeting-title" className="field-wide">Delivery</h2>
      <fieldset className="field field-wide">
        <legend>Devices</legend>
        <div className="checks">
          {DEVICES.map((d) => (
            <label key={d} className="check">
              <input type="checkbox" checked={draft.devices.includes(d)} onChange={(e) => toggleDevice(d, e.target.checked)} disabled={disabled} />
              {DEVICE_LABEL[d]}
            </label>
          ))}
        </div>
        <small className="muted">{draft.devices.length === 0 ? 'None ticked: shown on every device.' : 'Shown only on the ticked devices.'}</small>
      </fieldset>
      <div className="field">
        <label htmlFor="v-locale">Locale</label>
        <select id="v-locale" value={draft.locale ?? ''} onChange={(e) => setDraft({ locale: e.target.value || null })} disabled={disabled}>
          <option value="">None (default locale, {brand.defaultLocale})</option>
          {locales.map((l) => <option key={l} value={l}>{l}</option>)}
          {!localeKnown && draft.locale && <option value={draft.locale}>{draft.locale}</option>}
        </select>
      </div>
      <div className="field">
        <label htmlFor="v-priority">Priority</label>
        <input id="v-priority" inputMode="numeric" value={draft.priority} onChange={(e) => setDraft({ priority: e.target.value })} disabled={disabled} aria-describedby="v-priority-help" />
        <small id="v-priority-help" className="muted">Higher wins when several variants match.</small>
        <InlineError message={problem('priority')} />
      </div>
      <div className="field">
        <label htmlFor="v-starts">Starts (your local time)</label>
        <input id="v-starts" type="datetime-local" value={toLocalInput(draft.startsAt)} onChange={(e) => setDraft({ startsAt: fromLocalInput(e.target.value) })} disabled={disabled} />
      </div>
      <div className="field">
        <label htmlFor="v-ends">Ends (your local time)</label>
        <input id="v-ends" type="datetime-local" value={toLocalInput(draft.endsAt)} onChange={(e) => setDraft({ endsAt: fromLocalInput(e.target.value) })} disabled={disabled} />
        <InlineError message={problem('schedule')} />
      </div>
    </section>
  );
}
