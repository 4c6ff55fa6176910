import { fromLocalInput, toLocalInput } from '../ui/format';
import type { FieldEditorProps } from './types';

/** An RFC 3339 instant, edited in the browser's local time and stored in UTC. */
export function DateTimeField({ def, value, onChange, inputId, describedBy, disabled }: FieldEditorProps) {
  return (
    <input
      id={inputId}
      type="datetime-local"
      value={toLocalInput(typeof value === 'string' ? value : null)}
      onChange={(e) => onChange(fromLocalInput(e.target.value) ?? undefined)}
      required={def.required}
      disabled={disabled}
      aria-describedby={describedBy}
    />
  );
}
