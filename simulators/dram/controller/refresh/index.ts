/**
 * The refresh policies (mcconfig RefreshPolicy), built from what the standard says each refreshes
 * with: NoRefresh, AllBank (one rank at a time), and the partial ones, PerBank (one bank),
 * SameBank (the same bank in every bank group) and Per2Bank (a bank pair).
 */
import { InputError } from '../../../../common/errors.js';
import { Cmd, type Target } from '../../commands.js';
import type { McConfig } from '../../mcconfig.js';
import type { MemSpec } from '../../memspec.js';
import { AllBankRefresh } from './all-bank.js';
import { NoRefresh } from './no-refresh.js';
import { PartialRefresh } from './partial.js';
import type { ControllerView, RefreshManager } from './refresh-manager.js';

export type { ControllerView, RefreshManager };

/** The sets of banks (channel-absolute) one refresh with `target` covers on `rank`, in refresh order. */
export function refreshSets(spec: MemSpec, rank: number, target: Target): number[][] {
  const base = rank * spec.banks;
  const sets: number[][] = [];
  if (target === 'bank') for (let b = 0; b < spec.banks; b++) sets.push([base + b]);
  else if (target === 'sameBank') {
    for (let k = 0; k < spec.banksPerGroup; k++) sets.push(Array.from({ length: spec.bankGroups }, (_, g) => base + g * spec.banksPerGroup + k));
  } else if (target === 'bankPair') for (let b = 0; b < spec.banks / 2; b++) sets.push([base + b, base + b + spec.banks / 2]);
  else sets.push(Array.from({ length: spec.banks }, (_, b) => base + b));
  return sets;
}

export function makeRefreshManager(spec: MemSpec, cfg: McConfig, view: ControllerView, rank: number): RefreshManager {
  const policy = cfg.RefreshPolicy;
  if (policy === 'NoRefresh') return new NoRefresh();
  const modes = spec.standard.refresh(spec.timing);
  const mode = modes[policy];
  if (!mode) {
    const has = Object.keys(modes).join(', ');
    const why = policy === 'PerBank' && spec.standard.commands.REFPB ? ` (memtimingspec REFIPB and RFCPB enable it for ${spec.memoryType})` : '';
    throw new InputError(`mcconfig RefreshPolicy ${policy}: memspec ${spec.memoryId} (${spec.memoryType}) has no such refresh${why}; it has NoRefresh, ${has}`);
  }
  const t = spec.timing;
  const refresh = spec.standard.commands[mode.command]!;
  const precharge = spec.standard.commands[mode.precharge]!;
  const args = [view, rank, spec.ranks, t[mode.interval], cfg.RefreshMaxPostponed, cfg.RefreshMaxPulledin] as const;
  if (refresh.target === 'rank') return new AllBankRefresh(...args, Cmd[mode.command], Cmd[mode.precharge]);
  return new PartialRefresh(...args, refreshSets(spec, rank, refresh.target), Cmd[mode.command], Cmd[mode.precharge], precharge.target !== 'bank');
}
