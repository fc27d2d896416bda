import { Writable } from 'node:stream';
import * as werift from 'werift';
import { createAudio } from '../../client/audio/lazy-audio.js';
import { toOptions, buildCli, type ClientOptions } from '../../client/cli.js';
import { createLogger, type Logger } from '../../client/log.js';
import { emptyReport, type Report } from '../../client/report.js';
import type { CallOutcome } from '../../client/call-setup.js';
import type { PeerEvent } from '../../client/peer-messages.js';
import { Call } from '../../client/session.js';
import { planIceServers } from '../../client/ice-servers.js';
import { Deadline } from '../../client/wait.js';

/** A logger whose lines a test can read. */
export function captureLog(level: 'info' | 'debug' = 'debug'): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger({ level, out, color: false }), lines };
}

export function optionsFor(role: 'offerer' | 'answerer', extra: string[] = []): ClientOptions {
  return toOptions(
    buildCli().parseSync(['--role', role, '--audio', 'none', '--messages', '3', '--interval-ms', '50', ...extra]),
  );
}

export interface Side {
  options: ClientOptions;
  report: Report;
  lines: string[];
  call: Call | undefined;
  outcome: Promise<CallOutcome> | undefined;
  abort: AbortController;
}

/**
 * Two Calls wired directly to each other, no service: what one signals is
 * delivered to the other on the next turn of the event loop, in order.
 * `hold` lets a test keep back one side's messages of a type and release them
 * later (to reorder them), `drop` loses them.
 */
export function wirePair(
  opts: {
    offerer?: string[];
    answerer?: string[];
    connectMs?: number;
    holdAnswer?: boolean;
    dropFromAnswerer?: (type: string) => boolean;
    /** The answerer's send of this type fails with this error (as the service's 404 for a peer that left). */
    answererSendFails?: (type: string) => Error | undefined;
  } = {},
) {
  const make = (role: 'offerer' | 'answerer', extra: string[] | undefined): Side => {
    const options = optionsFor(role, extra);
    const { lines } = captureLog();
    return {
      options,
      report: emptyReport(options),
      lines,
      call: undefined,
      outcome: undefined,
      abort: new AbortController(),
    };
  };
  const offerer = make('offerer', opts.offerer);
  const answerer = make('answerer', opts.answerer);
  const toAnswerer: PeerEvent[] = [];
  const held: PeerEvent[] = [];
  const deliverToOfferer = (event: PeerEvent): void => {
    setImmediate(() => offerer.call?.deliver(event));
  };
  const start = (
    side: Side,
    signal: (type: string, data: unknown) => Promise<void>,
    offer?: { type: 'offer'; sdp: string },
  ): void => {
    const { log, lines } = captureLog();
    side.lines = lines;
    side.call = new Call({
      werift,
      options: side.options,
      plan: planIceServers([], side.options),
      hostAddresses: ['127.0.0.1'],
      ...(offer ? { offer } : {}),
      signal: (type, data) => signal(type, data),
      audio: createAudio(side.options, log),
      report: side.report,
      log,
      connectDeadline: new Deadline(opts.connectMs ?? 20_000),
      abort: side.abort.signal,
    });
    side.outcome = side.call.run();
  };
  const answererSignal = async (type: string, data: unknown): Promise<void> => {
    if (opts.dropFromAnswerer?.(type)) return;
    const failure = opts.answererSendFails?.(type);
    if (failure) throw failure;
    const event = toEvent(type, data);
    if (type === 'answer' && opts.holdAnswer) held.push(event);
    else deliverToOfferer(event);
  };
  const offererSignal = async (type: string, data: unknown): Promise<void> => {
    if (type === 'offer') {
      setImmediate(() => {
        start(answerer, answererSignal, data as { type: 'offer'; sdp: string });
        for (const event of toAnswerer.splice(0)) answerer.call?.deliver(event);
      });
      return;
    }
    const event = toEvent(type, data);
    setImmediate(() => (answerer.call ? answerer.call.deliver(event) : toAnswerer.push(event)));
  };
  start(offerer, offererSignal);
  return {
    offerer,
    answerer,
    /** Delivers the held answer (after everything else the answerer sent). */
    releaseAnswer: () => held.splice(0).forEach(deliverToOfferer),
    outcomes: async (): Promise<[CallOutcome, CallOutcome]> => {
      const first = await offerer.outcome!;
      while (!answerer.outcome) await new Promise((r) => setImmediate(r));
      return [first, await answerer.outcome];
    },
  };
}

function toEvent(type: string, data: unknown): PeerEvent {
  switch (type) {
    case 'answer':
      return { kind: 'answer', data };
    case 'candidate':
      return { kind: 'candidate', data };
    case 'bye':
      return { kind: 'bye', reason: String((data as { reason?: unknown }).reason) };
    default:
      throw new Error(`unexpected signal ${type}`);
  }
}
