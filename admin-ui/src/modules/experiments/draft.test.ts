import { describe, expect, it } from 'vitest';
import { draftProblems, emptyDraft, holdoutArms, newArm, RANKED, toInput, weightSum } from './draft';

describe('weightSum', () => {
  it('says what share of the audience stays out', () => {
    const s = weightSum([{ weight: '20' }, { weight: '40' }]);
    expect(s).toMatchObject({ total: 60, unenrolled: 40, ok: true });
    expect(s.words).toBe('The weights add up to 60 %: 40 % of the audience stays out of the experiment and gets what personalization picks.');
  });

  it('says everyone takes part at exactly 100', () => {
    expect(weightSum([{ weight: '50' }, { weight: '50' }])).toMatchObject({ total: 100, unenrolled: 0, ok: true });
  });

  it('refuses a sum over 100 and says by how much', () => {
    const s = weightSum([{ weight: '60' }, { weight: '41' }]);
    expect(s).toMatchObject({ total: 101, unenrolled: 0, ok: false });
    expect(s.words).toContain('1 more than 100 %');
  });

  it('counts what is typed so far and names the weights that are not whole numbers', () => {
    const s = weightSum([{ weight: '30' }, { weight: '' }, { weight: '2.5' }]);
    expect(s).toMatchObject({ total: 30, ok: false });
    expect(s.words).toContain('2 weights are not a whole number yet.');
  });
});

describe('draftProblems', () => {
  it('accepts the default draft once it has a name', () => {
    const d = { ...emptyDraft(['var_a']), name: 'Hero test' };
    expect(draftProblems(d)).toEqual({});
  });

  it('names each fault where it belongs', () => {
    const d = {
      ...emptyDraft(['var_a']),
      arms: [newArm('a', 'var_a', 70), newArm('a', RANKED, 40), newArm('', RANKED, 0), newArm('c', '', 0), newArm('d', RANKED, '-3')],
      minPeoplePerArm: '0',
    };
    expect(draftProblems(d)).toEqual({
      name: 'Give the experiment a name.',
      'arm:1': 'Two arms are named “a”: give each arm its own name.',
      'arm:2': 'Give arm 3 a name.',
      'arm:3': 'Choose what arm 4 serves.',
      'arm:4': "Arm 5's weight is a whole number from 0 to 100.",
      arms: 'The weights add up to 110 %, 10 more than 100 %: lower them. One weight is not a whole number yet.',
      minPeoplePerArm: 'The minimum per arm is a whole number, at least 1.',
    });
  });

  it('wants at least two arms', () => {
    expect(draftProblems({ ...emptyDraft(['v']), name: 'x', arms: [newArm('a', 'v', 50)] }).arms).toBe('An experiment needs at least two arms: add one.');
  });
});

describe('toInput', () => {
  it('turns a holdout into the contract\'s arms: a variant and ranked, control first', () => {
    const d = { ...emptyDraft(['var_a']), name: ' Holdout ', arms: holdoutArms('var_a', 10), minPeoplePerArm: '250', mode: 'BANDIT' as const };
    expect(toInput('ent_1', d)).toEqual({
      entryId: 'ent_1',
      name: 'Holdout',
      hypothesis: null,
      audience: null,
      arms: [{ name: 'control', variant: 'var_a', weight: 10 }, { name: 'personalized', ranked: true, weight: 90 }],
      goal: 'CLICK',
      mode: 'BANDIT',
      minPeoplePerArm: 250,
    });
  });

  it('leaves minPeoplePerArm to the server when empty', () => {
    expect(toInput('e', { ...emptyDraft(['v']), name: 'x' })).not.toHaveProperty('minPeoplePerArm');
  });
});
