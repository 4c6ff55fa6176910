import { changeOp, OP_INFO, OPS, typesForOp, type ConditionNode, type ConditionValue, type TypedValue } from '../../rules';
import { ValueInput } from './ValueInput';

interface Props {
  node: ConditionNode;
  onChange: (n: ConditionNode) => void;
  disabled: boolean;
  attrListId: string;
}

function ListValues({ node, items, onChange, disabled }: { node: ConditionNode; items: TypedValue[]; onChange: (v: ConditionValue) => void; disabled: boolean }) {
  const pair = node.op === 'between';
  const set = (i: number, v: TypedValue) => onChange({ shape: 'list', items: items.map((x, j) => (j === i ? v : x)) });
  return (
    <span className="value-list">
      {items.map((item, i) => (
        <span key={i} className="value-item">
          {pair && i === 1 && <span className="muted">and</span>}
          <ValueInput value={item} onChange={(v) => set(i, v)} label={`${node.attr || 'attribute'} value ${i + 1}`} disabled={disabled} types={typesForOp(node.op)} />
          {!pair && items.length > 1 && (
            <button type="button" className="icon-btn" aria-label={`Remove value ${i + 1}`} disabled={disabled} onClick={() => onChange({ shape: 'list', items: items.filter((_, j) => j !== i) })}>
              ×
            </button>
          )}
        </span>
      ))}
      {!pair && (
        <button
          type="button"
          className="btn btn-small"
          disabled={disabled}
          onClick={() => onChange({ shape: 'list', items: [...items, { type: items[items.length - 1]?.type ?? 'string', text: '' }] })}
        >
          + value
        </button>
      )}
    </span>
  );
}

export function ConditionRow({ node, onChange, disabled, attrListId }: Props) {
  const v = node.value;
  const setValue = (value: ConditionValue) => onChange({ ...node, value });
  return (
    <span className="condition">
      <input
        aria-label="Attribute"
        className="attr"
        list={attrListId}
        placeholder="attribute"
        value={node.attr}
        onChange={(e) => onChange({ ...node, attr: e.target.value })}
        disabled={disabled}
      />
      <select aria-label="Operator" value={node.op} onChange={(e) => onChange(changeOp(node, e.target.value as ConditionNode['op']))} disabled={disabled}>
        {OPS.map((op) => (
          <option key={op} value={op}>{OP_INFO[op].label}</option>
        ))}
      </select>
      {v.shape === 'single' && (
        <ValueInput
          value={v.value}
          onChange={(value) => setValue({ shape: 'single', value })}
          label={`${node.attr || 'attribute'} value`}
          disabled={disabled}
          types={typesForOp(node.op)}
          instant={node.op === 'before' || node.op === 'after'}
        />
      )}
      {v.shape === 'list' && <ListValues node={node} items={v.items} onChange={setValue} disabled={disabled} />}
    </span>
  );
}
