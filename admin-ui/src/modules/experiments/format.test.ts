import { describe, expect, it } from 'vitest';
import { armInReason, armLabel, armServes, armsSummary, intervalChartData, intervalText, pClause, percent, probabilityText, pValueText, signedPercent, simulatedArmWords, srmWarning } from './format';

describe('arm labels', () => {
  it('marks the control and says what each arm serves', () => {
    expect(armLabel({ name: 'calm' }, 0)).toBe('calm (control)');
    expect(armLabel({ name: 'Control' }, 0)).toBe('Control');
    expect(armLabel({ name: 'b' }, 1)).toBe('b');
    expect(armServes({ id: '1', name: 'a', ranked: true, weight: 50 })).toBe('what personalization picks');
    expect(armServes({ id: '1', name: 'a', ranked: false, weight: 50, variant: { id: 'v', name: 'Winter' } })).toBe('variant “Winter”');
    expect(armsSummary([{ name: 'control', weight: 10 }, { name: 'personalized', weight: 90 }])).toBe('control 10 % · personalized 90 %');
  });
});

describe('report figures', () => {
  it('writes shares, signed changes, intervals and p-values', () => {
    expect(percent(0.1234)).toBe('12.3 %');
    expect(percent(0)).toBe('0.0 %');
    expect(signedPercent(0.25)).toBe('+25.0 %');
    expect(signedPercent(-0.1)).toBe('\u221210.0 %');
    expect(signedPercent(0.00001)).toBe('0.0 %');
    expect(signedPercent(null)).toBe('—');
    expect(intervalText(0.1, 0.2)).toBe('10.0 % to 20.0 %');
    expect(intervalText(-0.5, 1.25, true)).toBe('\u221250.0 % to +125.0 %');
    expect(intervalText(null, 0.2)).toBe('—');
    expect(probabilityText(0.9734)).toBe('97.3 %');
    expect(probabilityText(null)).toBe('—');
    expect(pValueText(0.0312)).toBe('0.031');
    expect(pValueText(0.0001)).toBe('< 0.001');
    expect(pClause(0.0312)).toBe('p = 0.031');
    expect(pClause(0.0001)).toBe('p < 0.001');
  });

  it('draws each arm\'s interval as a floating bar in percent', () => {
    expect(intervalChartData([
      { arm: { name: 'a' }, rate: 0.1, rateLow: 0.05, rateHigh: 0.1812 },
      { arm: { name: 'b' }, rate: 0.2, rateLow: 0.15, rateHigh: 0.26 },
    ])).toEqual({ labels: ['a (control)', 'b'], intervals: [[5, 18.12], [15, 26]], rates: [10, 20] });
  });

  it('explains a sample ratio mismatch with the counts it expected', () => {
    const words = srmWarning([{ arm: { name: 'a' }, people: 900, weight: 0.5 }, { arm: { name: 'b' }, people: 100, weight: 0.5 }], 0.00001, 'FIXED');
    expect(words).toContain('got a 900, b 100; expected about a 500, b 500; p < 0.001');
    expect(words).toContain('cannot be trusted');
  });
});

describe('armInReason', () => {
  const known = { name: 'Hero; test', arms: ['control', 'control; b'] };
  it('reads the arm an answer names, matching known names whole', () => {
    expect(armInReason('experiment "Hero; test" arm control; the arm\'s variant; priority 0', known)).toEqual({ kind: 'arm', experiment: 'Hero; test', arm: 'control' });
    expect(armInReason('experiment "Hero; test" arm control; b; matched segment', known)).toEqual({ kind: 'arm', experiment: 'Hero; test', arm: 'control; b' });
  });

  it('reads the arm without knowing the experiment', () => {
    expect(armInReason('experiment "Hero" arm personalized; matched segment is "skier"')).toEqual({ kind: 'arm', experiment: 'Hero', arm: 'personalized' });
  });

  it('reads why a person is not enrolled, and nothing when no experiment runs', () => {
    expect(armInReason('not enrolled: outside the weights; targets everyone')).toEqual({ kind: 'not-enrolled', why: 'outside the weights' });
    expect(armInReason('targets everyone; priority 0')).toEqual({ kind: 'none' });
  });
});

describe('simulatedArmWords', () => {
  it('says which arm the person gets, or why none', () => {
    expect(simulatedArmWords({ kind: 'arm', experiment: 'Hero', arm: 'b' }, 'u-1')).toBe('The person “u-1” is in the experiment “Hero” and gets the arm “b”.');
    expect(simulatedArmWords({ kind: 'not-enrolled', why: 'no userKey' }, '')).toBe('An experiment is running on this entry: give a user key to see the arm that person gets.');
    expect(simulatedArmWords({ kind: 'not-enrolled', why: 'outside the audience' }, 'u-2')).toBe('The person “u-2” is not in the running experiment: outside the audience. They get what personalization picks.');
    expect(simulatedArmWords({ kind: 'none' }, 'u')).toBeNull();
  });
});
