/**
 * Vitest global setup: compiles the project once before any test file runs. Tests that spawn the
 * CLI, worker threads and queue workers run the compiled `dist/`, so without this a test run after
 * an edit (`npx vitest run test/x.test.ts`) would test the code of the last build.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  const root = join(import.meta.dirname, '..');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { cwd: root, stdio: 'pipe' });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`the build failed, so no test ran:\n${out}`);
  }
}
