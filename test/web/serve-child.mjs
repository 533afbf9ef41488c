// `marl-dse serve` as the CLI will run it once src/cli.ts registers the command: commander, the
// built command module, and the CLI's handling of input errors (one line, exit code 2).
// usage: node serve-child.mjs SERVE_JS [serve flags...]
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';

const [serveJs, ...args] = process.argv.slice(2);
const { registerServeCommand } = await import(pathToFileURL(serveJs).href);
const program = new Command().name('marl-dse').exitOverride();
registerServeCommand(program);
try {
  await program.parseAsync(['serve', ...args], { from: 'user' });
} catch (e) {
  process.stderr.write(`marl-dse: ${e.message}\n`);
  process.exitCode = e.name === 'InputError' ? 2 : 1;
}
