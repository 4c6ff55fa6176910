/**
 * A refused model change in words. The server names the variants that would break
 * (`variant "Summer" of entry \`home-hero\` (latest revision: …)`); the builder says it as a
 * sentence with what to do, next to the form.
 */

export interface BrokenVariant {
  variant: string;
  entry: string;
  /** What no longer fits, e.g. `latest revision: field \`title\`: is required`. */
  problem: string;
}

export interface ModelRefusal {
  count: number;
  variants: BrokenVariant[];
  /** The sentence shown next to the form. */
  summary: string;
}

const VARIANT = /variant "(.*?)" of entry `([^`]*)` \((.*?)\)(?=; variant "|; and \d+ more|$)/g;

/** `updateContentType`'s BAD_INPUT when existing variants would break; null for other messages. */
export function modelRefusal(message: string): ModelRefusal | null {
  const head = /^this change would make (\d+) variant\(s\) invalid: (.*)$/s.exec(message.trim());
  if (!head) return null;
  const count = Number(head[1]);
  const variants = [...head[2].matchAll(VARIANT)].map((m) => ({ variant: m[1], entry: m[2], problem: problemInWords(m[3]) }));
  const named = variants.map((v) => `“${v.variant}” of ${v.entry}`).join(', ');
  const more = count > variants.length ? ` and ${count - variants.length} more` : '';
  const subject = count === 1 ? '1 variant would' : `${count} variants would`;
  return { count, variants, summary: `${subject} no longer fit: ${named}${more}; change them first or keep the field.` };
}

/** `latest revision: field \`title\`: is required` → `its latest revision: “title” is required`. */
function problemInWords(fault: string): string {
  const m = /^(latest|published) revision: field `([^`]+)`(?: index (\d+))?:\s*(.*)$/s.exec(fault);
  if (!m) return fault.replace(/`([^`]*)`/g, '“$1”');
  const where = m[3] !== undefined ? `item ${Number(m[3]) + 1} of “${m[2]}”` : `“${m[2]}”`;
  const revision = m[1] === 'latest' ? 'its latest revision' : 'its published revision';
  return `${revision}: ${where} ${m[4].replace(/`([^`]*)`/g, '“$1”')}`.trim();
}
