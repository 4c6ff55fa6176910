import { useState, type KeyboardEvent } from 'react';

interface Props {
  id: string;
  tags: string[];
  onChange: (tags: string[]) => void;
  disabled: boolean;
  /** Shown while there are no tags. */
  placeholder?: string;
  /** What one chip is called, for the remove buttons' labels ("tag", "term", …). */
  itemLabel?: string;
  describedBy?: string;
  invalid?: boolean;
}

/** Tags as chips: Enter or comma adds, Backspace on empty input removes the last. */
export function TagsInput({ id, tags, onChange, disabled, placeholder = 'Add a tag and press Enter', itemLabel = 'tag', describedBy, invalid }: Props) {
  const [text, setText] = useState('');

  function add(raw: string) {
    const parts = raw.split(',').map((t) => t.trim()).filter(Boolean);
    const next = [...tags];
    for (const p of parts) if (!next.includes(p)) next.push(p);
    if (next.length !== tags.length) onChange(next);
    setText('');
  }

  function onKey(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key === 'Enter' || e.key === ',') {
      e.preventDefault();
      add(text);
    } else if (e.key === 'Backspace' && text === '' && tags.length) {
      onChange(tags.slice(0, -1));
    }
  }

  return (
    <div className="tags-input">
      {tags.map((t) => (
        <span key={t} className="tag">
          {t}
          <button type="button" className="icon-btn" aria-label={`Remove ${itemLabel} ${t}`} disabled={disabled} onClick={() => onChange(tags.filter((x) => x !== t))}>
            ×
          </button>
        </span>
      ))}
      <input
        id={id}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={onKey}
        onBlur={() => text.trim() && add(text)}
        disabled={disabled}
        placeholder={tags.length ? '' : placeholder}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
      />
    </div>
  );
}
