import { performance } from 'node:perf_hooks';
import type { ClientOptions } from './cli.js';
import { ClientError } from './errors.js';
import { planIceServers, type IceServerPlan } from './ice-servers.js';
import { startNatExchange } from './nat/start.js';
import type { Logger } from './log.js';
import { PeerInbox, pumpMailbox } from './peer-inbox.js';
import { register } from './registration.js';
import { emptyReport, exitCodeOf, isOk, judgeIncomplete, recordFailure, summaryLine, type Report } from './report.js';
import { CallFactory } from './call-factory.js';
import type { Werift } from './call-setup.js';
import { isOffer } from './peer-messages.js';
import { errorText, SignalingClient, type Registration } from './signaling-client.js';
import { abortReason, Deadline, DeadlineError } from './wait.js';

export interface RunDeps {
  log: Logger;
  /** werift, loading since the process started (registration overlaps it). */
  werift: Promise<Werift>;
  /** SIGINT/SIGTERM: the reason is a ClientError (interrupted/terminated). */
  abort: AbortSignal;
  /** Called with each finished report (one per call with --forever). */
  onReport: (report: Report) => void;
}

/**
 * The whole run: register, meet the peer, call (again, if it leaves before we
 * connect), report, leave. Returns the exit code.
 */
export async function runPeer(options: ClientOptions, deps: RunDeps): Promise<number> {
  const { log, abort } = deps;
  const signaling = new SignalingClient(options.signalingAddr, { apiKey: options.apiKey, log });
  const pump = new AbortController();
  const stopPump = (): void => pump.abort(abort.reason);
  abort.addEventListener('abort', stopPump, { once: true });
  let pumping: Promise<void> | undefined;
  let calls: CallFactory | undefined;
  let report = emptyReport(options);
  // werift makes one DTLS certificate per process, on the first createOffer/createAnswer
  // (~50 ms of ECDSA and X.509): make it as soon as werift has loaded, while we register.
  deps.werift
    .then(async (werift) => await werift.RTCDtlsTransport.SetupCertificate())
    .catch((error: unknown) => log.debug(`certificate: ${errorText(error)}`));
  try {
    const registration = await register(signaling, options, log, abort);
    const registeredAt = (report.timingsMs.registered = Math.round(performance.now()));
    const others = registration.peers.length > 0 ? registration.peers.join(', ') : 'nobody else';
    log.info(
      { room: registration.room, peers: registration.peers },
      `registered as ${registration.name} in room ${registration.room}; here: ${others}`,
    );

    const plan = planIceServers(registration.iceServers, options);
    logIcePlan(plan, log);
    if (options.relayOnly && plan.turnUrl === undefined) {
      throw new ClientError(
        'no_turn_server',
        '--relay-only, but neither the service nor --turn gave a TURN server with credentials',
      );
    }

    const inbox = new PeerInbox(log);
    const nat = startNatExchange(plan, options, deps.werift, inbox, log);
    pumping = pumpMailbox(signaling, registration, options, inbox, log, pump.signal);
    const werift = await deps.werift;
    log.debug('werift loaded');
    calls = new CallFactory(options, plan, werift, signaling, log, abort, nat);

    if (options.role === 'offerer') {
      await offererLoop(options, registration, inbox, calls, report, log, abort);
    } else {
      // With --forever every call gets its own report; the run ends with SIGINT or SIGTERM.
      for (;;) {
        await answererCall(options, inbox, calls, report, log, abort);
        if (!options.forever) break;
        finish(report, options, calls.audioRequired, log);
        deps.onReport(report);
        report = emptyReport(options);
        report.timingsMs.registered = registeredAt;
        log.info(`waiting for the next call from ${options.peer} (--forever)`);
      }
    }
  } catch (error) {
    recordFailure(report, abort.aborted ? abortReason(abort) : error);
  } finally {
    abort.removeEventListener('abort', stopPump);
    pump.abort(new Error('run finished'));
    await pumping;
    await leave(signaling, log);
  }
  const code = finish(report, options, calls?.audioRequired ?? false, log);
  deps.onReport(report);
  return code;
}

/** Sets `ok`, prints the final summary, returns the exit code. */
function finish(report: Report, options: ClientOptions, audioRequired: boolean, log: Logger): number {
  const expect = { messages: options.messages, audioRequired };
  report.ok = isOk(report, expect);
  if (!report.ok) judgeIncomplete(report, expect);
  const line = summaryLine(report);
  if (report.ok) log.info(line);
  else log.error(line);
  return exitCodeOf(report);
}

