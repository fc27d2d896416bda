import { Writable } from 'node:stream';
import t from 'tap';
import { MediaStreamTrack } from 'werift';
import { createOpusAudio } from '../../../client/audio/opus-audio.js';
import type { AudioHooks } from '../../../client/audio/types.js';
import { parseArgs } from '../../../client/cli.js';
import { createLogger } from '../../../client/log.js';

/**
 * The contract with the session: the CLI's own parsed options and logger go
 * straight into createOpusAudio, and what comes back is an AudioHooks. If
 * either side changes shape, this stops compiling.
 */
t.test('createOpusAudio takes the CLI options and logger and is the AudioHooks', async (t) => {
  const outcome = parseArgs(['--role', 'offerer', '--duration-s', '0.2']);
  if (outcome.kind !== 'run') throw new Error('expected options');
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const audio: AudioHooks = createOpusAudio(outcome.options, createLogger({ level: 'info', out, color: false }));
  t.ok(audio.required, '--audio tone requires audio for ok');
  const track = new MediaStreamTrack({ kind: 'audio' });
  track.onReceiveRtp.subscribe((rtp) => audio.onRtp(rtp)); // hear ourselves
  await audio.start({ track, payloadType: 111, codec: 'opus/48000/2' });
  await audio.stop();
  const report = audio.report();
  t.match(report, {
    codec: 'opus/48000/2',
    sent: { packets: 10, toneHz: outcome.options.toneHz },
    received: { packets: 10, lost: 0 },
  });
  t.ok(lines.join('').includes('audio out: sending a'), 'logs through the CLI logger');
});
