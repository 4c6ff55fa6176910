import { FIELD_EDITORS } from './registry';
import type { FieldEditorProps } from './types';

/** A list field: one editor of the field's kind per element, in order, with add and remove. */
export function ListField(props: FieldEditorProps) {
  const { def, value, onChange, inputId, disabled } = props;
  const items: unknown[] = Array.isArray(value) ? value : [];
  const Editor = FIELD_EDITORS[def.kind];
  const full = def.maxLength != null && items.length >= def.maxLength;

  function set(next: unknown[]) {
    onChange(next.length === 0 && !def.required ? undefined : next);
  }

  return (
    <div className="list-field">
      <ol>
        {items.map((item, i) => (
          <li key={i}>
            <Editor
              {...props}
              def={{ ...def, list: false, required: true }}
              value={item}
              inputId={i === 0 ? inputId : `${inputId}-${i}`}
              onChange={(v) => set(items.map((old, j) => (j === i ? v ?? '' : old)))}
            />
            <button type="button" className="btn btn-small" disabled={disabled} aria-label={`Remove item ${i + 1} of ${def.name}`} onClick={() => set(items.filter((_, j) => j !== i))}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      <button type="button" className="btn btn-small" disabled={disabled || full} onClick={() => set([...items, def.kind === 'BOOLEAN' ? false : def.kind === 'NUMBER' ? 0 : ''])}>
        Add {def.name} item
      </button>
    </div>
  );
}
