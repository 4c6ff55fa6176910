import type { FieldEditorProps } from './types';

/** Markdown, edited as text. */
export function RichTextField({ def, value, onChange, inputId, describedBy, disabled }: FieldEditorProps) {
  return (
    <textarea
      id={inputId}
      rows={6}
      value={typeof value === 'string' ? value : ''}
      onChange={(e) => onChange(e.target.value === '' && !def.required ? undefined : e.target.value)}
      required={def.required}
      disabled={disabled}
      aria-describedby={describedBy}
      placeholder="Markdown: **bold**, _italic_, [link](https://…)"
    />
  );
}
