/**
 * Quality on the one scale people read: 0–100. The API keeps scores and the brand minimum as
 * 0–1; these convert at the edges, and `percentInText` rewrites the API's "0.70 below 0.90" wording.
 */

/** A 0–1 score as a whole number of 100 (rounded). */
export function toPercent(score: number): number {
  return Math.round(score * 100);
}

/** A typed 0–100 value as the API's 0–1 (NaN stays NaN, so validation can say so). */
export function fromPercent(text: string): number {
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 100) / 10000 : Number.NaN;
}

/** Rewrites 0–1 decimals that read as scores ("score 0.70 below 0.90") on the 0–100 scale. */
export function percentInText(text: string): string {
  return text.replace(/\b(score|quality|minimum|min|below|above|of)\s+(0(?:\.\d+)?|1(?:\.0+)?)(?![\d.])/gi,
    (_, word: string, n: string) => `${word} ${toPercent(Number(n))}`);
}
