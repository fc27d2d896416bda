/**
 * A call's audio cost (bench/codec.ts, part 2): two werift peers in this
 * process, connected once, and rounds of audio both ways over them.
 */
import { performance } from 'node:perf_hooks';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RtpPacket } from 'werift';
import { parseOggOpus } from '../client/audio/ogg-reader.js';
import { OggOpusWriter } from '../client/audio/ogg-writer.js';
import { OpusDecoder, OpusEncoder } from '../client/audio/opus.js';
import { AudioReceiver } from '../client/audio/receiver.js';
import { RtpStats } from '../client/audio/rtp-stats.js';
import { AudioSender, type RtpSink } from '../client/audio/sender.js';
import type { AudioSource } from '../client/audio/source.js';
import { ToneGenerator } from '../client/audio/tone.js';

export interface Pair {
  tracks: [MediaStreamTrack, MediaStreamTrack];
  pcs: RTCPeerConnection[];
  payloadTypes: [number, number];
}

export async function connectedPair(): Promise<Pair> {
  const config = {
    iceServers: [],
    bundlePolicy: 'max-bundle' as const,
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })] },
  };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  const ta = new MediaStreamTrack({ kind: 'audio' });
  const tb = new MediaStreamTrack({ kind: 'audio' });
  const xa = a.addTransceiver(ta, { direction: 'sendrecv' });
  const xb = b.addTransceiver(tb, { direction: 'sendrecv' });
  a.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => sinks[0](rtp)));
  b.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => sinks[1](rtp)));
  await a.setLocalDescription(await a.createOffer());
  if (!a.localDescription) throw new Error('no offer');
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  if (!b.localDescription) throw new Error('no answer');
  await a.setRemoteDescription(b.localDescription);
  await Promise.all(
    [a, b].map(
      (pc) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`peers not connected in 30 s (${pc.connectionState})`)),
            30_000,
          );
          const connected = (): void => {
            clearTimeout(timer);
            resolve();
          };
          if (pc.connectionState === 'connected') connected();
          pc.connectionStateChange.subscribe((s) => s === 'connected' && connected());
        }),
    ),
  ).catch(async (error: unknown) => {
    await Promise.all([a.close(), b.close()]);
    throw error;
  });
  return {
    tracks: [ta, tb],
    pcs: [a, b],
    payloadTypes: [xa.sender.codec?.payloadType ?? 111, xb.sender.codec?.payloadType ?? 111],
  };
}

/** Where each peer's received RTP goes during the current round. */
const sinks: [(rtp: RtpPacket) => void, (rtp: RtpPacket) => void] = [() => undefined, () => undefined];

/** Where each direction's RTP stream stands: every round continues it (SRTP breaks on a random restart). */
const continuation: { sequence: number; timestamp: number }[] = [
  { sequence: 1000, timestamp: 0 },
  { sequence: 30000, timestamp: 0 },
];

export type Mode = 'baseline' | 'codec' | 'full';

/**
 * One round of audio both ways. All modes pace packets with AudioSender.
 * - baseline: pre-encoded packets out; receivers only keep RTP statistics.
 * - codec: the same, plus one Opus encode of a real tone frame per packet sent
 *   (in the send path, result discarded) and a decode of every packet received.
 * - full: the production path: AudioSender encoding a live tone, AudioReceiver
 *   (statistics, decode, analysis).
 */
export async function round(
  pair: Pair,
  seconds: number,
  mode: Mode,
  fileSource: AudioSource,
): Promise<{ cpuShare: number; received: number }> {
  const codecs: { close(): void }[] = [];
  const counted: (() => number)[] = [];
  const tracks: RtpSink[] = pair.tracks.map((track, i) => {
    if (mode === 'full') {
      const receiver = new AudioReceiver();
      sinks[i as 0 | 1] = (rtp) => receiver.push(rtp);
      counted.push(() => receiver.close().packets);
      return track;
    }
    const stats = new RtpStats();
    counted.push(() => stats.snapshot().packets);
    if (mode === 'baseline') {
      sinks[i as 0 | 1] = (rtp) => stats.record(rtp.header.sequenceNumber, rtp.header.timestamp, performance.now());
      return track;
    }
    const decoder = new OpusDecoder();
    const encoder = new OpusEncoder();
    codecs.push(decoder, encoder);
    sinks[i as 0 | 1] = (rtp) => {
      stats.record(rtp.header.sequenceNumber, rtp.header.timestamp, performance.now());
      decoder.decode(rtp.payload);
    };
    let frame = 0;
    return {
      writeRtp: (packet: RtpPacket) => {
        encoder.encode(tonePcm[frame++ % tonePcm.length] ?? Buffer.alloc(1920));
        track.writeRtp(packet);
      },
    };
  });
  const cpu = process.cpuUsage();
  const start = performance.now();
  const senders = tracks.map(
    (track, i) =>
      new AudioSender({
        track,
        payloadType: pair.payloadTypes[i] ?? 111,
        source: mode === 'full' ? { kind: 'tone', hz: i === 0 ? 440 : 660 } : fileSource,
        durationMs: seconds * 1000,
        ...continuation[i],
      }),
  );
  const done = await Promise.all(senders.map((s) => s.done));
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - start;
  done.forEach((d, i) => (continuation[i] = { sequence: d.nextSequence, timestamp: d.nextTimestamp }));
  const received = counted.reduce((n, count) => n + count(), 0);
  for (const codec of codecs) codec.close();
  return { cpuShare: (used.user + used.system) / 1000 / wallMs, received };
}

/** One second of a 440 Hz tone: 440 whole cycles, so it loops without a seam. */
const tonePcm = (() => {
  const tone = new ToneGenerator({ hz: 440 });
  return Array.from({ length: 50 }, () => tone.nextFrame());
})();

/** One second of pre-encoded tone as an in-memory Ogg Opus "file": the sender then does no encoding. */
export function preEncodedSource(): AudioSource {
  const pages: Buffer[] = [];
  const writer = new OggOpusWriter((p) => pages.push(p));
  const encoder = new OpusEncoder();
  const tone = new ToneGenerator({ hz: 440 });
  for (let i = 0; i < 50; i++) writer.writePacket(encoder.encode(tone.nextFrame()));
  writer.close();
  encoder.close();
  return { kind: 'file', path: '(pre-encoded, in memory)', stream: parseOggOpus(Buffer.concat(pages)) };
}
