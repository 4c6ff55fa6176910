import { useState } from 'react';
import {
  addChild, newAudienceCondition, newCondition, newGroup, parseRule, removeNode, unwrapNot, updateNode, wrapInGroup, wrapInNot,
  type Json, type RuleIssue, type RuleNode, type RuleTree,
} from '../../rules';
import { ConditionRow } from './ConditionRow';

export interface NodeCtx {
  tree: RuleTree;
  setTree: (t: RuleTree) => void;
  disabled: boolean;
  issues: RuleIssue[];
  attrListId: string;
  /** The brand's audience names, for "is in audience" conditions; undefined where not offered. */
  audiences?: string[];
}

function Issues({ id, ctx }: { id: string; ctx: NodeCtx }) {
  const mine = ctx.issues.filter((i) => i.nodeId === id);
  if (!mine.length) return null;
  return (
    <ul className="rule-issues" role="alert">
      {mine.map((i) => <li key={i.path + i.message}>{i.message}</li>)}
    </ul>
  );
}

function RawEditor({ node, ctx }: { node: Extract<RuleNode, { kind: 'raw' }>; ctx: NodeCtx }) {
  const [text, setText] = useState(JSON.stringify(node.json, null, 2));
  const [error, setError] = useState<string | null>(null);
  function change(next: string) {
    setText(next);
    try {
      const parsed = parseRule(JSON.parse(next) as Json);
      setError(null);
      ctx.setTree(updateNode(ctx.tree, node.id, () => parsed ?? { ...node, json: null }));
    } catch {
      setError('Not valid JSON yet.');
    }
  }
  return (
    <div className="rule-raw">
      <label className="muted" htmlFor={`raw-${node.id}`}>This part of the rule can only be edited as JSON:</label>
      <textarea id={`raw-${node.id}`} className="mono" rows={3} value={text} onChange={(e) => change(e.target.value)} disabled={ctx.disabled} />
      {error && <p className="field-error">{error}</p>}
    </div>
  );
}

export function RuleNodeView({ node, ctx, depth }: { node: RuleNode; ctx: NodeCtx; depth: number }) {
  const { disabled } = ctx;
  const set = (fn: (t: RuleTree) => RuleTree) => ctx.setTree(fn(ctx.tree));
  const remove = (
    <button type="button" className="icon-btn" aria-label="Remove" title="Remove" disabled={disabled} onClick={() => set((t) => removeNode(t, node.id))}>
      ×
    </button>
  );

  if (node.kind === 'condition') {
    return (
      <li className="rule-condition">
        <ConditionRow node={node} onChange={(n) => set((t) => updateNode(t, node.id, () => n))} disabled={disabled} attrListId={ctx.attrListId} />
        <span className="node-actions">
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => wrapInNot(t, node.id))} title="Match the opposite">Not</button>
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => wrapInGroup(t, node.id, 'any'))} title="Combine with another condition">Or…</button>
          {remove}
        </span>
        <Issues id={node.id} ctx={ctx} />
      </li>
    );
  }

  if (node.kind === 'audience') {
    const names = ctx.audiences ?? [];
    return (
      <li className="rule-condition">
        <label>
          is in audience{' '}
          <select aria-label="Audience" value={node.name} disabled={disabled}
            onChange={(e) => set((t) => updateNode(t, node.id, () => ({ ...node, name: e.target.value })))}>
            <option value="">Choose…</option>
            {names.map((n) => <option key={n} value={n}>{n}</option>)}
            {node.name && !names.includes(node.name) && <option value={node.name}>{node.name}</option>}
          </select>
        </label>
        <span className="node-actions">
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => wrapInNot(t, node.id))} title="Match the opposite">Not</button>
          {remove}
        </span>
        <Issues id={node.id} ctx={ctx} />
      </li>
    );
  }

  if (node.kind === 'raw') {
    return (
      <li className="rule-condition">
        <RawEditor node={node} ctx={ctx} />
        <span className="node-actions">{remove}</span>
      </li>
    );
  }

  if (node.kind === 'not') {
    return (
      <li className="rule-group rule-not">
        <div className="group-head">
          <strong>NOT</strong> <span className="muted">— matches when the following does not</span>
          <span className="node-actions">
            <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => unwrapNot(t, node.id))}>Remove NOT</button>
            {remove}
          </span>
        </div>
        <ul className="rule-children">
          <RuleNodeView node={node.child} ctx={ctx} depth={depth + 1} />
        </ul>
      </li>
    );
  }

  return (
    <li className={`rule-group rule-${node.kind}`}>
      <div className="group-head">
        <label>
          Match{' '}
          <select
            aria-label="Group combines"
            value={node.kind}
            disabled={disabled}
            onChange={(e) => set((t) => updateNode(t, node.id, (n) => ({ ...n, kind: e.target.value as 'all' | 'any' }) as RuleNode))}
          >
            <option value="all">all</option>
            <option value="any">any</option>
          </select>{' '}
          of these
        </label>
        <span className="node-actions">
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => addChild(t, node.id, newCondition()))}>+ Condition</button>
          {ctx.audiences && ctx.audiences.length > 0 && (
            <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => addChild(t, node.id, newAudienceCondition()))}>+ Audience</button>
          )}
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => addChild(t, node.id, newGroup(node.kind === 'all' ? 'any' : 'all')))}>+ Group</button>
          <button type="button" className="btn btn-small" disabled={disabled} onClick={() => set((t) => wrapInNot(t, node.id))}>Not</button>
          {remove}
        </span>
      </div>
      {node.children.length === 0 && <p className="muted">Empty group: {node.kind === 'all' ? 'matches everyone' : 'matches no one'}.</p>}
      <ul className="rule-children">
        {node.children.map((c) => <RuleNodeView key={c.id} node={c} ctx={ctx} depth={depth + 1} />)}
      </ul>
      <Issues id={node.id} ctx={ctx} />
    </li>
  );
}