async function offererLoop(
  options: ClientOptions,
  registration: Registration,
  inbox: PeerInbox,
  calls: CallFactory,
  report: Report,
  log: Logger,
  abort: AbortSignal,
): Promise<void> {
  let present = registration.peers.includes(options.peer);
  let deadline = new Deadline(options.timeoutS * 1000);
  for (;;) {
    if (!present) {
      log.info(`waiting for ${options.peer} to join room ${options.room}`);
      await waitForJoin(inbox, options, deadline, log, abort);
    }
    log.info(`${options.peer} is here: calling`);
    const outcome = await calls.run(report, inbox, deadline);
    if (!outcome.error) return;
    if (outcome.error.code === 'peer_left' && !outcome.connected) {
      log.warn(`${outcome.error.message}; waiting up to ${options.timeoutS} s for it to come back`);
      present = false;
      deadline = new Deadline(options.timeoutS * 1000);
      resetCall(report);
      continue;
    }
    throw outcome.error;
  }
}

async function waitForJoin(
  inbox: PeerInbox,
  options: ClientOptions,
  deadline: Deadline,
  log: Logger,
  abort: AbortSignal,
): Promise<void> {
  for (;;) {
    const message = await inbox.next(deadline, `waiting for ${options.peer}`, abort).catch((error: unknown) => {
      throw error instanceof DeadlineError
        ? new ClientError('timeout', `${options.peer} did not join room ${options.room} within ${options.timeoutS} s`)
        : error;
    });
    if (message.type === 'peer-joined') return;
    log.debug({ type: message.type }, `ignored ${message.type} from ${message.from} while waiting for it to join`);
  }
}

async function answererCall(
  options: ClientOptions,
  inbox: PeerInbox,
  calls: CallFactory,
  report: Report,
  log: Logger,
  abort: AbortSignal,
): Promise<void> {
  let deadline = options.forever ? Deadline.never() : new Deadline(options.timeoutS * 1000);
  log.info(`waiting for an offer from ${options.peer}`);
  for (;;) {
    const message = await inbox
      .next(deadline, `waiting for an offer from ${options.peer}`, abort)
      .catch((error: unknown) => {
        throw error instanceof DeadlineError
          ? new ClientError('timeout', `no offer from ${options.peer} within ${options.timeoutS} s`)
          : error;
      });
    if (message.type === 'peer-joined') {
      log.info(`${options.peer} joined; waiting for its offer`);
      continue;
    }
    if (message.type !== 'offer' || !isOffer(message.data)) {
      log.debug({ type: message.type }, `ignored ${message.type} from ${message.from} while waiting for an offer`);
      continue;
    }
    log.info(`offer received from ${options.peer}: answering`);
    const connectDeadline = options.forever ? new Deadline(options.timeoutS * 1000) : deadline;
    const outcome = await calls.run(report, inbox, connectDeadline, message.data);
    if (!outcome.error) return;
    if (outcome.error.code === 'peer_left' && !outcome.connected) {
      log.warn(`${outcome.error.message}; waiting for it to call again`);
      if (!options.forever) deadline = new Deadline(options.timeoutS * 1000);
      resetCall(report);
      continue;
    }
    if (options.forever && !abort.aborted) {
      recordFailure(report, outcome.error);
      return;
    }
    throw outcome.error;
  }
}

/** Forgets what a call that never connected learned, before the next call. */
function resetCall(report: Report): void {
  const fresh = emptyReport(report);
  fresh.timingsMs.registered = report.timingsMs.registered;
  Object.assign(report, {
    ...fresh,
    role: report.role,
    id: report.id,
    peer: report.peer,
    room: report.room,
    signalingAddr: report.signalingAddr,
  });
}

function logIcePlan(plan: IceServerPlan, log: Logger): void {
  const servers = [
    plan.stunUrl ? `STUN ${plan.stunUrl}` : undefined,
    plan.turnUrl ? `TURN ${plan.turnUrl} (${plan.turnRelayProtocol})` : undefined,
  ].filter(Boolean);
  log.info(
    { iceServers: plan.iceServers.map((s) => s.urls) },
    `ICE servers: ${servers.length > 0 ? servers.join(', ') : 'none (host candidates only)'}`,
  );
  for (const note of plan.notes) log.warn(note);
}

async function leave(signaling: SignalingClient, log: Logger): Promise<void> {
  if (!signaling.registered) {
    await signaling.destroy().catch(() => undefined);
    return;
  }
  try {
    await signaling.leave();
    log.info('left the room');
  } catch (error) {
    log.warn(`could not leave the room: ${errorText(error)}`);
  } finally {
    await signaling.destroy().catch(() => undefined);
  }
}
