import t from 'tap';
import { MediaStreamTrack } from 'werift';
import { createAudio } from '../../../client/audio/lazy-audio.js';
import { createOpusAudio } from '../../../client/audio/opus-audio.js';
import { captureLog } from '../../helpers/call-harness.js';

t.test('--audio none sends nothing, is not required, and loads nothing until audio arrives', async (t) => {
  const logs = captureLog('info');
  const silent = createAudio({ audio: 'none', toneHz: 440, durationS: 1, record: undefined }, logs.log);
  t.notOk(silent.required);
  await silent.load?.();
  await silent.start({ track: new MediaStreamTrack({ kind: 'audio' }), payloadType: 111, codec: 'opus/48000/2' });
  await silent.stop();
  t.same(silent.report(), {
    codec: 'opus/48000/2',
    sent: { packets: 0, toneHz: null },
    received: { packets: 0, lost: null, jitterMs: null, dominantHz: null },
  });
  t.ok(logs.lines.some((l) => l.includes('audio out: --audio none, the opus/48000/2 track stays silent')));
  t.notOk(
    logs.lines.some((l) => l.includes('audio in:')),
    'the Opus stack was never loaded',
  );
});

t.test('--audio none still hears: the peer tone arriving loads the stack, early packets included', async (t) => {
  const logs = captureLog('info');
  const silent = createAudio({ audio: 'none', toneHz: 440, durationS: 1, record: undefined }, logs.log);
  const speaker = createOpusAudio({ audio: 'tone', toneHz: 660, durationS: 0.4, record: undefined }, logs.log);
  const track = new MediaStreamTrack({ kind: 'audio' });
  track.onReceiveRtp.subscribe((rtp) => silent.onRtp(rtp));
  await silent.start({ track: new MediaStreamTrack({ kind: 'audio' }), payloadType: 111, codec: 'opus/48000/2' });
  await speaker.start({ track, payloadType: 111, codec: 'opus/48000/2' });
  await speaker.stop();
  await silent.stop();
  const heard = silent.report();
  t.equal(heard.sent.packets, 0);
  t.equal(heard.received.packets, 20, 'all 20 frames of 0.4 s, the first ones kept while the stack loaded');
  t.equal(heard.received.lost, 0);
  t.ok(
    heard.received.dominantHz !== null && Math.abs(heard.received.dominantHz - 660) < 3,
    `heard ${heard.received.dominantHz} Hz`,
  );
});
