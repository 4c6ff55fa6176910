import type { FieldEditorProps } from './types';

export function TextField({ def, value, onChange, inputId, describedBy, disabled }: FieldEditorProps) {
  return (
    <input
      id={inputId}
      type="text"
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value === '' && !def.required ? undefined : e.target.value)}
      required={def.required}
      disabled={disabled}
      aria-describedby={describedBy}
    />
  );
}
