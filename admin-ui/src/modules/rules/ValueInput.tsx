import type { TypedValue, ValueType } from '../../rules';
import { fromLocalInput, toLocalInput } from '../../ui/format';

interface Props {
  value: TypedValue;
  onChange: (v: TypedValue) => void;
  label: string;
  disabled: boolean;
  /** Offer only some types (before/after and matches take text). */
  types?: ValueType[];
  /** An instant (before/after): a date-time picker in local time, kept as RFC 3339 in UTC. */
  instant?: boolean;
}

const TYPE_LABEL: Record<ValueType, string> = { string: 'text', number: 'number', boolean: 'yes/no' };

/** One typed scalar: its JSON type is chosen, never guessed from the text. */
export function ValueInput({ value, onChange, label, disabled, types = ['string', 'number', 'boolean'], instant = false }: Props) {
  if (instant) {
    return (
      <span className="typed-value">
        <input
          type="datetime-local"
          aria-label={label}
          value={toLocalInput(value.text)}
          onChange={(e) => onChange({ type: 'string', text: fromLocalInput(e.target.value) ?? '' })}
          disabled={disabled}
        />
        {value.text && <small className="muted"> {value.text}</small>}
      </span>
    );
  }
  function setType(type: ValueType) {
    const text = type === 'boolean' ? (value.text === 'false' ? 'false' : 'true') : value.type === 'boolean' ? '' : value.text;
    onChange({ type, text });
  }
  const bad = value.type === 'number' && (value.text.trim() === '' || !Number.isFinite(Number(value.text)));
  return (
    <span className="typed-value">
      {types.length > 1 && (
        <select aria-label={`${label}: type`} value={value.type} onChange={(e) => setType(e.target.value as ValueType)} disabled={disabled}>
          {types.map((t) => (
            <option key={t} value={t}>{TYPE_LABEL[t]}</option>
          ))}
        </select>
      )}
      {value.type === 'boolean' ? (
        <select aria-label={label} value={value.text} onChange={(e) => onChange({ ...value, text: e.target.value })} disabled={disabled}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input
          aria-label={label}
          aria-invalid={bad || undefined}
          inputMode={value.type === 'number' ? 'decimal' : undefined}
          value={value.text}
          onChange={(e) => onChange({ ...value, text: e.target.value })}
          disabled={disabled}
          className={value.type === 'number' ? 'value-number' : 'value-text'}
          placeholder={value.type === 'number' ? '0' : 'value'}
        />
      )}
    </span>
  );
}
