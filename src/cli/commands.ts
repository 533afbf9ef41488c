/**
 * The `marl-dse` commands: what each does (for the top-level help) and where it lives. A command's
 * module is loaded only when that command runs, so `simulate` never loads TensorFlow.js, the run
 * store or the web server, and `--help`/`--version` load none of them.
 */
import type { Command } from 'commander';

export type Register = (program: Command) => void;

interface CommandEntry {
  readonly description: string;
  readonly load: () => Promise<Register>;
}

/** The commands, in the order help lists them. */
export const COMMANDS = {
  simulate: {
    description: 'simulate a trace on one memory and controller configuration',
    load: async () => (await import('./simulate.js')).registerSimulateCommand,
  },
  search: {
    description: 'search the design space with an agent; every evaluation is stored and the run can be resumed',
    load: async () => (await import('./search.js')).registerSearchCommand,
  },
  runs: {
    description: 'list, show and export the searches stored in a run store',
    load: async () => (await import('./runs.js')).registerRunsCommand,
  },
  compare: {
    description: 'run MARL and the baselines over traces × objectives × seeds and write a report',
    load: async () => (await import('./compare.js')).registerCompareCommand,
  },
  serve: {
    description: 'serve the live dashboard for the runs of a store (every run, live and finished) until Ctrl-C',
    load: async () => (await import('./serve.js')).registerServeCommand,
  },
  worker: {
    description: 'run simulations for searches on a Redis queue (start one per machine)',
    load: async () => (await import('./worker.js')).registerWorkerCommand,
  },
  space: {
    description: 'print a parameter space (a built-in one or a space file)',
    load: async () => (await import('./space.js')).registerSpaceCommand,
  },
  sweep: {
    description: 'evaluate every design of a space (ground truth for searches); resumes an interrupted sweep',
    load: async () => (await import('./sweep.js')).registerSweepCommand,
  },
  traces: {
    description: 'list, generate, inspect, import and capture workload traces',
    load: async () => (await import('./traces.js')).registerTracesCommand,
  },
} as const satisfies Record<string, CommandEntry>;
