import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import t from 'tap';
import { MediaStreamTrack, RTCPeerConnection, type RTCRtpTransceiver, type RtpPacket } from 'werift';
import { readOggOpusFile } from '../../../client/audio/ogg-reader.js';
import { AudioReceiver, type AudioProgress } from '../../../client/audio/receiver.js';
import { startAudioSender } from '../../../client/audio/sender.js';

/**
 * Sender -> receiver through two real werift peers in one process, wired
 * directly (offer and answer handed across, no signaling service): the same
 * calls the session makes, with real ICE, DTLS-SRTP and Opus. Deadlines are
 * generous (shared 2-core machine); nothing about speed is asserted.
 */

const DURATION_MS = 3000;
const PACKETS = DURATION_MS / 20;

function peer(): RTCPeerConnection {
  return new RTCPeerConnection({
    iceServers: [],
    bundlePolicy: 'max-bundle',
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
  });
}

function connected(pc: RTCPeerConnection, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pc.connectionState === 'connected') return resolve();
    const timer = setTimeout(() => {
      sub.unSubscribe();
      reject(new Error(`not connected within ${deadlineMs} ms (state ${pc.connectionState})`));
    }, deadlineMs);
    const sub = pc.connectionStateChange.subscribe((state) => {
      if (state !== 'connected') return;
      clearTimeout(timer);
      sub.unSubscribe();
      resolve();
    });
  });
}

/**
 * Routes a track's RTP into a receiver, as the session does, and lets the test
 * await a packet count (with a grace deadline: what is missing then is asserted on).
 */
function route(receiver: AudioReceiver): {
  push: (rtp: RtpPacket) => void;
  reached: (count: number, graceMs: number) => Promise<void>;
} {
  let wanted = Infinity;
  let done: (() => void) | undefined;
  return {
    push: (rtp) => {
      receiver.push(rtp);
      if (receiver.snapshot().packets >= wanted) done?.();
    },
    reached: (count, graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        done = () => {
          clearTimeout(timer);
          resolve();
        };
        wanted = count;
        if (receiver.snapshot().packets >= count) done();
      }),
  };
}

function payloadTypeOf(transceiver: RTCRtpTransceiver): number {
  const pt = transceiver.sender.codec?.payloadType;
  if (pt === undefined) throw new Error('no codec negotiated');
  return pt;
}

t.test('a 440 Hz tone and a 660 Hz tone cross two werift peers, both ways', async (t) => {
  const offerer = peer();
  const answerer = peer();
  t.teardown(async () => {
    await offerer.close();
    await answerer.close();
  });
  const record = join(t.testdir(), 'heard-by-answerer.ogg');
  const progress: AudioProgress[] = [];
  const heardByOfferer = new AudioReceiver();
  const heardByAnswerer = new AudioReceiver({ record, onProgress: (p) => progress.push(p) });
  t.teardown(() => {
    heardByOfferer.close();
    heardByAnswerer.close();
  });

  const offerTrack = new MediaStreamTrack({ kind: 'audio' });
  const answerTrack = new MediaStreamTrack({ kind: 'audio' });
  const offerTransceiver = offerer.addTransceiver(offerTrack, { direction: 'sendrecv' });
  const answerTransceiver = answerer.addTransceiver(answerTrack, { direction: 'sendrecv' });
  // This is the whole receive side of the integration: route every RTP packet.
  const toOfferer = route(heardByOfferer);
  const toAnswerer = route(heardByAnswerer);
  offerer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => toOfferer.push(rtp)));
  answerer.onTrack.subscribe((track) => track.onReceiveRtp.subscribe((rtp) => toAnswerer.push(rtp)));

  await offerer.setLocalDescription(await offerer.createOffer());
  const offer = offerer.localDescription;
  if (!offer) throw new Error('no offer');
  await answerer.setRemoteDescription(offer);
  await answerer.setLocalDescription(await answerer.createAnswer());
  const answer = answerer.localDescription;
  if (!answer) throw new Error('no answer');
  await offerer.setRemoteDescription(answer);
  t.match(answer.sdp, /opus\/48000\/2/i);

  await Promise.all([connected(offerer, 30_000), connected(answerer, 30_000)]);
  const fromOfferer = startAudioSender({
    track: offerTrack,
    payloadType: payloadTypeOf(offerTransceiver),
    source: { kind: 'tone', hz: 440 },
    durationMs: DURATION_MS,
  });
  const fromAnswerer = startAudioSender({
    track: answerTrack,
    payloadType: payloadTypeOf(answerTransceiver),
    source: { kind: 'tone', hz: 660 },
    durationMs: DURATION_MS,
  });
  const [sentByOfferer, sentByAnswerer] = await Promise.all([fromOfferer.done, fromAnswerer.done]);
  t.equal(sentByOfferer.packets, PACKETS);
  t.equal(sentByAnswerer.packets, PACKETS);
  await Promise.all([toOfferer.reached(PACKETS, 5000), toAnswerer.reached(PACKETS, 5000)]);

  for (const [name, receiver, hz] of [
    ['answerer', heardByAnswerer, 440],
    ['offerer', heardByOfferer, 660],
  ] as const) {
    const heard = receiver.close();
    t.ok(heard.packets >= PACKETS * 0.95, `${name} received ${heard.packets} of ${PACKETS} packets`);
    t.equal(heard.lost, 0, `${name}: no loss on loopback`);
    t.equal(heard.decodeErrors, 0);
    t.ok(
      heard.dominantHz !== null && Math.abs(heard.dominantHz - hz) <= 3,
      `${name} hears ${heard.dominantHz} Hz, sent ${hz} Hz`,
    );
    t.ok(heard.rms > 0.1, `${name}: RMS ${heard.rms} (${heard.rmsDbfs} dBFS)`);
    t.ok(heard.jitterMs >= 0 && Number.isFinite(heard.jitterMs), `${name}: jitter ${heard.jitterMs} ms`);
  }

  t.ok(progress.length >= 1, `${progress.length} progress callbacks while audio flowed`);
  const last = progress.at(-1);
  t.match(last, { packets: Number, lost: 0, elapsedMs: Number });
  t.ok(last?.recentHz && Math.abs(last.recentHz - 440) <= 3, `progress line hears ${last?.recentHz} Hz`);

  const recording = await readOggOpusFile(record);
  t.ok(recording.endOfStream, 'the recording is closed with an EOS page');
  t.same(recording.warnings, []);
  t.ok(
    Math.abs(recording.durationSamples - DURATION_MS * 48) <= 5 * 960,
    `recorded ${(recording.durationSamples / 48).toFixed(0)} ms of ${DURATION_MS} ms`,
  );
  const opusinfo = spawnSync('opusinfo', [record], { encoding: 'utf8' });
  if (opusinfo.error) {
    t.comment('opusinfo not installed (apt-get install opus-tools): recording not checked by it');
  } else {
    t.equal(opusinfo.status, 0, `${opusinfo.stdout}${opusinfo.stderr}`);
    t.notMatch(opusinfo.stdout, /WARNING|ERROR/);
  }
});
