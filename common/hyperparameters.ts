/** Hyperparameter objects: an agent's defaults, overridden by what the user gave, each override checked. */
import { InputError } from './errors.js';
import { closestName } from './text.js';

/** The defaults with `given` applied; an unknown name or a value of the wrong type is an InputError. */
export function withDefaults<T extends object>(defaults: T, given: Partial<T> | undefined, agent: string): T {
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given ?? {})) {
    if (!Object.hasOwn(defaults, k)) throw new InputError(unknownHyperparameter(agent, k, Object.keys(defaults)));
    const d = (defaults as Record<string, unknown>)[k];
    if (typeof v !== typeof d || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new InputError(`${agent} hyperparameter ${k}: expected a ${Array.isArray(d) ? 'list' : typeof d}, got ${JSON.stringify(v)}`);
    }
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

/** The message for a name the agent does not have: the closest known name, else all of them. */
export function unknownHyperparameter(agent: string, name: string, known: readonly string[]): string {
  const near = closestName(name, known);
  const help = `\`marl-dse search --agent ${agent} --hp help\` lists them`;
  return `${agent} hyperparameter "${name}": unknown (${near !== null ? `did you mean ${near}? ${help}` : `known: ${known.join(', ')}; ${help}`})`;
}
