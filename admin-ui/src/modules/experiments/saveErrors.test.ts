import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api';
import { placeExperimentError } from './saveErrors';

const bad = (message: string) => placeExperimentError(new ApiError('BAD_INPUT', message));

describe('placeExperimentError', () => {
  it('puts an arm\'s fault on that arm, in words', () => {
    expect(bad('arms[1].weight: below 0').fields).toEqual({ 'arm:1': "Arm 2's weight is below 0: use a whole number from 0 to 100." });
    expect(bad('arms[0].variant: `var_x` is not a variant of this entry').fields).toEqual({ 'arm:0': "Arm 1's variant is not one of this entry's: choose another." });
    expect(bad('arms[0]: exactly one of `variant` and `ranked: true` must be given').fields['arm:0']).toContain('either one variant or what personalization picks');
  });

  it('puts experiment-level faults on their field', () => {
    expect(bad('arms: the weights sum to more than 100 (at arms[2])').fields.arms).toContain('more than 100 %');
    expect(bad('arms: an experiment needs at least two arms, got 1').fields.arms).toBe('An experiment needs at least two arms: add one.');
    expect(bad('name: must not be empty').fields.name).toBe('Give the experiment a name.');
  });

  it('gives the audience rule its fault and path', () => {
    expect(bad('audience: $.all[0].value: gt takes a number').audience).toEqual({ message: '“is greater than” needs a number: choose or type one.', path: '$.all[0].value' });
  });

  it('says anything else beside the button', () => {
    const placed = placeExperimentError(new ApiError('CONFLICT', 'experiment changed since version 3'));
    expect(placed.fields).toEqual({});
    expect(placed.general).toMatch(/^Someone else saved a change here/);
  });
});
