import { useMemo, useState, type FormEvent } from 'react';
import { asApiError, CreateAudienceDocument, describeError, request, UpdateAudienceDocument, type AudienceFullFragment } from '../../api';
import { parseRule, ruleMessageInWords, serializeRule, serverRuleIssue, splitRuleMessage, validateRule, type Json, type RuleTree } from '../../rules';
import { RuleBuilder } from '../rules/RuleBuilder';
import { audienceNameProblem } from './audienceText';

interface Props {
  brand: string;
  /** The audience being changed; null creates one. */
  audience: AudienceFullFragment | null;
  /** The brand's other audiences, which this one may use. */
  others: string[];
  attributes: string[];
  onSaved: (a: AudienceFullFragment) => void;
  onCancel: () => void;
}

/** Creates an audience or changes its rule (with `expectedVersion`) in the rule builder. */
export function AudienceForm({ brand, audience, others, attributes, onSaved, onCancel }: Props) {
  const [name, setName] = useState(audience?.name ?? '');
  const [tree, setTree] = useState<RuleTree>(() => parseRule((audience?.rule ?? null) as Json));
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [ruleError, setRuleError] = useState<{ message: string; path?: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const issues = useMemo(() => validateRule(tree), [tree]);
  const nameProblem = audience ? null : audienceNameProblem(name, others);
  const emptyRule = tree === null ? 'An audience needs a rule: add at least one condition.' : null;
  const serverIssue = ruleError ? serverRuleIssue(tree, ruleError.message, ruleError.path) : null;

  async function save(e: FormEvent) {
    e.preventDefault();
    setTried(true);
    if (nameProblem || emptyRule || issues.length) return;
    setBusy(true);
    setError(null);
    setRuleError(null);
    try {
      const rule = serializeRule(tree);
      const saved = audience
        ? (await request(UpdateAudienceDocument, { id: audience.id, expectedVersion: audience.version, rule })).updateAudience
        : (await request(CreateAudienceDocument, { brand, name: name.trim(), rule })).createAudience;
      onSaved(saved);
    } catch (err) {
      const api = asApiError(err);
      if (api.code === 'BAD_INPUT' && /^rule\b/.test(api.message)) setRuleError({ message: api.message, path: api.extensions.path });
      else setError(describeError(err));
    } finally {
      setBusy(false);
    }
  }

  const title = audience ? `Edit audience ${audience.name}` : 'New audience';
  return (
    <form className="card" aria-label={title} onSubmit={save} noValidate>
      <h2>{title}</h2>
      {!audience && (
        <div className="field">
          <label htmlFor="aud-name">Audience name</label>
          <input id="aud-name" value={name} disabled={busy} placeholder="e.g. VIP" onChange={(e) => setName(e.target.value)}
            aria-invalid={tried && nameProblem ? true : undefined} />
          {tried && nameProblem && <p className="field-error" role="alert">{nameProblem}</p>}
        </div>
      )}
      <RuleBuilder tree={tree} onChange={setTree} disabled={busy}
        issues={[...(tried ? issues : issues.filter((i) => !i.message.startsWith('Name the'))), ...(serverIssue ? [serverIssue] : [])]}
        attributes={attributes} audiences={others}
        serverError={ruleError && !serverIssue ? ruleMessageInWords(splitRuleMessage(ruleError.message).text) : null} />
      {tried && emptyRule && <p className="field-error" role="alert">{emptyRule}</p>}
      {error && <p className="field-error" role="alert">{error}</p>}
      <div className="actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>{busy ? 'Saving…' : audience ? 'Save audience' : 'Create audience'}</button>
        <button type="button" className="btn" disabled={busy} onClick={onCancel}>Cancel</button>
      </div>
    </form>
  );
}
