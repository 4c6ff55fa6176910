/** The simulator's line about a running experiment: the arm the simulated person gets, or why none. */
import { armInReason, simulatedArmWords } from './format';

export function SimulatedArm({ reason, userKey }: { reason: string; userKey: string }) {
  const words = simulatedArmWords(armInReason(reason), userKey);
  if (!words) return null;
  return <p className="notice sim-arm"><strong>Experiment: </strong>{words}</p>;
}
