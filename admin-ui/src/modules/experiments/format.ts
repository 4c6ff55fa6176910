/**
 * Arms and report figures in words: what an arm serves, percentages with their intervals, signed
 * uplifts, the sample-ratio warning, and an answer's reason read back into the arm it names.
 */
import type { ExperimentMode } from '../../api';

export interface ArmLike {
  id: string;
  name: string;
  ranked: boolean;
  weight: number;
  variant?: { id: string; name: string } | null;
}

/** What the arm serves: a variant by name, or what personalization picks. */
export function armServes(arm: ArmLike): string {
  if (arm.ranked) return 'what personalization picks';
  return arm.variant ? `variant “${arm.variant.name}”` : 'a variant that no longer exists';
}

/** The arm's name, marked as the control when it is the first arm (unless its name says so already). */
export function armLabel(arm: Pick<ArmLike, 'name'>, index: number): string {
  return index === 0 && !/\bcontrol\b/i.test(arm.name) ? `${arm.name} (control)` : arm.name;
}

/** "control 10 % · personalized 90 %". */
export function armsSummary(arms: Pick<ArmLike, 'name' | 'weight'>[]): string {
  return arms.map((a) => `${a.name} ${a.weight} %`).join(' · ');
}

const MINUS = '\u2212';

/** A share (0.1234) as "12.3 %". */
export function percent(share: number, digits = 1): string {
  const text = (share * 100).toFixed(digits);
  return `${text.startsWith('-') ? MINUS + text.slice(1) : text} %`;
}

/** A signed change (0.25 → "+25.0 %", −0.1 → "−10.0 %"); null (the control's) as "—". */
export function signedPercent(change: number | null | undefined, digits = 1): string {
  if (change === null || change === undefined) return '—';
  const text = percent(change, digits);
  return change > 0 && !text.startsWith(`${(0).toFixed(digits)} `) ? `+${text}` : text;
}

/** An interval as "10.2 % to 14.8 %"; "—" when either end is missing. */
export function intervalText(low: number | null | undefined, high: number | null | undefined, signed = false): string {
  if (low === null || low === undefined || high === null || high === undefined) return '—';
  const f = signed ? signedPercent : percent;
  return `${f(low)} to ${f(high)}`;
}

/** A probability as "97.3 %"; null as "—". */
export function probabilityText(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : percent(p);
}

/** A p-value as "0.031", or "< 0.001" when smaller. */
export function pValueText(p: number | null | undefined): string {
  if (p === null || p === undefined) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

/** A p-value as a clause: "p = 0.031", or "p < 0.001". */
export function pClause(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** What the report counts: people in FIXED mode, answers in BANDIT mode. */
export function unitWord(mode: ExperimentMode): { plural: string; title: string } {
  return mode === 'BANDIT' ? { plural: 'answers', title: 'Answers' } : { plural: 'people', title: 'People' };
}

export interface SrmArm {
  arm: { name: string };
  people: number;
  weight: number;
}

/** The sample-ratio-mismatch warning in plain words: what was expected, what came, what to do. */
export function srmWarning(arms: SrmArm[], srmPValue: number, mode: ExperimentMode): string {
  const unit = unitWord(mode).plural;
  const total = arms.reduce((s, a) => s + a.people, 0);
  const weights = arms.reduce((s, a) => s + a.weight, 0);
  const got = arms.map((a) => `${a.arm.name} ${a.people}`).join(', ');
  const expected = weights > 0
    ? arms.map((a) => `${a.arm.name} ${Math.round((total * a.weight) / weights)}`).join(', ')
    : 'an even split';
  return `The arms did not get the share of ${unit} their weights promise (got ${got}; expected about ${expected}; `
    + `${pClause(srmPValue)}). Something sends ${unit} to the arms unevenly, so these results cannot be trusted `
    + 'until that is found and fixed.';
}

export type ReasonArm =
  | { kind: 'arm'; experiment: string; arm: string }
  | { kind: 'not-enrolled'; why: string }
  | { kind: 'none' };

/**
 * The experiment and arm an answer's reason names (`experiment "NAME" arm ARM; …`), or why the
 * person is not enrolled (`not enrolled: WHY; …`). When the experiment is `known`, its names are
 * matched whole, so names holding quotes or semicolons read back exactly.
 */
export function armInReason(reason: string, known?: { name: string; arms: string[] }): ReasonArm {
  if (known) {
    const head = `experiment "${known.name}" arm `;
    const rest = reason.startsWith(head) ? reason.slice(head.length) : null;
    const arm = rest === null ? undefined : [...known.arms].sort((a, b) => b.length - a.length).find((n) => rest === n || rest.startsWith(`${n};`));
    if (arm !== undefined) return { kind: 'arm', experiment: known.name, arm };
  }
  const named = /^experiment "(.*)" arm ([^;]*)/.exec(reason);
  if (named) return { kind: 'arm', experiment: named[1], arm: named[2] };
  const not = /^not enrolled: ([^;]*)/.exec(reason);
  if (not) return { kind: 'not-enrolled', why: not[1] };
  return { kind: 'none' };
}

/** What the simulator says about the experiment for one simulated answer; null when no experiment runs. */
export function simulatedArmWords(r: ReasonArm, userKey: string): string | null {
  if (r.kind === 'arm') return `${userKey ? `The person “${userKey}”` : 'This person'} is in the experiment “${r.experiment}” and gets the arm “${r.arm}”.`;
  if (r.kind === 'none') return null;
  if (r.why === 'no userKey') return 'An experiment is running on this entry: give a user key to see the arm that person gets.';
  return `${userKey ? `The person “${userKey}”` : 'This person'} is not in the running experiment: ${r.why}. They get what personalization picks.`;
}

export interface IntervalChartData {
  labels: string[];
  /** Floating bars [low, high], in percent. */
  intervals: [number, number][];
  /** The rate of each arm, in percent. */
  rates: number[];
}

export function intervalChartData(arms: { arm: { name: string }; rate: number; rateLow: number; rateHigh: number }[]): IntervalChartData {
  const pct = (x: number) => Math.round(x * 10000) / 100;
  return {
    labels: arms.map((a, i) => armLabel(a.arm, i)),
    intervals: arms.map((a) => [pct(a.rateLow), pct(a.rateHigh)]),
    rates: arms.map((a) => pct(a.rate)),
  };
}
