/**
 * An experiment as edited in the form, and the pure conversions around it: the live sum of the
 * weights (and the share left out), the problems to fix before saving, and the API input.
 */
import type { CreateExperimentInput, ExperimentFieldsFragment, ExperimentGoal, ExperimentMode } from '../../api';
import { parseRule, serializeRule, type Json, type RuleTree } from '../../rules';

/** The arm's target in the form: a variant id, or RANKED for what personalization picks. */
export const RANKED = 'ranked';

export interface ArmDraft {
  /** Stable React key; not sent. */
  key: number;
  name: string;
  target: string;
  /** As typed; must be a whole number from 0 to 100. */
  weight: string;
}

export interface ExperimentDraft {
  name: string;
  hypothesis: string;
  audience: RuleTree;
  arms: ArmDraft[];
  goal: ExperimentGoal;
  mode: ExperimentMode;
  /** As typed; empty means the server's default (100). */
  minPeoplePerArm: string;
}

let armSeq = 0;
export function newArm(name: string, target: string, weight: number | string): ArmDraft {
  return { key: ++armSeq, name, target, weight: String(weight) };
}

/** A new experiment: the first variant as control against what personalization picks, 50/50. */
export function emptyDraft(variantIds: string[]): ExperimentDraft {
  return {
    name: '',
    hypothesis: '',
    audience: null,
    arms: [newArm('control', variantIds[0] ?? RANKED, 50), newArm('personalized', RANKED, 50)],
    goal: 'CLICK',
    mode: 'FIXED',
    minPeoplePerArm: '',
  };
}

/** A holdout: `control` always gets one default variant, the rest get what personalization picks. */
export function holdoutArms(defaultVariantId: string, holdoutPercent = 10): ArmDraft[] {
  return [newArm('control', defaultVariantId, holdoutPercent), newArm('personalized', RANKED, 100 - holdoutPercent)];
}

export function draftFromExperiment(e: ExperimentFieldsFragment): ExperimentDraft {
  return {
    name: e.name,
    hypothesis: e.hypothesis ?? '',
    audience: parseRule((e.audience ?? null) as Json),
    arms: e.arms.map((a) => newArm(a.name, a.ranked ? RANKED : a.variant?.id ?? '', a.weight)),
    goal: e.goal,
    mode: e.mode,
    minPeoplePerArm: String(e.minPeoplePerArm),
  };
}

const WHOLE = /^\d+$/;

export interface WeightSum {
  /** The sum of the weights that are whole numbers. */
  total: number;
  /** Percent of the audience that no arm takes (0 when the sum is over 100). */
  unenrolled: number;
  /** Whether every weight is a whole number and the sum is at most 100. */
  ok: boolean;
  /** The sum in words, for the live line under the weights. */
  words: string;
}

export function weightSum(arms: Pick<ArmDraft, 'weight'>[]): WeightSum {
  const typed = arms.map((a) => a.weight.trim());
  const bad = typed.filter((w) => !WHOLE.test(w)).length;
  const total = typed.filter((w) => WHOLE.test(w)).reduce((s, w) => s + Number(w), 0);
  const unenrolled = Math.max(0, 100 - total);
  let words: string;
  if (total > 100) words = `The weights add up to ${total} %, ${total - 100} more than 100 %: lower them.`;
  else if (unenrolled === 0) words = 'The weights add up to 100 %: everyone in the audience takes part.';
  else words = `The weights add up to ${total} %: ${unenrolled} % of the audience stays out of the experiment and gets what personalization picks.`;
  if (bad) words += ` ${bad === 1 ? 'One weight is' : `${bad} weights are`} not a whole number yet.`;
  return { total, unenrolled, ok: bad === 0 && total <= 100, words };
}

/** Problems found before asking the server, keyed like the server's faults (`name`, `arms`, `arm:1`, ...). */
export function draftProblems(d: ExperimentDraft): Record<string, string> {
  const out: Record<string, string> = {};
  if (!d.name.trim()) out.name = 'Give the experiment a name.';
  if (d.arms.length < 2) out.arms = 'An experiment needs at least two arms: add one.';
  const seen = new Set<string>();
  d.arms.forEach((a, i) => {
    const name = a.name.trim();
    if (!name) out[`arm:${i}`] = `Give arm ${i + 1} a name.`;
    else if (seen.has(name)) out[`arm:${i}`] = `Two arms are named “${name}”: give each arm its own name.`;
    else if (!a.target) out[`arm:${i}`] = `Choose what arm ${i + 1} serves.`;
    else if (!WHOLE.test(a.weight.trim()) || Number(a.weight) > 100) out[`arm:${i}`] = `Arm ${i + 1}'s weight is a whole number from 0 to 100.`;
    seen.add(name);
  });
  const sum = weightSum(d.arms);
  if (!out.arms && sum.total > 100) out.arms = sum.words;
  const min = d.minPeoplePerArm.trim();
  if (min && (!WHOLE.test(min) || Number(min) < 1)) out.minPeoplePerArm = 'The minimum per arm is a whole number, at least 1.';
  return out;
}

export function toInput(entryId: string, d: ExperimentDraft): CreateExperimentInput {
  const min = d.minPeoplePerArm.trim();
  return {
    entryId,
    name: d.name.trim(),
    hypothesis: d.hypothesis.trim() || null,
    audience: serializeRule(d.audience),
    arms: d.arms.map((a) => ({
      name: a.name.trim(),
      weight: Number.parseInt(a.weight, 10),
      ...(a.target === RANKED ? { ranked: true } : { variant: a.target }),
    })),
    goal: d.goal,
    mode: d.mode,
    ...(min ? { minPeoplePerArm: Number.parseInt(min, 10) } : {}),
  };
}
