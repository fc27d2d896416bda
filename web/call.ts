/**
 * One call of the page, top to bottom like bin/client's session: register,
 * the peer connection and its handlers, offer or answer, the exchange, the
 * report and bye, leave. Everything seen on the way goes to the view as it
 * happens; the report in bin/client's shape is what the call returns.
 */
import { ClientError, type FailureCode } from '../client/errors.js';
import { jointLine } from '../client/nat/joint.js';
import { ErrorCode } from '../signaling/error-codes.js';
import type { ReportSummary } from '../signaling/protocol.js';
import { listen, openSource, type Heard } from './audio.js';
import { Chat } from './chat.js';
import type { CallView } from './call-view.js';
import { IceWatch } from './ice-watch.js';
import { Inbox } from './inbox.js';
import type { PageOptions } from './options.js';
import { emptyPageReport, judge, pageNat, type PageReport } from './page-report.js';
import { peerClock, serverOffset, type Arrival } from './clock.js';
import { audioReport, readStats } from './peer-stats.js';
import { Signaling, SignalingError } from './signaling.js';

const SILENCE_MS = 5_000;
const BYE_WAIT_MS = 3_000;

export async function runCall(options: PageOptions, view: CallView): Promise<PageReport> {
  const t0 = performance.now();
  const now = (): number => Math.round(performance.now() - t0);
  const report = emptyPageReport(options, location.origin);
  const mark = (label: string, level: 'info' | 'warn' = 'info'): void => {
    report.events.push({ t: now(), label });
    view.line(`${String(now()).padStart(6)} ms  ${label}`, level);
  };
  const signaling = new Signaling(location.origin, options.room, options.id);
  const inbox = new Inbox();
  const arrivals: Arrival[] = [];
  const source = await openSource(options.audio, options.toneHz);
  if (source.note) mark(source.note, 'warn');
  const chat = new Chat(options, {
    life: () => (life = performance.now()),
    ping: (seq) => view.ping(seq, options.messages),
    pong: (seq, rtt) => {
      view.pong(seq, rtt);
      report.events.push({ t: now(), label: `pong ${seq}` });
    },
    text: (line) => mark(line),
    progress: () => inbox.poke(),
  });
  let pc: RTCPeerConnection | undefined;
  let peerHere = false;
  let life = performance.now();
  let hadTurn = false;
  let peerSummary: ReportSummary | null = null;
  const heard: Heard[] = [];
  let stopListening = (): void => undefined;
  try {
    view.state('signaling', 'registering');
    const reg = await signaling.register().catch((error: unknown) => {
      if (error instanceof SignalingError)
        throw new ClientError(error.code === ErrorCode.name_taken ? 'name_taken' : 'signaling_refused', error.message);
      throw new ClientError('signaling_unreachable', `the service did not answer: ${String(error)}`);
    });
    report.timingsMs.registered = now();
    view.state('signaling', 'registered');
    mark(`registered as ${options.id} in room ${options.room}; here: ${reg.peers.join(', ') || 'nobody'}`);
    peerHere = reg.peers.includes(options.peer);
    signaling.poll(
      (arrival) => {
        arrivals.push(arrival);
        inbox.push(arrival);
      },
      (error) => view.line(`poll: ${String(error)}`, 'warn'),
    );
    const iceServers = reg.iceServers.filter((s) => options.turn || !s.urls.some((u) => /^turns?:/.test(u)));
    hadTurn = iceServers.some((s) => s.urls.some((u) => /^turns?:/.test(u)) && s.credential !== undefined);
    if (options.relayOnly && !hadTurn)
      throw new ClientError('no_turn_server', 'relay only, and the service handed out no TURN server');
    report.nat = pageNat(options.relayOnly, hadTurn);
    const connection = new RTCPeerConnection({
      iceServers,
      iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
    });
    pc = connection;
    if (source.track) connection.addTrack(source.track, new MediaStream([source.track]));
    else connection.addTransceiver('audio', { direction: 'recvonly' });
    const ice = new IceWatch(connection, report, now, view, {
      stunUrl: iceServers.flatMap((s) => s.urls).find((u) => /^stuns?:/.test(u)),
      turnUrl: iceServers.flatMap((s) => s.urls).find((u) => /^turns?:/.test(u)),
      relayOnly: options.relayOnly,
    });
    ice.onLocal = (candidate) => void signaling.send(options.peer, 'candidate', candidate).catch(() => undefined);
    let audioPlayed = false;
    let failed: ClientError | undefined;
    ice.onConnected = () => {
      life = performance.now();
      window.setTimeout(() => {
        audioPlayed = true;
        mark(`audio sent for ${options.durationS} s`);
        inbox.poke();
      }, options.durationS * 1000);
    };
    ice.onFailed = (error) => {
      failed = error;
      inbox.poke();
    };
    connection.ontrack = (event) => {
      mark('remote audio track');
      stopListening = listen(source, event.streams[0] ?? new MediaStream([event.track]), (h) => {
        heard.push(h);
        view.heard(h);
      });
    };
    const openChannel = (channel: RTCDataChannel): void => {
      chat.attach(channel);
      const opened = (): void => {
        report.timingsMs.dataChannelOpen = now();
        view.state('channel', 'open');
        mark(`data channel ${channel.label} open`);
        chat.sendPings();
      };
      if (channel.readyState === 'open') opened();
      else channel.addEventListener('open', opened);
      channel.addEventListener('close', () => view.state('channel', 'closed'));
    };
    connection.ondatachannel = (event) => {
      if (event.channel.label === 'chat') openChannel(event.channel);
    };
    const pending: RTCIceCandidateInit[] = [];
    const sendNat = (): Promise<void> => signaling.send(options.peer, 'nat', report.nat).catch(() => undefined);
    const calling = async (): Promise<void> => {
      mark(`${options.peer} is here: calling`);
      await sendNat();
      openChannel(connection.createDataChannel('chat'));
      await connection.setLocalDescription();
      await signaling.send(options.peer, 'offer', connection.localDescription?.toJSON());
      mark('offer sent');
    };
    if (options.role === 'offerer' && peerHere) await calling();
    else mark(options.role === 'offerer' ? `waiting for ${options.peer}` : `waiting for an offer from ${options.peer}`);
    const connectBy = performance.now() + options.timeoutS * 1000;
    let doneSent = false;
    let goneAt: number | undefined;
    const stats = window.setInterval(() => {
      void readStats(connection, report.candidates.remote).then((s) => {
        const before = report.audio?.received.packets ?? 0;
        if (s.audio.received.packets > before) life = performance.now();
        Object.assign(report, { selectedPair: s.selectedPair ?? report.selectedPair, pairs: s.pairs });
        report.audio = audioReport(s.audio, source.toneHz, heard);
        view.pair(report);
      });
    }, 500);
    try {
      for (;;) {
        if (failed) throw failed;
        const t = performance.now();
        if (!report.timingsMs.iceConnected && t > connectBy)
          throw new ClientError('timeout', `not connected after ${options.timeoutS} s`);
        if (report.timingsMs.iceConnected && t - life > SILENCE_MS)
          throw new ClientError('peer_silent', `nothing from ${options.peer} for ${SILENCE_MS / 1000} s`);
        if (goneAt !== undefined && t - goneAt > 1000)
          throw new ClientError('peer_left', `${options.peer} left before the exchange completed`);
        if (!doneSent && audioPlayed && chat.answered) {
          doneSent = true;
          chat.sendDone();
          mark('done sent');
        }
        if (doneSent && chat.peerDone) break;
        const arrival = await inbox.next(250);
        const m = arrival?.message;
        if (!m || m.from !== options.peer) {
          if (m?.type === 'offer') void signaling.send(m.from, 'bye', { reason: 'declined' }).catch(() => undefined);
          continue;
        }
        if (m.type === 'peer-joined') {
          mark(`${options.peer} joined`);
          if (options.role === 'offerer' && !connection.localDescription) await calling();
        } else if (m.type === 'offer' || m.type === 'answer') {
          mark(`${m.type} received`);
          if (m.type === 'offer') await sendNat();
          await connection.setRemoteDescription(m.data as RTCSessionDescriptionInit);
          for (const c of pending.splice(0)) await ice.addRemote(c);
          if (m.type === 'offer') {
            await connection.setLocalDescription();
            await signaling.send(options.peer, 'answer', connection.localDescription?.toJSON());
            mark('answer sent');
          }
        } else if (m.type === 'candidate') {
          if (m.data === null) mark(`${options.peer}: end of candidates`);
          else if (connection.remoteDescription) await ice.addRemote(m.data as RTCIceCandidateInit);
          else pending.push(m.data as RTCIceCandidateInit);
        } else if (m.type === 'nat') {
          report.peerNat = m.data as PageReport['peerNat'];
        } else if (m.type === 'report') {
          peerSummary = m.data as ReportSummary;
        } else if (m.type === 'bye' || m.type === 'peer-left') {
          const reason = (m.data as { reason?: string } | null)?.reason ?? '';
          mark(`${m.type} from ${options.peer} (${reason})`, 'warn');
          if (reason === 'declined') throw new ClientError('declined', `${options.peer} declined the call`);
          if (!report.timingsMs.iceConnected)
            throw new ClientError('peer_left', `${options.peer} left before connecting`);
          goneAt ??= performance.now();
        }
      }
      report.timingsMs.done = now();
      mark('exchange complete');
    } finally {
      window.clearInterval(stats);
      chat.stop();
      const s = await readStats(connection, report.candidates.remote).catch(() => undefined);
      if (s) {
        report.selectedPair = s.selectedPair ?? report.selectedPair;
        report.pairs = s.pairs;
        report.audio = audioReport(s.audio, source.toneHz, heard);
      }
      report.dataChannel = chat.report();
    }
  } catch (error) {
    report.error = failure(error);
    mark(`failed: ${report.error.code}: ${report.error.message}`, 'warn');
  }
  const own = judge(report, { messages: options.messages, audioRequired: options.audio !== 'none' }, hadTurn);
  if (peerHere || report.timingsMs.iceConnected !== null || pc?.remoteDescription) {
    await signaling.send(options.peer, 'report', own).catch(() => undefined);
    await signaling.send(options.peer, 'bye', { reason: report.ok ? 'done' : 'failed' }).catch(() => undefined);
    mark('report and bye sent');
    // The peer sends its report before its bye: wait for the bye, briefly.
    const until = performance.now() + BYE_WAIT_MS;
    while (performance.now() < until) {
      const m = (await inbox.next(until - performance.now()))?.message;
      if (m?.from !== options.peer) continue;
      if (m.type === 'report') peerSummary = m.data as ReportSummary;
      if (m.type === 'bye' || m.type === 'peer-left') break;
    }
  }
  stopListening();
  pc?.close();
  await signaling.leave().catch(() => undefined);
  void source.context.close();
  report.peerReport = peerSummary;
  report.joint = jointLine(own, peerSummary, options.peer);
  report.peerClock = peerClock(peerSummary, arrivals, t0, options.peer);
  report.service = arrivals.map((a) => ({
    t: Math.round(a.message.ts - serverOffset(arrivals) - t0),
    label: a.message.type,
  }));
  return report;
}

function failure(error: unknown): { code: FailureCode; message: string } {
  if (error instanceof ClientError) return { code: error.code, message: error.message };
  return { code: 'incomplete', message: error instanceof Error ? error.message : String(error) };
}
