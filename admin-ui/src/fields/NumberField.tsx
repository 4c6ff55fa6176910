import { useEffect, useState } from 'react';
import type { FieldEditorProps } from './types';

export function NumberField({ def, value, onChange, inputId, describedBy, disabled, onInvalid }: FieldEditorProps) {
  const [text, setText] = useState(typeof value === 'number' ? String(value) : '');

  useEffect(() => {
    // Follow outside changes (a reload) without fighting the person typing.
    if (typeof value === 'number' && Number(text) !== value) setText(String(value));
    if (value === undefined && text.trim() !== '' && Number.isFinite(Number(text))) setText('');
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);

  function change(next: string) {
    setText(next);
    const trimmed = next.trim();
    if (trimmed === '') {
      onInvalid(null);
      onChange(undefined);
      return;
    }
    const n = Number(trimmed);
    if (Number.isFinite(n)) {
      onInvalid(null);
      onChange(n);
    } else onInvalid(`“${next}” is not a number.`);
  }

  return (
    <input
      id={inputId}
      type="text"
      inputMode="decimal"
      value={text}
      onChange={(e) => change(e.target.value)}
      required={def.required}
      disabled={disabled}
      aria-describedby={describedBy}
    />
  );
}
