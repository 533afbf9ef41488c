import { type PowerDownManager, PowerState } from './power-down-manager.js';

/** NoPowerDown: the rank stays in standby. */
export class NoPowerDown implements PowerDownManager {
  cmd = -1;
  state = PowerState.AWAKE as number;
  evaluate(): void {}
  nextTime(): number {
    return Infinity;
  }
  onIssued(): void {}
  interrupt(): void {}
  becameIdle(): void {}
}
