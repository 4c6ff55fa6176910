import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { AudienceNamesDocument, CreateVariantDocument, request, UpdateVariantDocument, useQuery, type VariantFullFragment } from '../../api';
import { FieldsForm, type FieldDef } from '../../fields';
import { ruleMessageInWords, serverRuleIssue, splitRuleMessage, validateRule } from '../../rules';
import { InlineError } from '../../ui/ErrorBox';
import { TagsInput } from '../../ui/TagsInput';
import { useUnsavedWarning } from '../../ui/useUnsavedWarning';
import { RuleBuilder } from '../rules/RuleBuilder';
import type { Brand } from '../session/SessionContext';
import { draftFromVariant, draftProblems, emptyDraft, isDirty, toCreateInput, toPatch, type VariantDraft } from './draft';
import { placeChecks } from './qualityPlacement';
import { QualityNotes } from './QualityNotes';
import { placeSaveError, type PlacedErrors } from './saveErrors';
import { TargetingFields } from './TargetingFields';

interface Props {
  brand: Brand;
  entryId: string;
  defs: FieldDef[];
  variant: VariantFullFragment | null;
  editable: boolean;
  onSaved: (v: VariantFullFragment, created: boolean, allowLeave: () => void) => void;
  onReload: () => void;
  onDirtyChange?: (dirty: boolean) => void;
}

const NO_ERRORS: PlacedErrors = { conflict: false, fields: {}, rule: null, general: null };

export function VariantForm({ brand, entryId, defs, variant, editable, onSaved, onReload, onDirtyChange }: Props) {
  const [draft, setDraftState] = useState<VariantDraft>(() => (variant ? draftFromVariant(variant) : emptyDraft()));
  const [invalid, setInvalid] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<PlacedErrors>(NO_ERRORS);
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const audienceNames = useQuery(AudienceNamesDocument, { brand: brand.slug }).data?.audiences.map((a) => a.name);

  const dirty = isDirty(variant, draft);
  const allowLeave = useUnsavedWarning(dirty);
  useEffect(() => onDirtyChange?.(dirty), [dirty, onDirtyChange]);
  const ruleIssues = useMemo(() => validateRule(draft.rule), [draft.rule]);
  const serverRule = errors.rule ? serverRuleIssue(draft.rule, errors.rule, errors.rulePath) : null;
  const problems = draftProblems(draft);
  // Quality checks of the saved revision, placed beside what they concern.
  const placed = useMemo(() => placeChecks(variant?.quality.checks ?? []), [variant]);
  const fieldNotes = useMemo(
    () => Object.fromEntries(Object.entries(placed.byField).map(([name, checks]) => [name, <QualityNotes checks={checks} stale={dirty} label={`Quality notes on ${name}`} />])),
    [placed, dirty],
  );
  const problem = (f: string) => (tried ? problems.find((p) => p.field === f)?.message : undefined);

  function setDraft(next: Partial<VariantDraft>) {
    setDraftState((d) => ({ ...d, ...next }));
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    setErrors(NO_ERRORS);
    if (problems.length || ruleIssues.length || Object.keys(invalid).length) return;
    setBusy(true);
    try {
      if (!variant) {
        const res = await request(CreateVariantDocument, { input: toCreateInput(entryId, draft) });
        onSaved(res.createVariant, true, allowLeave);
      } else {
        const res = await request(UpdateVariantDocument, { id: variant.id, expectedVersion: variant.version, patch: toPatch(variant, draft) });
        onSaved(res.updateVariant, false, allowLeave);
      }
    } catch (err) {
      setErrors(placeSaveError(err, defs.map((d) => d.name)));
    } finally {
      setBusy(false);
    }
  }

  const disabled = !editable || busy;
  const blocked = tried && (problems.length > 0 || ruleIssues.length > 0 || Object.keys(invalid).length > 0);
  return (
    <form className="variant-form" onSubmit={save} noValidate aria-label="Variant">
      {errors.conflict && (
        <div className="conflict" role="alert">
          <p><strong>Someone else saved this variant</strong> while you were editing it. Reload to see their version (your unsaved changes will be lost), or keep editing and copy your changes first.</p>
          <div className="actions">
            <button type="button" className="btn btn-primary" onClick={() => { allowLeave(); onReload(); }}>Reload</button>
            <button type="button" className="btn" onClick={() => setErrors(NO_ERRORS)}>Keep editing</button>
          </div>
        </div>
      )}
      <section className="card">
        <div className="field">
          <label htmlFor="v-name">Name</label>
          <input id="v-name" value={draft.name} onChange={(e) => setDraft({ name: e.target.value })} disabled={disabled} aria-describedby="v-name-err" required />
          <InlineError id="v-name-err" message={problem('name')} />
        </div>
        <div className="field">
          <label htmlFor="v-tags">Tags</label>
          <TagsInput id="v-tags" tags={draft.tags} onChange={(tags) => setDraft({ tags })} disabled={disabled} />
        </div>
      </section>
      <section className="card" aria-labelledby="fields-title">
        <h2 id="fields-title">Content</h2>
        {defs.length === 0 && <p className="muted">This content type has no fields.</p>}
        <QualityNotes checks={placed.fields} stale={dirty} label="Quality notes on the content" />
        <FieldsForm fieldNotes={fieldNotes} defs={defs} values={draft.fields} onChange={(fields) => setDraft({ fields })} errors={errors.fields} invalid={invalid} onInvalidChange={setInvalid} disabled={disabled} brand={brand.slug} brandMaxTitle={brand.policy.maxTitleLength} />
      </section>
      <section className="card" aria-labelledby="audience-title">
        <h2 id="audience-title">Audience</h2>
        <QualityNotes checks={placed.rule} stale={dirty} label="Quality notes on the audience rule" />
        <RuleBuilder
          tree={draft.rule}
          onChange={(rule) => setDraft({ rule })}
          disabled={disabled}
          issues={[...(tried ? ruleIssues : ruleIssues.filter((i) => !i.message.startsWith('Name the'))), ...(serverRule ? [serverRule] : [])]}
          attributes={brand.policy.usageAttributes}
          audiences={audienceNames}
          serverError={errors.rule && !serverRule ? ruleMessageInWords(splitRuleMessage(errors.rule).text) : null}
        />
      </section>
      <TargetingFields brand={brand} draft={draft} setDraft={setDraft} disabled={disabled} problem={problem} />
      {editable && (
        <div className="save-bar">
          {errors.general && <p className="field-error" role="alert">{errors.general}</p>}
          {blocked && <p className="field-error" role="alert">Fix the marked problems before saving.</p>}
          <span className="muted" aria-live="polite">{dirty ? 'Unsaved changes' : variant ? 'All changes saved' : ''}</span>
          <button type="submit" className="btn btn-primary" disabled={busy || (!dirty && !!variant)}>
            {busy ? 'Saving…' : variant ? 'Save changes' : 'Create variant'}
          </button>
        </div>
      )}
    </form>
  );
}
