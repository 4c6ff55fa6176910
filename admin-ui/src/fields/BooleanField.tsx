import type { FieldEditorProps } from './types';

export function BooleanField({ value, onChange, inputId, describedBy, disabled }: FieldEditorProps) {
  return (
    <input
      id={inputId}
      type="checkbox"
      className="checkbox"
      checked={value === true}
      onChange={(e) => onChange(e.target.checked)}
      disabled={disabled}
      aria-describedby={describedBy}
    />
  );
}
