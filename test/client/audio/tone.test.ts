import t from 'tap';
import { FRAME_SAMPLES, ToneGenerator, s16leSamples } from '../../../client/audio/tone.js';

t.test('a 20 ms frame is 960 s16le samples per channel', async (t) => {
  const mono = new ToneGenerator({ hz: 440 }).nextFrame();
  t.equal(mono.length, FRAME_SAMPLES * 2);
  const stereo = new ToneGenerator({ hz: 440, channels: 2 }).nextFrame();
  t.equal(stereo.length, FRAME_SAMPLES * 4);
  const s = s16leSamples(stereo);
  for (let i = 0; i < FRAME_SAMPLES; i++) {
    if (s[2 * i] !== s[2 * i + 1]) t.fail(`channels differ at sample ${i}`);
  }
});

t.test('frames join into one continuous sine of the right frequency and amplitude', async (t) => {
  const hz = 440;
  const tone = new ToneGenerator({ hz, amplitude: 0.5 });
  let worst = 0;
  let peak = 0;
  for (let frame = 0; frame < 100; frame++) {
    const samples = s16leSamples(tone.nextFrame());
    for (let i = 0; i < samples.length; i++) {
      const n = frame * FRAME_SAMPLES + i;
      const expected = 0.5 * 32767 * Math.sin((2 * Math.PI * hz * n) / 48000);
      worst = Math.max(worst, Math.abs((samples[i] ?? 0) - expected));
      peak = Math.max(peak, Math.abs(samples[i] ?? 0));
    }
  }
  // Rounding to an integer sample is the only difference allowed, even 2 s in.
  t.ok(worst <= 1, `max deviation from the ideal sine ${worst.toFixed(3)} LSB`);
  t.ok(peak >= 16380 && peak <= 16384, `peak ${peak} is half of full scale`);
});

t.test('refuses frequencies it cannot represent', async (t) => {
  t.throws(() => new ToneGenerator({ hz: 0 }), RangeError);
  t.throws(() => new ToneGenerator({ hz: 24000 }), RangeError);
  t.throws(() => new ToneGenerator({ hz: Number.NaN }), RangeError);
  t.throws(() => new ToneGenerator({ hz: 440, amplitude: 2 }), RangeError);
});

t.test('s16leSamples copes with an odd byte offset', async (t) => {
  const backing = Buffer.alloc(5);
  const odd = backing.subarray(1);
  odd.writeInt16LE(-2, 0);
  odd.writeInt16LE(300, 2);
  t.same([...s16leSamples(odd)], [-2, 300]);
});
