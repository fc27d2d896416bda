/**
 * What getStats() tells the page, read by the CLI's own functions where the
 * W3C names are the same (the selected pair, the candidate pairs' checks):
 * plus the audio counters of the RTP streams.
 */
import type { AudioReport } from '../client/audio/types.js';
import type { Heard } from './audio.js';
import type { ReportCandidate } from '../client/ice-log.js';
import { selectedPairFromStats, signalledTwin, type SelectedPair } from '../client/stats-pair.js';
import { pairsFromStats } from '../client/nat/pairs.js';
import type { PairSummary } from '../signaling/protocol.js';

export interface StatsView {
  selectedPair: SelectedPair | null;
  pairs: PairSummary[];
  audio: Omit<AudioReport, 'sent' | 'received'> & {
    sent: { packets: number };
    received: { packets: number; lost: number | null; jitterMs: number | null };
  };
}

interface RtpRecord {
  type: string;
  kind?: string;
  packetsSent?: number;
  packetsReceived?: number;
  packetsLost?: number;
  jitter?: number;
  codecId?: string;
  mimeType?: string;
  clockRate?: number;
  channels?: number;
  id: string;
}

export async function readStats(pc: RTCPeerConnection, signalled: readonly ReportCandidate[]): Promise<StatsView> {
  const records = [...(await pc.getStats()).values()] as RtpRecord[];
  const pair = selectedPairFromStats(records);
  const audio: StatsView['audio'] = {
    codec: 'opus/48000/2',
    sent: { packets: 0 },
    received: { packets: 0, lost: null, jitterMs: null },
  };
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const r of records) {
    if (r.kind !== 'audio') continue;
    if (r.type === 'outbound-rtp') audio.sent.packets = r.packetsSent ?? 0;
    if (r.type === 'inbound-rtp') {
      audio.received = {
        packets: r.packetsReceived ?? 0,
        lost: r.packetsLost ?? null,
        jitterMs: typeof r.jitter === 'number' ? Math.round(r.jitter * 10_000) / 10 : null,
      };
      const codec = r.codecId !== undefined ? byId.get(r.codecId) : undefined;
      if (codec?.mimeType)
        audio.codec = `${codec.mimeType.replace(/^audio\//, '').toLowerCase()}/${codec.clockRate}/${codec.channels ?? 1}`;
    }
  }
  return {
    selectedPair: pair ? { ...pair, remote: signalledTwin(pair.remote, signalled) } : null,
    pairs: pairsFromStats(records),
    audio,
  };
}

/** The heard tone is the frequency heard most often (a spoken word or a click is heard once). */
export function audioReport(audio: StatsView['audio'], toneHz: number | null, heard: readonly Heard[]): AudioReport {
  const counts = new Map<number, number>();
  for (const h of heard) counts.set(h.hz, (counts.get(h.hz) ?? 0) + 1);
  const dominantHz = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  return {
    codec: audio.codec,
    sent: { packets: audio.sent.packets, toneHz },
    received: { ...audio.received, dominantHz },
  };
}
