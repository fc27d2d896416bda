/**
 * What one remote candidate costs werift, as a function of how many it
 * already has: the reason the CLI caps remote candidates per call
 * (client/candidate-cap.ts). An answerer gets a real offer, then N host
 * candidates one after another (on 127.1.x.y port 9: loopback, where nothing
 * answers); the time of each block of candidates is printed.
 *
 *   node dist/bench/remote-candidates.js [N=3000] [block=250]
 */
import { performance } from 'node:perf_hooks';
import { RTCPeerConnection } from 'werift';
import { fakeCandidate } from '../scripts/fake-candidate.js';

const total = Number(process.argv[2] ?? 3000);
const block = Number(process.argv[3] ?? 250);

const offerer = new RTCPeerConnection({ iceServers: [] });
offerer.createDataChannel('chat');
await offerer.setLocalDescription(await offerer.createOffer());
const offer = offerer.localDescription!;
const ufrag = /^a=ice-ufrag:(\S+)/m.exec(offer.sdp)?.[1] ?? '';

const answerer = new RTCPeerConnection({ iceServers: [] });
await answerer.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
await answerer.setLocalDescription(await answerer.createAnswer());

const rows: Array<{ upTo: number; msPerCandidate: number }> = [];
let started = performance.now();
for (let i = 0; i < total; i++) {
  await answerer.addIceCandidate({ ...fakeCandidate(i), usernameFragment: ufrag });
  if ((i + 1) % block === 0) {
    const now = performance.now();
    rows.push({ upTo: i + 1, msPerCandidate: Number(((now - started) / block).toFixed(3)) });
    started = now;
  }
}
const sum = rows.reduce((ms, row) => ms + row.msPerCandidate * block, 0);
console.table(rows);
console.log(JSON.stringify({ candidates: total, totalMs: Math.round(sum) }));
await Promise.all([answerer.close(), offerer.close()]);
process.exit(0);
