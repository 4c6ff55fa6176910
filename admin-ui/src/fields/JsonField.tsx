import { useState } from 'react';
import type { FieldEditorProps } from './types';

export function JsonField({ value, onChange, inputId, describedBy, disabled, onInvalid }: FieldEditorProps) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));

  function change(next: string) {
    setText(next);
    if (next.trim() === '') {
      onInvalid(null);
      onChange(undefined);
      return;
    }
    try {
      onChange(JSON.parse(next));
      onInvalid(null);
    } catch (err) {
      onInvalid(`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  return (
    <textarea
      id={inputId}
      className="mono"
      rows={6}
      value={text}
      onChange={(e) => change(e.target.value)}
      disabled={disabled}
      aria-describedby={describedBy}
      spellCheck={false}
    />
  );
}
