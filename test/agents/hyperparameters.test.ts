/**
 * The hyperparameter registry: every agent's names, defaults and meanings; the README's tables
 * agree with it; a mistyped name is answered with the closest known one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENTS, type AgentName, agentHyperparameters, createAgent } from '../../agents/index.js';
import { GA_DEFAULTS } from '../../agents/ga.js';
import { PPO_DEFAULTS } from '../../agents/ppo.js';
import { withDefaults } from '../../common/hyperparameters.js';
import { closestName } from '../../common/text.js';
import { problemOf } from '../../src/search/runner.js';
import { parseSpace } from '../../src/space/space.js';

const README = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

/** The README's hyperparameter tables: a header `| \`--hp\` (\`a\`, \`b\`) | default | …`, then rows. */
function readmeTables(): Map<string, Map<string, string>> {
  const byAgent = new Map<string, Map<string, string>>();
  const lines = README.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const header = /^\| `--hp` \(([^)]*)\) \| default \|/.exec(lines[i]);
    if (!header) continue;
    const agents = [...header[1].matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    for (let j = i + 2; j < lines.length && lines[j].startsWith('|'); j++) {
      const [name, value] = lines[j].split('|').slice(1, 3).map((c) => c.trim());
      for (const a of agents) {
        const rows = byAgent.get(a) ?? new Map<string, string>();
        expect(rows.has(name), `${a}: ${name} listed twice`).toBe(false);
        rows.set(name, value);
        byAgent.set(a, rows);
      }
    }
  }
  return byAgent;
}

/** A README default as a value: `2,048` → 2048, `[64, 64]` → [64, 64], `true` → true. */
function readmeValue(cell: string): unknown {
  return JSON.parse(cell.startsWith('[') ? cell : cell.replace(/,/g, ''));
}

describe('hyperparameter registry', () => {
  it('gives every hyperparameter of every agent a default and a meaning', () => {
    for (const agent of AGENTS) {
      for (const h of agentHyperparameters(agent)) {
        expect(h.default, `${agent}.${h.name}`).toBeDefined();
        expect(h.meaning, `${agent}.${h.name}`).toMatch(/\S/);
      }
    }
    expect(agentHyperparameters('random')).toEqual([]);
    // marl runs PPO's code: the same names and defaults.
    expect(agentHyperparameters('marl')).toEqual(agentHyperparameters('ppo'));
    expect(Object.fromEntries(agentHyperparameters('ga').map((h) => [h.name, h.default]))).toEqual(GA_DEFAULTS);
    expect(agentHyperparameters('ppo').map((h) => h.name)).toEqual(Object.keys(PPO_DEFAULTS));
  });

  it("the README's table for each agent lists exactly its hyperparameters, with their defaults", () => {
    const tables = readmeTables();
    for (const agent of AGENTS) {
      const registry = agentHyperparameters(agent);
      const rows = tables.get(agent) ?? new Map<string, string>();
      expect([...rows.keys()].sort(), agent).toEqual(registry.map((h) => `\`${h.name}\``).sort());
      for (const h of registry) expect(readmeValue(rows.get(`\`${h.name}\``)!), `${agent}.${h.name}`).toEqual(h.default);
    }
  });

  it('refuses an unknown name with the closest known one, naming the agent asked for', () => {
    const problem = problemOf(parseSpace({ name: 'two', parameters: [{ name: 'PagePolicy', values: ['Open', 'Closed'] }] }, 'test'), 4);
    const make = (agent: AgentName, hp: Record<string, unknown>) => () => createAgent(agent, problem, { seed: 1, hyperparameters: hp });
    expect(make('ga', { populationSize: 16 })).toThrow(
      'ga hyperparameter "populationSize": unknown (did you mean population? `marl-dse search --agent ga --hp help` lists them)',
    );
    expect(make('marl', { learningrate: 0.1 })).toThrow(/^marl hyperparameter "learningrate": unknown \(did you mean learningRate\?/);
    expect(make('aco', { antCnt: 4 })).toThrow(/did you mean antCount\?/);
    // Nothing close: every known name instead.
    expect(make('ga', { zzz: 1 })).toThrow('(known: population, tournament, crossoverRate, mutationRate, elites; `marl-dse search --agent ga --hp help` lists them)');
    expect(() => withDefaults(GA_DEFAULTS, { elite: 1 } as never, 'ga')).toThrow(/did you mean elites\?/);
  });
});

describe('closestName', () => {
  const known = ['population', 'tournament', 'crossoverRate', 'mutationRate', 'elites'];
  it('prefers a name that contains the given one or is contained in it, then the fewest edits', () => {
    expect(closestName('populationSize', known)).toBe('population');
    expect(closestName('pop', ['population', 'top'])).toBe('top'); // too short to count as nested; one edit
    expect(closestName('Mutation_Rate', known)).toBe('mutationRate');
    expect(closestName('crossoverrate', known)).toBe('crossoverRate');
    expect(closestName('tournamnet', known)).toBe('tournament');
  });
  it('answers null when nothing is close', () => {
    expect(closestName('zzz', known)).toBeNull();
    expect(closestName('learningRate', known)).toBeNull();
    expect(closestName('x', [])).toBeNull();
  });
});
