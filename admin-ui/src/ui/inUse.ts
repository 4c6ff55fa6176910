/**
 * A deletion refused because the thing is still in use (CONFLICT `… is in use by …`), said as a
 * sentence naming the users and what to do.
 */

/**
 * A CONFLICT refusing a deletion (`entry \`x\` is in use by published variant "A", …`, `audience
 * "VIP" is in use by variant "B" of entry \`home\``) as a sentence; null for other messages.
 */
export function inUseInWords(message: string, thing: string): string | null {
  const m = /^.*? is in use by (.*)$/s.exec(message.trim());
  if (!m) return null;
  const users = m[1]
    .replace(/published variant "([^"]*)"/g, 'the published variant “$1”')
    .replace(/variant "([^"]*)" of entry `([^`]*)`/g, 'variant “$1” of $2')
    .replace(/(audience|variant) "([^"]*)"/g, '$1 “$2”')
    .replace(/entry `([^`]*)`/g, 'entry $1')
    .replace(/`([^`]*)`/g, '“$1”');
  return `${thing} cannot be deleted while it is in use by ${users}. Change, unpublish or archive those first, then delete it.`;
}
