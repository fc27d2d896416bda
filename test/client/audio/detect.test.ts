import t from 'tap';
import { AudioAnalyser, dominantFrequency, powerSpectrum, rms, toDbfs } from '../../../client/audio/detect.js';
import { gaussianNoise, sine, toInt16 } from './wav.js';

t.test('clean tones over a 1 s window are found within ±1 Hz', async (t) => {
  for (const hz of [60, 100, 440, 660, 997.3, 1000, 3001.7, 12345]) {
    const found = dominantFrequency(sine(hz, 1));
    t.ok(found !== undefined && Math.abs(found - hz) < 1, `${hz} Hz -> ${found?.toFixed(3)} Hz`);
  }
});

t.test('short windows still land close', async (t) => {
  const found = dominantFrequency(toInt16(sine(440, 0.1)));
  t.ok(found !== undefined && Math.abs(found - 440) < 3, `100 ms of 440 Hz -> ${found?.toFixed(2)} Hz`);
});

t.test('a weak tone buried in noise is still found', async (t) => {
  const noise = gaussianNoise(42);
  const tone = sine(660, 1, 0.05);
  // Noise RMS 0.2 against a tone RMS of 0.035: -15 dB SNR over the full band.
  const noisy = tone.map((v) => v + 0.2 * noise());
  const found = dominantFrequency(noisy);
  t.ok(found !== undefined && Math.abs(found - 660) < 1, `660 Hz in noise -> ${found?.toFixed(3)} Hz`);
});

t.test('the stronger of two tones wins', async (t) => {
  const a = sine(440, 1, 0.1);
  const b = sine(1500, 1, 0.4);
  const found = dominantFrequency(a.map((v, i) => v + (b[i] ?? 0)));
  t.ok(found !== undefined && Math.abs(found - 1500) < 1, `-> ${found?.toFixed(3)} Hz`);
});

t.test('silence has no dominant frequency', async (t) => {
  t.equal(dominantFrequency(new Float64Array(48000)), undefined);
  t.equal(dominantFrequency(new Float64Array(4)), undefined);
});

t.test('RMS of a sine is its amplitude over √2; of silence zero', async (t) => {
  t.ok(Math.abs(rms(sine(440, 1, 0.5)) - 0.5 / Math.SQRT2) < 1e-3);
  t.ok(Math.abs(rms(toInt16(sine(440, 1, 0.5))) - 0.5 / Math.SQRT2) < 1e-3, 'Int16 input is scaled to full scale');
  t.equal(rms(new Int16Array(10)), 0);
  t.equal(toDbfs(0), -Infinity);
  t.ok(Math.abs(toDbfs(0.5) + 6.02) < 0.01);
});

t.test('the analyser covers a whole stream fed frame by frame', async (t) => {
  const analyser = new AudioAnalyser();
  t.equal(analyser.dominantHz(), undefined, 'nothing yet');
  const stream = toInt16(sine(440, 2.5, 0.3));
  for (let i = 0; i < stream.length; i += 960) analyser.push(stream.subarray(i, i + 960));
  t.equal(analyser.samples, stream.length);
  const whole = analyser.dominantHz();
  const recent = analyser.recentHz();
  t.ok(whole !== undefined && Math.abs(whole - 440) < 1, `whole stream ${whole?.toFixed(3)} Hz`);
  t.ok(recent !== undefined && Math.abs(recent - 440) < 1, `last second ${recent?.toFixed(3)} Hz`);
  t.ok(Math.abs(analyser.rms() - 0.3 / Math.SQRT2) < 1e-3, `rms ${analyser.rms()}`);

  const short = new AudioAnalyser();
  short.push(toInt16(sine(660, 0.3, 0.3)));
  const partial = short.dominantHz();
  t.ok(partial !== undefined && Math.abs(partial - 660) < 2, `before a full second: ${partial?.toFixed(2)} Hz`);
  const partialRecent = short.recentHz();
  t.ok(
    partialRecent !== undefined && Math.abs(partialRecent - 660) < 2,
    `recent, too: ${partialRecent?.toFixed(2)} Hz`,
  );

  // The recent window follows a change of tone; the whole-stream answer keeps the longer one.
  const change = new AudioAnalyser();
  change.push(toInt16(sine(440, 3, 0.3)));
  change.push(toInt16(sine(880, 1.2, 0.3)));
  const now = change.recentHz();
  const overall = change.dominantHz();
  t.ok(now !== undefined && Math.abs(now - 880) < 1, `recent ${now?.toFixed(2)} Hz after the switch`);
  t.ok(overall !== undefined && Math.abs(overall - 440) < 1, `overall ${overall?.toFixed(2)} Hz`);
});

t.test('the packed real FFT equals a plain DFT of the windowed block', async (t) => {
  const noise = gaussianNoise(7);
  for (const [length, size] of [
    [64, 64],
    [50, 64],
    [5, 8],
  ] as const) {
    const x = Float64Array.from({ length }, () => noise());
    const mean = x.reduce((a, b) => a + b, 0) / length;
    const w = x.map((v, i) => (v - mean) * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (length - 1))));
    const fast = powerSpectrum(x, size);
    let worst = 0;
    for (let k = 0; k <= size / 2; k++) {
      let re = 0;
      let im = 0;
      for (let i = 0; i < length; i++) {
        re += (w[i] ?? 0) * Math.cos((-2 * Math.PI * k * i) / size);
        im += (w[i] ?? 0) * Math.sin((-2 * Math.PI * k * i) / size);
      }
      worst = Math.max(worst, Math.abs((fast[k] ?? 0) - (re * re + im * im)));
    }
    t.ok(worst < 1e-9, `${length} samples in ${size} bins: max error ${worst.toExponential(2)}`);
  }
  t.throws(() => powerSpectrum(new Float64Array(3), 3), RangeError);
});
