import type { ReactNode } from 'react';
import { InlineError } from '../ui/ErrorBox';
import { ListField } from './ListField';
import { FIELD_EDITORS, KIND_LABEL } from './registry';
import { bindingLimit } from './limits';
import type { FieldDef } from './types';

interface Props {
  defs: FieldDef[];
  values: Record<string, unknown>;
  onChange: (values: Record<string, unknown>) => void;
  /** Server errors by field name (BAD_INPUT naming the field). */
  errors: Record<string, string | null>;
  /** Values an editor cannot turn into JSON yet, by field name. */
  invalid: Record<string, string>;
  onInvalidChange: (invalid: Record<string, string>) => void;
  disabled: boolean;
  brand: string;
  /** Notes to show under a field, by field name (e.g. quality checks about it). */
  fieldNotes?: Record<string, ReactNode>;
  /** The brand's maximum title length, which binds the `title` field when lower than its own. */
  brandMaxTitle?: number | null;
}

function length(v: unknown): number | null {
  return typeof v === 'string' ? [...v].length : null;
}

/** The content type's fields, each with the editor of its kind. */
export function FieldsForm({ defs, values, onChange, errors, invalid, onInvalidChange, disabled, brand, fieldNotes, brandMaxTitle }: Props) {

  function setField(name: string, v: unknown) {
    const next = { ...values };
    if (v === undefined) delete next[name];
    else next[name] = v;
    onChange(next);
  }

  function setInvalidFor(name: string, message: string | null) {
    if ((invalid[name] ?? null) === message) return;
    const next = { ...invalid };
    if (message) next[name] = message;
    else delete next[name];
    onInvalidChange(next);
  }

  const unknown = Object.keys(values).filter((k) => !defs.some((d) => d.name === k));
  return (
    <div className="fields">
      {defs.map((def) => {
        const Editor = def.list ? ListField : FIELD_EDITORS[def.kind];
        const inputId = `field-${def.name}`;
        const len = def.list ? null : length(values[def.name]);
        const items = def.list && Array.isArray(values[def.name]) ? (values[def.name] as unknown[]).length : null;
        const limit = bindingLimit(def, brandMaxTitle);
        const over = limit != null && len != null && len > limit.max;
        const missing = def.required && (values[def.name] === undefined || values[def.name] === '');
        return (
          <div className={`field ${def.kind === 'BOOLEAN' ? 'field-inline' : ''}`} key={def.name}>
            <label htmlFor={inputId}>
              {def.name}
              {def.required && <span className="required"><span aria-hidden="true"> *</span><span className="sr-only"> (required)</span></span>}
              <span className="kind"> {def.list ? `list of ${KIND_LABEL[def.kind]}` : KIND_LABEL[def.kind]}{def.to && def.to.length > 0 ? ` (${def.to.join(' or ')})` : ''}</span>
            </label>
            {Editor ? (
              <Editor
                def={def}
                value={values[def.name]}
                onChange={(v) => setField(def.name, v)}
                inputId={inputId}
                describedBy={`${inputId}-help`}
                disabled={disabled}
                brand={brand}
                onInvalid={(m) => setInvalidFor(def.name, m)}
              />
            ) : (
              <p className="muted">No editor for kind {def.kind}.</p>
            )}
            <div id={`${inputId}-help`}>
              {limit != null && len != null && (
                <small className={over ? 'counter over' : 'counter'}>
                  {len} / {limit.max} characters{limit.source === 'brand' ? ' (the brand’s limit)' : ''}
                  {over && ` — ${len - limit.max} too many`}
                </small>
              )}
              {def.maxLength != null && items != null && (
                <small className={items > def.maxLength ? 'counter over' : 'counter'}>{items} / {def.maxLength} items</small>
              )}
              {missing && <small className="muted"> Required.</small>}
              <InlineError message={invalid[def.name] ?? errors[def.name]} />
              {fieldNotes?.[def.name]}
            </div>
          </div>
        );
      })}
      {unknown.length > 0 && (
        <p className="notice">
          This variant also holds fields its content type no longer has: {unknown.join(', ')}. They are kept as they are.
        </p>
      )}
    </div>
  );
}
