import { useId, useState } from 'react';
import { newAudienceCondition, newCondition, newGroup, serializeRule, treeToText, type RuleIssue, type RuleTree } from '../../rules';
import { RuleNodeView, type NodeCtx } from './RuleNodeView';

interface Props {
  tree: RuleTree;
  onChange: (t: RuleTree) => void;
  disabled: boolean;
  issues: RuleIssue[];
  /** Attribute names to suggest (the brand's usage attributes and the like). */
  attributes: string[];
  serverError?: string | null;
  /** The brand's audience names: offered as "is in audience NAME" conditions. */
  audiences?: string[];
}

/** The visual editor of an audience rule: nested all / any / not groups of typed conditions. */
export function RuleBuilder({ tree, onChange, disabled, issues, attributes, serverError, audiences }: Props) {
  const attrListId = `attrs-${useId()}`;
  const [showJson, setShowJson] = useState(false);
  const ctx: NodeCtx = { tree, setTree: onChange, disabled, issues, attrListId, audiences };

  return (
    <div className="rule-builder">
      <datalist id={attrListId}>
        {attributes.map((a) => <option key={a} value={a} />)}
      </datalist>
      <p className="rule-summary" aria-live="polite">
        <span className="muted">Shown to: </span>
        <strong>{treeToText(tree)}</strong>
      </p>
      {tree === null ? (
        <div className="actions">
          <button type="button" className="btn" disabled={disabled} onClick={() => onChange(newGroup('all', [newCondition()]))}>
            Target an audience
          </button>
          {audiences && audiences.length > 0 && (
            <button type="button" className="btn" disabled={disabled} onClick={() => onChange(newGroup('all', [newAudienceCondition()]))}>
              Use a saved audience
            </button>
          )}
        </div>
      ) : (
        <>
          <ul className="rule-root">
            <RuleNodeView node={tree} ctx={ctx} depth={0} />
          </ul>
          <div className="actions">
            {(tree.kind === 'condition' || tree.kind === 'audience') && (
              <button type="button" className="btn btn-small" disabled={disabled} onClick={() => onChange(newGroup('all', [tree, newCondition()]))}>
                + And condition
              </button>
            )}
            <button type="button" className="btn btn-small" disabled={disabled} onClick={() => onChange(null)}>
              Show to everyone
            </button>
          </div>
        </>
      )}
      {serverError && <p className="field-error" role="alert">{serverError}</p>}
      <button type="button" className="link-btn" aria-expanded={showJson} onClick={() => setShowJson((s) => !s)}>
        {showJson ? 'Hide' : 'Show'} rule JSON
      </button>
      {showJson && <pre className="mono json-view">{JSON.stringify(serializeRule(tree), null, 2)}</pre>}
    </div>
  );
}
