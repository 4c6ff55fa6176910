/**
 * Where a failed save of an experiment is shown, in words: the server names its fault by path
 * (`arms[1].weight: below 0`, `audience: gt takes a number at $.value`), which puts it next to the
 * field it concerns; anything else goes beside the save button.
 */
import { asApiError, describeError } from '../../api';
import { ruleMessageInWords, splitRuleMessage } from '../../rules';

export interface PlacedExperimentErrors {
  /** Keyed like `draftProblems`: `name`, `hypothesis`, `arms`, `arm:1`, `minPeoplePerArm`. */
  fields: Record<string, string>;
  /** The audience rule's fault (message and JSON path), for the rule builder. */
  audience: { message: string; path: string | null } | null;
  general: string | null;
}

export const NO_ERRORS: PlacedExperimentErrors = { fields: {}, audience: null, general: null };

const sentence = (s: string) => {
  const t = s.trim().replace(/`([^`]*)`/g, '“$1”');
  const up = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(up) ? up : `${up}.`;
};

/** One arm's fault (`arms[1].weight: below 0`) as a sentence about "arm 2". */
export function armFaultInWords(index: number, part: string | undefined, problem: string): string {
  const arm = `Arm ${index + 1}`;
  const p = problem.trim();
  if (part === 'weight' && /below 0/.test(p)) return `${arm}'s weight is below 0: use a whole number from 0 to 100.`;
  if (part === 'variant' && /not a variant of this entry/.test(p)) return `${arm}'s variant is not one of this entry's: choose another.`;
  if (part === 'name' && /names two arms/.test(p)) return `${arm} has the name of another arm: give each arm its own name.`;
  if (part === 'name') return `${arm} needs a name of 1 to 200 characters.`;
  if (!part && /exactly one of/.test(p)) return `${arm} must serve either one variant or what personalization picks: choose one.`;
  return `${arm}: ${sentence(p)}`;
}

/** The experiment-level fault at `field` in words. */
export function fieldFaultInWords(field: string, problem: string): string {
  const p = problem.trim();
  if (field === 'name' && /empty/.test(p)) return 'Give the experiment a name.';
  if (field === 'arms' && /at least two arms/.test(p)) return 'An experiment needs at least two arms: add one.';
  if (field === 'arms' && /sum to more than 100/.test(p)) return 'The weights add up to more than 100 %: lower them so they leave no more than the whole audience.';
  if (field === 'minPeoplePerArm') return 'The minimum per arm is a whole number, at least 1.';
  return `${sentence(`${field}: ${p}`)}`;
}

export function placeExperimentError(err: unknown): PlacedExperimentErrors {
  const e = asApiError(err);
  if (e.code === 'BAD_INPUT') {
    const m = /^([A-Za-z]+)(?:\[(\d+)\])?(?:\.([A-Za-z]+))?:\s*(.*)$/s.exec(e.message.trim());
    if (m) {
      const [, field, index, part, problem] = m;
      if (field === 'audience') {
        // The rule parser says `$.all[0]: MESSAGE`; older wording is `MESSAGE at $.all[0]`.
        const at = /^(\$\S*):\s*(.*)$/s.exec(problem.trim());
        const split = at ? { text: at[2], path: at[1] } : splitRuleMessage(`rule: ${problem}`);
        return { ...NO_ERRORS, audience: { message: ruleMessageInWords(split.text), path: split.path } };
      }
      if (field === 'arms' && index !== undefined) {
        return { ...NO_ERRORS, fields: { [`arm:${index}`]: armFaultInWords(Number(index), part, problem) } };
      }
      if (['name', 'hypothesis', 'arms', 'minPeoplePerArm'].includes(field)) {
        return { ...NO_ERRORS, fields: { [field]: fieldFaultInWords(field, problem) } };
      }
    }
  }
  return { ...NO_ERRORS, general: describeError(err) };
}
