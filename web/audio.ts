/**
 * What the page sends on its audio track and what it hears. A WebAudio
 * oscillator needs no permission and no secure context; the microphone
 * needs both (getUserMedia exists only on https or localhost), so the page
 * says so and sends the tone instead. The received track is analysed for
 * its dominant frequency and level, as bin/client's detector reports it.
 */
import type { AudioChoice } from './options.js';

export interface AudioSource {
  /** The track to send, or undefined for `none`. */
  track: MediaStreamTrack | undefined;
  /** What is actually sent: `tone` when the microphone was asked for but could not be had. */
  kind: AudioChoice;
  toneHz: number | null;
  /** Why the microphone was not used, in words. */
  note: string | undefined;
  context: AudioContext;
}

export function micNeedsHttps(): boolean {
  return !window.isSecureContext || navigator.mediaDevices === undefined;
}

export async function openSource(choice: AudioChoice, toneHz: number): Promise<AudioSource> {
  const context = new AudioContext({ sampleRate: 48_000 });
  if (choice === 'none') return { track: undefined, kind: 'none', toneHz: null, note: undefined, context };
  let note: string | undefined;
  if (choice === 'mic') {
    if (micNeedsHttps()) note = 'the microphone needs https (or localhost): sending the tone instead';
    else {
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const track = stream.getAudioTracks()[0];
        if (track) return { track, kind: 'mic', toneHz: null, note: undefined, context };
        note = 'no microphone track: sending the tone instead';
      } catch (error) {
        note = `no microphone (${error instanceof Error ? error.message : String(error)}): sending the tone instead`;
      }
    }
  }
  const oscillator = new OscillatorNode(context, { frequency: toneHz });
  const out = new MediaStreamAudioDestinationNode(context);
  oscillator.connect(new GainNode(context, { gain: 0.5 })).connect(out);
  oscillator.start();
  return { track: out.stream.getAudioTracks()[0], kind: 'tone', toneHz, note, context };
}

export interface Heard {
  hz: number;
  levelDb: number;
}

/** Listens to the received stream; `onHeard` gets the dominant frequency four times a second while there is sound. */
export function listen(source: AudioSource, stream: MediaStream, onHeard: (heard: Heard) => void): () => void {
  // Chromium feeds a remote stream to WebAudio only while a media element plays it; the person hears it too.
  const element = new Audio();
  element.srcObject = stream;
  element.volume = 0.3;
  void element.play().catch(() => undefined);
  const analyser = new AnalyserNode(source.context, { fftSize: 8192 });
  source.context.createMediaStreamSource(stream).connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const timer = window.setInterval(() => {
    analyser.getFloatFrequencyData(bins);
    let best = 1;
    for (let i = 2; i < bins.length; i++) if ((bins[i] ?? -Infinity) > (bins[best] ?? -Infinity)) best = i;
    const level = bins[best] ?? -Infinity;
    if (level > -60) onHeard({ hz: Math.round((best * source.context.sampleRate) / analyser.fftSize), levelDb: level });
  }, 250);
  return () => {
    window.clearInterval(timer);
    element.srcObject = null;
  };
}
