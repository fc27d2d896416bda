import { execFileSync } from 'node:child_process';
import type { LossyPath, Side } from '../../scripts/lossy-path.js';

// The path itself is shared with bench/loss.ts; the drop rules below are the tests' own.
export { createLossyPath, type LossyPath } from '../../scripts/lossy-path.js';

/**
 * iptables match arguments for one DTLS handshake message in epoch 0 (before
 * ChangeCipherSpec), by its HandshakeType: record content type 22 at UDP
 * payload byte 0, epoch 0 at bytes 3-4, the message type at byte 13 (werift
 * sends each message of a flight in a datagram of its own).
 */
export function dtlsHandshakeMatch(handshakeType: number): string[] {
  const payload = (offset: number): string => `0>>22&0x3C@${8 + offset}`;
  return [
    '-p',
    'udp',
    '-m',
    'u32',
    '--u32',
    `${payload(0)}>>24=0x16&&${payload(3)}>>16=0&&${payload(13)}>>24=${handshakeType}`,
  ];
}

/** iptables match arguments for a DTLS record by content type and epoch (20 ChangeCipherSpec, 22 handshake). */
export function dtlsRecordMatch(contentType: number, epoch: number): string[] {
  const payload = (offset: number): string => `0>>22&0x3C@${8 + offset}`;
  return ['-p', 'udp', '-m', 'u32', '--u32', `${payload(0)}>>24=${contentType}&&${payload(3)}>>16=${epoch}`];
}

/**
 * SCTP packets travel in DTLS application data (content type 23), encrypted,
 * so they are told apart by size: the IP packet's length. werift sends one
 * chunk per packet; between two werift peers with host candidates (no
 * extensions beyond werift's) these lengths hold, measured with iptables
 * counters: INIT and a DCEP OPEN (label "chat") 109, INIT ACK 137, COOKIE ECHO
 * 105, COOKIE ACK 81, DCEP ACK 97.
 */
export const SCTP_IP_LENGTH = {
  init: 109,
  initAck: 137,
  cookieEcho: 105,
  cookieAck: 81,
  dcepOpen: 109,
  dcepAck: 97,
  /** A chat message of 13 to 16 bytes: {"type":"done"}, {"type":"alive"}. */
  shortChat: 109,
};

export function sctpPacketMatch(ipLength: number): string[] {
  return ['-p', 'udp', '-m', 'u32', '--u32', '0>>22&0x3C@8>>24=23', '-m', 'length', '--length', String(ipLength)];
}

/** Only the `n`-th packet that matches (1 = the first) is dropped. */
export function dropNth(path: LossyPath, side: Side, match: string[], n: number): void {
  path.iptables(
    side,
    '-A',
    'INPUT',
    ...match,
    '-m',
    'statistic',
    '--mode',
    'nth',
    '--every',
    '1000000',
    '--packet',
    String(n - 1),
    '-j',
    'DROP',
  );
}

/** The first `times` packets that match are dropped, the rest pass: one nth rule per drop. */
export function dropFirst(path: LossyPath, side: Side, match: string[], times = 1): void {
  // Each rule takes the first packet it sees (then every millionth); a dropped packet reaches no later rule.
  for (let i = 0; i < times; i++) dropNth(path, side, match, 1);
}

/** How many packets the drop rules of that side dropped, in rule order. */
export function dropCounts(path: LossyPath, side: Side): number[] {
  const out = execFileSync('ip', ['netns', 'exec', path.ns[side], 'iptables', '-L', 'INPUT', '-v', '-x', '-n'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .slice(2)
    .filter((l) => l.includes('DROP'))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}
