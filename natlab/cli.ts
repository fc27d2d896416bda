import yargs, { type Argv } from 'yargs';
import { BEHAVIOURS, isBehaviour, type Behaviour } from './behaviour.js';
import {
  buildCells,
  DEFAULT_MODES,
  DEFAULT_PAIRS,
  MODES,
  parsePair,
  REDUCED_PAIRS,
  SAME_ROUTER_CELLS,
  type Cell,
  type Mode,
} from './matrix.js';
import { repoPath } from '../scripts/repo.js';

export interface NatlabArgs {
  cells: Cell[];
  discover: Behaviour[];
  report: string;
  client: string;
  signaling: string;
  timeoutS: number;
  clientArgs: string[];
  keepLogs: boolean;
}

export function buildCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Argv<Record<string, unknown>> {
  return yargs([...argv])
    .scriptName('natlab')
    .usage(
      '$0 [options]\n\nBuilds NAT routers in network namespaces (root), measures each NAT behaviour,\nthen runs bin/client through every pair of routers and checks each path.',
    )
    .option('pairs', {
      type: 'string',
      array: true,
      describe: 'answerer:offerer behaviour pairs, e.g. easy:hard (default: the full matrix)',
    })
    .option('same-router', {
      type: 'boolean',
      describe:
        'also the hairpin cells: both peers behind one router, hairpinning and not (default: with the full matrix)',
    })
    .option('reduced', {
      type: 'boolean',
      default: false,
      describe: `only ${REDUCED_PAIRS.map((p) => p.join(':')).join(', ')}`,
    })
    .option('modes', {
      type: 'string',
      array: true,
      choices: MODES,
      default: [...DEFAULT_MODES],
      describe: 'ICE modes to run each pair in',
    })
    .option('discover', {
      type: 'string',
      array: true,
      default: [...BEHAVIOURS],
      describe: 'behaviours to measure with turnutils_natdiscovery first (--no-discover: none)',
    })
    .option('report', {
      type: 'string',
      default: env['NATLAB_REPORT'] ?? 'natlab-report.json',
      describe: 'JSON report path (env NATLAB_REPORT)',
    })
    .option('client', { type: 'string', default: repoPath('bin/client'), describe: 'the peer CLI to test' })
    .option('signaling', {
      type: 'string',
      default: repoPath('bin/signaling'),
      describe: 'the signaling service to run',
    })
    .option('timeout-s', { type: 'number', default: 20, describe: "the peers' --timeout-s" })
    .option('client-args', {
      type: 'string',
      default: '',
      describe: 'extra flags for both peers, space-separated: --client-args="--duration-s 2"',
    })
    .option('keep-logs', {
      type: 'boolean',
      default: false,
      describe: 'keep the log directory even when every cell passed',
    })
    .strict()
    .version(false)
    .help();
}

export function resolveArgs(parsed: Record<string, unknown>): NatlabArgs {
  const pairsArg = parsed['pairs'];
  const pairs = Array.isArray(pairsArg)
    ? pairsArg.map((p) => parsePair(String(p)))
    : parsed['reduced'] === true
      ? REDUCED_PAIRS
      : DEFAULT_PAIRS;
  const modesArg = parsed['modes'];
  const modes = (Array.isArray(modesArg) ? modesArg : DEFAULT_MODES)
    .map(String)
    .filter((m): m is Mode => (MODES as readonly string[]).includes(m));
  const discoverArg = parsed['discover'];
  // --no-discover arrives as false or [false] (so yargs' choices cannot check it); a list names behaviours.
  const named = (Array.isArray(discoverArg) ? discoverArg : []).map(String).filter((b) => b !== 'false');
  const discover = named.map((b) => {
    if (!isBehaviour(b)) throw new Error(`bad --discover "${b}": want one of ${BEHAVIOURS.join(', ')}`);
    return b;
  });
  const full = !Array.isArray(pairsArg) && parsed['reduced'] !== true;
  const sameRouter = parsed['same-router'] === undefined ? full : parsed['same-router'] === true;
  return {
    cells: [...buildCells(pairs, modes), ...(sameRouter ? SAME_ROUTER_CELLS : [])],
    discover,
    report: String(parsed['report']),
    client: String(parsed['client']),
    signaling: String(parsed['signaling']),
    timeoutS: Number(parsed['timeout-s']),
    clientArgs: String(parsed['client-args'])
      .split(/\s+/)
      .filter((s) => s !== ''),
    keepLogs: parsed['keep-logs'] === true,
  };
}
