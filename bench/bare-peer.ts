/**
 * The baseline for bench/connect.ts: the plainest werift peer there is. No
 * service, no flags, no logging: a static import, one RTCPeerConnection with
 * the same media (an Opus transceiver and the `chat` channel), the SDP (with
 * its candidates, after gathering) as one JSON line on stdout, the other
 * side's as one line on stdin. Prints `{"dataChannelOpen": ms since process
 * start}`, and exits when stdin closes.
 *
 *   node dist/bench/bare-peer.js offerer|answerer
 */
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, type RTCDataChannel } from 'werift';

const role = process.argv[2];
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function readDescription(): Promise<{ type: 'offer' | 'answer'; sdp: string }> {
  const line = await lines.next();
  if (line.done) throw new Error('stdin closed before the description arrived');
  return JSON.parse(line.value) as { type: 'offer' | 'answer'; sdp: string };
}

async function main(): Promise<void> {
  const pc = new RTCPeerConnection({
    iceServers: [],
    bundlePolicy: 'max-bundle',
    codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })] },
  });
  const open = new Promise<RTCDataChannel>((resolve) => {
    pc.onDataChannel.subscribe((channel) => resolve(channel));
    if (role === 'offerer') {
      const channel = pc.createDataChannel('chat');
      channel.stateChanged.subscribe((state) => state === 'open' && resolve(channel));
    }
  });
  if (role === 'offerer') {
    pc.addTransceiver(new MediaStreamTrack({ kind: 'audio' }), { direction: 'sendrecv' });
    await pc.setLocalDescription(await pc.createOffer());
    process.stdout.write(`${JSON.stringify(pc.localDescription)}\n`);
    await pc.setRemoteDescription(await readDescription());
  } else {
    await pc.setRemoteDescription(await readDescription());
    await pc.setLocalDescription(await pc.createAnswer());
    process.stdout.write(`${JSON.stringify(pc.localDescription)}\n`);
  }
  await open;
  process.stdout.write(`${JSON.stringify({ dataChannelOpen: Math.round(performance.now()) })}\n`);
  // Stay up until the bench has both results (it closes stdin), so the other side's open is not cut short.
  while (!(await lines.next()).done);
  await pc.close();
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare-peer ${role}: ${String(error)}\n`);
  process.exit(1);
});
