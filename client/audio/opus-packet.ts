/**
 * What the TOC byte of an Opus packet (RFC 6716 §3.1) says: how many samples
 * it holds and whether it is stereo. The Ogg writer needs durations for granule
 * positions, the file sender for pacing, neither needs a decoder for it.
 */

/** Frame size in 48 kHz samples for each of the 32 configurations. */
const FRAME_SIZES: readonly number[] = [
  // SILK NB, MB, WB: 10, 20, 40, 60 ms
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  // Hybrid SWB, FB: 10, 20 ms
  480, 960, 480, 960,
  // CELT NB, WB, SWB, FB: 2.5, 5, 10, 20 ms
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/** Samples (at 48 kHz) in a packet, or undefined when the packet is malformed. */
export function opusPacketSamples(packet: Uint8Array): number | undefined {
  const toc = packet[0];
  if (toc === undefined) return undefined;
  const frameSize = FRAME_SIZES[toc >> 3];
  if (frameSize === undefined) return undefined;
  let frames: number;
  switch (toc & 3) {
    case 0:
      frames = 1;
      break;
    case 1:
    case 2:
      frames = 2;
      break;
    default: {
      const count = packet[1];
      if (count === undefined) return undefined;
      frames = count & 0x3f;
      if (frames === 0) return undefined;
    }
  }
  const samples = frames * frameSize;
  // RFC 6716 §3.2.5: a packet never holds more than 120 ms.
  return samples > 5760 ? undefined : samples;
}

export function opusPacketIsStereo(packet: Uint8Array): boolean {
  return ((packet[0] ?? 0) & 0x04) !== 0;
}

/**
 * A packet that stands for `samples` of lost audio: a TOC byte with an empty
 * frame, which RFC 6716 §3.2.1 lets a decoder treat as lost (it conceals it).
 * Used to keep a recording's timeline when the network dropped packets.
 */
export function opusLostPacket(samples: number, stereo: boolean): Buffer {
  // CELT fullband configurations 28..31 are 2.5, 5, 10, 20 ms.
  const config = ({ 120: 28, 240: 29, 480: 30, 960: 31 } as Record<number, number>)[samples];
  if (config === undefined) throw new RangeError(`no single-frame Opus packet lasts ${samples} samples`);
  return Buffer.from([(config << 3) | (stereo ? 0x04 : 0)]);
}
