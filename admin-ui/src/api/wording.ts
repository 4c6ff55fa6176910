/**
 * Server messages rewritten for people: a sentence that says what happened and what to do. The
 * contract's codes stay on `ApiError.code` for the UI's logic; only the words change here.
 */

const sentence = (s: string) => {
  const t = s.trim().replace(/`([^`]*)`/g, '“$1”');
  const up = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(up) ? up : `${up}.`;
};

const quoted = (s: string) => `“${s}”`;

/** A field's problem ("field `title`: is 98 characters long; at most 80 allowed") in words. */
export function fieldProblemInWords(field: string, problem: string): string {
  const p = problem.trim();
  const name = quoted(field);
  let m: RegExpExecArray | null;
  if ((m = /^is (\d+) characters long; at most (\d+) allowed/.exec(p))) {
    const over = Number(m[1]) - Number(m[2]);
    return `${name} is ${m[1]} characters long; at most ${m[2]} are allowed. Shorten it by ${over} character${over === 1 ? '' : 's'}.`;
  }
  if (/^is required/.test(p)) return `Fill in ${name}: it is required.`;
  if (/^must be a number/.test(p)) return `Enter a number in ${name}.`;
  if (/^must be true or false/.test(p)) return `Choose yes or no for ${name}.`;
  if (/is not an absolute URL/.test(p)) return `Enter a full web address in ${name}, starting with https://.`;
  if (/URL scheme .* is not allowed/.test(p)) return `${sentence(p)} Use an https:// (or mailto:, tel:) address in ${name}.`;
  if (/is not an RFC 3339 date-time/.test(p)) return `Pick a date and time for ${name}.`;
  if (/^must be a string/.test(p)) return `Enter text in ${name}.`;
  return `${name}: ${sentence(p)}`;
}

/** BAD_INPUT: a field's problem when the message names one, otherwise the message as a request to correct. */
export function badInputInWords(message: string): string {
  const m = /^field `([^`]+)`:\s*(.*)$/s.exec(message.trim());
  if (m) return fieldProblemInWords(m[1], m[2]);
  return `${sentence(message)} Correct it and try again.`;
}

/** A BAD_INPUT shown next to its field: the field's problem in words, without "try again". */
export function fieldMessageInWords(message: string): string {
  const m = /^field `([^`]+)`:\s*(.*)$/s.exec(message.trim());
  return m ? fieldProblemInWords(m[1], m[2]) : sentence(message);
}

/** CONFLICT: a duplicate names what to choose instead; a stale edit says to reload. */
export function conflictInWords(message: string): string {
  const t = message.trim();
  let m: RegExpExecArray | null;
  if ((m = /^entry `([^`]+)` already exists/.exec(t))) return `An entry with the key ${quoted(m[1])} already exists in this brand. Choose another key.`;
  if ((m = /^content type `([^`]+)` already exists/.exec(t))) return `A content type named ${quoted(m[1])} already exists in this brand. Choose another name.`;
  if ((m = /^brand `([^`]+)` already exists/.exec(t))) return `A brand with the slug ${quoted(m[1])} already exists. Choose another slug.`;
  if ((m = /^user (\S+) already exists/.exec(t))) return `There is already an account for ${m[1]}. Use another email address.`;
  if (/already exists/.test(t)) return 'Something with that name or key already exists. Choose another.';
  if (/version|stale|changed since|modified/i.test(t)) {
    return 'Someone else saved a change here while you were working. Reload to see it, then make your change again.';
  }
  return `This cannot be done right now: ${sentence(t).replace(/^./, (c) => c.toLowerCase())} Reload to see the current state.`;
}

/** FORBIDDEN: who may do it, without the server's "not allowed … in brand `x`". */
export function forbiddenInWords(message: string): string {
  const brand = /in brand `([^`]+)`/.exec(message)?.[1];
  return `Your account may not do this${brand ? ` in the brand ${quoted(brand)}` : ''}. Ask an administrator if you need to.`;
}
