/** `marl-dse space`: prints a parameter space. */
import Table from 'cli-table3';
import type { Command } from 'commander';
import { z } from 'zod';
import { BUILTIN_SPACES, loadSpace } from '../space/builtin.js';
import { SpaceFileSchema, spaceToJson } from '../space/space.js';
import { hasRules, spaceSize } from '../space/masks.js';
import { COMMANDS } from './commands.js';

export function registerSpaceCommand(program: Command): void {
  program
    .command('space')
    .description(`${COMMANDS.space.description}; built-in: ${Object.keys(BUILTIN_SPACES).join(', ')}`)
    .option('--space <name|file>', 'built-in space or space JSON file', 'reference')
    .option('--json', 'print the space as JSON (the space file format)')
    .option('--schema', 'print the JSON Schema of space files')
    .action((flags: { space: string; json?: boolean; schema?: boolean }) => {
      if (flags.schema) {
        process.stdout.write(JSON.stringify(z.toJSONSchema(SpaceFileSchema), null, 2) + '\n');
        return;
      }
      const space = loadSpace(flags.space);
      const size = spaceSize(space);
      if (flags.json) {
        process.stdout.write(JSON.stringify({ ...spaceToJson(space), designs: size, slices: space.slices.map((s) => ({ subsystem: s.subsystem, parameters: s.parameters.map((i) => space.parameters[i].name) })) }) + '\n');
        return;
      }
      const t = new Table({ head: ['slice', 'parameter', 'values'], style: { head: [], border: [], compact: true } });
      for (const s of space.slices) {
        for (const i of s.parameters) {
          const p = space.parameters[i];
          const shown = p.values.length > 12 ? `${p.values.slice(0, 4).join(', ')}, … ${p.values[p.values.length - 1]}` : p.values.join(', ');
          t.push([s.subsystem, p.name, `${shown} (${p.values.length})`]);
        }
      }
      const designs = Number.isSafeInteger(size) ? size.toLocaleString('en-US') : `about ${size.toExponential(2)}`;
      const rules = hasRules(space) ? ' (those the rules allow: a value that cannot exist with the ones before it is excluded)' : '';
      process.stdout.write(`space ${space.name}: ${space.parameters.length} parameters, ${designs} designs${rules}\n${t.toString()}\n`);
    });
}
