import { hideBin } from 'yargs/helpers';
import { buildCli, resolveArgs } from './cli.js';
import { labUnavailableReason } from './preflight.js';
import { runMatrix } from './run-matrix.js';
import { writeReport } from './report-file.js';
import { behaviourTable, matrixTable } from './table.js';

async function main(): Promise<void> {
  const parsed = await buildCli(hideBin(process.argv)).parseAsync();
  let args;
  try {
    args = resolveArgs(parsed);
  } catch (err) {
    process.stderr.write(`natlab: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
    return;
  }
  const reason = await labUnavailableReason();
  if (reason !== null) {
    process.stderr.write(`natlab: ${reason}\n`);
    process.exitCode = 2;
    return;
  }
  const { report, results } = await runMatrix({
    cells: args.cells,
    discover: args.discover,
    clientPath: args.client,
    signalingPath: args.signaling,
    timeoutS: args.timeoutS,
    clientArgs: args.clientArgs,
    keepLogs: args.keepLogs,
    progress: (line) => process.stderr.write(`natlab: ${line}\n`),
  });
  writeReport(args.report, report);
  if (report.behaviours.length > 0)
    process.stdout.write(
      `\nNAT behaviours (turnutils_natdiscovery -m -f beside bin/client --nat-only)\n${behaviourTable(report.behaviours)}\n`,
    );
  if (report.cells.length > 0)
    process.stdout.write(
      `\nConnectivity matrix (bin/client --json; pair = selected local->remote candidate types; NAT (CLI) = each side's own measurement, mapping/filtering)\n${matrixTable(results)}\n`,
    );
  for (const r of results) {
    for (const miss of r.verdict.misses) process.stdout.write(`  ${r.name}: MISSED: ${miss}\n`);
    for (const note of r.verdict.notes) process.stdout.write(`  ${r.name}: note: ${note}\n`);
  }
  process.stdout.write(
    `\n${report.allMet ? 'every check met its expectation' : 'SOME CHECKS MISSED THEIR EXPECTATION'}; report: ${args.report}${report.logDir ? `; logs: ${report.logDir}` : ''}\n`,
  );
  process.exitCode = report.allMet ? 0 : 1;
}

try {
  await main();
} catch (err) {
  // The lab is already torn down (runMatrix's finally); say what broke, without a stack.
  process.stderr.write(`natlab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
