import t from 'tap';
import type { AudioReport } from '../../client/audio/types.js';
import type { DataChannelReport } from '../../client/chat-message.js';
import { shortfalls } from '../../client/verdict.js';

const channel = (over: Partial<DataChannelReport> = {}): DataChannelReport => ({
  label: 'chat',
  sent: 5,
  received: 5,
  rttMs: { min: 1, median: 1, max: 1 },
  peerDone: true,
  ...over,
});
const audio = (packets: number, lost: number | null): AudioReport => ({
  codec: 'opus/48000/2',
  sent: { packets: 150, toneHz: 440 },
  received: { packets, lost, jitterMs: 1, dominantHz: 660 },
});
const withAudio = { messages: 5, audioRequired: true };
const noAudio = { messages: 5, audioRequired: false };

t.test('a complete exchange misses nothing', async (t) => {
  t.same(shortfalls({ dataChannel: channel(), audio: audio(150, 0) }, withAudio), []);
  t.same(shortfalls({ dataChannel: channel(), audio: null }, noAudio), [], 'audio not required: not judged');
  t.same(shortfalls({ dataChannel: channel(), audio: audio(136, 14) }, withAudio), [], '9.3 % loss is under the limit');
});

t.test('each criterion in words, with its figure', async (t) => {
  const cases: Array<[string, Parameters<typeof shortfalls>[0], typeof withAudio, string[]]> = [
    ['no data channel', { dataChannel: null, audio: null }, noAudio, ['no data channel']],
    [
      'pings not all sent',
      { dataChannel: channel({ sent: 4, received: 4 }), audio: null },
      noAudio,
      ['4/5 pings sent', '4/5 pongs'],
    ],
    ['pongs missing', { dataChannel: channel({ received: 3 }), audio: null }, noAudio, ['3/5 pongs']],
    ['no done', { dataChannel: channel({ peerDone: false }), audio: null }, noAudio, ['no done from the peer']],
    ['no audio report', { dataChannel: channel(), audio: null }, withAudio, ['no audio received']],
    ['no audio packet', { dataChannel: channel(), audio: audio(0, 0) }, withAudio, ['no audio received']],
    [
      'under a second of audio',
      { dataChannel: channel(), audio: audio(49, 0) },
      withAudio,
      ['49 audio packets (at least 50 needed: a second of 20 ms frames)'],
    ],
    [
      'loss at the limit',
      { dataChannel: channel(), audio: audio(135, 15) },
      withAudio,
      ['audio loss 10.0 % (the limit is under 10 %)'],
    ],
    [
      'loss over the limit',
      { dataChannel: channel(), audio: audio(130, 20) },
      withAudio,
      ['audio loss 13.3 % (the limit is under 10 %)'],
    ],
    ['loss unknown counts as none', { dataChannel: channel(), audio: audio(150, null) }, withAudio, []],
  ];
  for (const [name, results, expect, words] of cases) t.same(shortfalls(results, expect), words, name);
});

t.test('several at once, in the order the call meets them', async (t) => {
  t.same(shortfalls({ dataChannel: channel({ received: 0, peerDone: false }), audio: audio(20, 20) }, withAudio), [
    '0/5 pongs',
    'no done from the peer',
    '20 audio packets (at least 50 needed: a second of 20 ms frames)',
    'audio loss 50.0 % (the limit is under 10 %)',
  ]);
});
