import type { Static } from 'typebox';
import type { NatFiltering, NatMessage, PredictionSummary } from '../../signaling/protocol.js';
import { addressOf } from './endpoint.js';

export type Prediction = Static<typeof PredictionSummary>;

/** A NAT as far as hole punching cares: does it keep one mapping for every destination, and whom does it let in. */
interface Model {
  stable: boolean;
  filtering: Exclude<NatFiltering, 'unknown'>;
}

const FILTERINGS: Model['filtering'][] = ['endpoint-independent', 'address-dependent', 'address-and-port-dependent'];

/**
 * Whether a direct (UDP, non-relayed) path can form between two NATs, in
 * RFC 4787 terms. Each side sends checks to the other's announced (srflx)
 * address. A side whose mapping is stable is reached where it announced;
 * a side whose mapping changes per destination reaches the other from a port
 * nobody announced, so it needs the other to let that port in (filtering by
 * address only, or none) and to keep its own mapping, so that the answers
 * come back from where they were sent.
 */
export function directWorks(a: Model, b: Model): boolean {
  if (a.stable && b.stable) return true;
  if (a.stable) return a.filtering !== 'address-and-port-dependent';
  if (b.stable) return b.filtering !== 'address-and-port-dependent';
  return false;
}

/**
 * The prediction before ICE, from both sides' `nat` messages. An unknown
 * property stands for every value it could have: when they all agree the
 * prediction holds, otherwise it is `unknown` and says what is missing.
 */
export function predict(own: NatMessage, peer: NatMessage | null): Prediction {
  if (own.relayOnly || peer?.relayOnly) {
    return {
      direct: 'unlikely',
      reason: `${own.relayOnly ? 'this side' : 'the peer'} runs with --relay-only: only relay paths are tried`,
    };
  }
  if (peer === null) return { direct: 'unknown', reason: 'the peer sent no NAT measurement (an older peer?)' };
  const sides = [
    { who: 'this side', nat: own },
    { who: 'the peer', nat: peer },
  ];
  for (const { who, nat } of sides) {
    if (udpBlocked(nat)) {
      return {
        direct: 'unlikely',
        reason: `${who} got no answer from any of its ${nat.asked} STUN destination${nat.asked === 1 ? '' : 's'}: UDP looks blocked, so there is no direct UDP path; only a relay reached over TCP can work, ${tcpRelayWords(nat)}`,
      };
    }
  }
  const shared = sharedPublicAddress(own, peer);
  if (shared !== undefined) return sameNat(shared, own, peer);

  const ownModels = models(own);
  const peerModels = models(peer);
  const outcomes = new Set(ownModels.flatMap((a) => peerModels.map((b) => directWorks(a, b))));
  const words = `this side ${describe(own)}; the peer ${describe(peer)}`;
  if (outcomes.size === 2) {
    return { direct: 'unknown', reason: `${words}: too little is known to tell (${missing(own, peer)})` };
  }
  if (outcomes.has(true)) return { direct: 'likely', reason: `${words}: ${whyDirect(ownModels, peerModels)}` };
  return {
    direct: 'unlikely',
    reason: `${words}: hole punching cannot work, only a relay can${relayWords(own, peer)}`,
  };
}

/** Every (mapping, filtering) the measurement leaves possible. */
function models(nat: NatMessage): Model[] {
  const stable =
    nat.mapping === 'no-nat' || nat.mapping === 'endpoint-independent'
      ? [true]
      : nat.mapping === 'unknown' && !mappingVaries(nat)
        ? [true, false]
        : [false];
  const filterings = nat.filtering === 'unknown' ? FILTERINGS : [nat.filtering];
  return stable.flatMap((s) => filterings.map((filtering) => ({ stable: s, filtering })));
}

/** Two destinations saw two different mappings: not stable, whatever else is unknown. */
function mappingVaries(nat: NatMessage): boolean {
  return new Set(nat.publicAddresses.map((p) => p.mapped)).size > 1;
}

export function udpBlocked(nat: NatMessage): boolean {
  return (nat.asked ?? 0) > 0 && nat.publicAddresses.length === 0;
}

function sharedPublicAddress(own: NatMessage, peer: NatMessage): string | undefined {
  if (own.mapping === 'no-nat' || peer.mapping === 'no-nat') return undefined;
  const theirs = new Set(peer.publicAddresses.map((p) => addressOf(p.mapped)));
  return own.publicAddresses.map((p) => addressOf(p.mapped)).find((address) => theirs.has(address));
}

function sameNat(address: string, own: NatMessage, peer: NatMessage): Prediction {
  const where = `both sides are behind the same NAT (public address ${address})`;
  const hairpin = own.hairpin === true && peer.hairpin === true;
  const stable = models(own).every((m) => m.stable) && models(peer).every((m) => m.stable);
  if (hairpin && stable)
    return { direct: 'likely', reason: `${where}, which hairpins and maps endpoint-independently` };
  if (own.hairpin === false || peer.hairpin === false) {
    return {
      direct: 'unknown',
      reason: `${where}, which does not hairpin: only host candidates on a shared network can connect directly${relayWords(own, peer)}`,
    };
  }
  return { direct: 'unknown', reason: `${where}; whether it hairpins is not known` };
}

function whyDirect(own: Model[], peer: Model[]): string {
  if (own.every((m) => m.stable) && peer.every((m) => m.stable)) {
    return 'both keep one mapping for every destination, so each is reached at the address it announced and hole punching works';
  }
  const open = own.every((m) => m.stable) ? 'this side' : 'the peer';
  return `${open} keeps its mapping and lets in any port of an address it has sent to, so it learns the other's real port from its first check (prflx)`;
}

function describe(nat: NatMessage): string {
  const mapping =
    nat.mapping === 'no-nat'
      ? 'has no NAT'
      : nat.mapping === 'unknown'
        ? mappingVaries(nat)
          ? `maps per destination (${nat.publicAddresses.length} destinations saw ${new Set(nat.publicAddresses.map((p) => p.mapped)).size} ports)`
          : 'maps in a way not measured'
        : `maps ${adverb(nat.mapping)}${nat.mapping !== 'endpoint-independent' ? ` (${nat.publicAddresses.length} destinations saw ${new Set(nat.publicAddresses.map((p) => p.mapped)).size} ports)` : ''}`;
  const filtering =
    nat.filtering === 'unknown'
      ? 'filtering not measured'
      : nat.filtering === 'endpoint-independent'
        ? 'lets anyone in'
        : nat.filtering === 'address-dependent'
          ? 'filters by address'
          : 'filters by address and port';
  return `${mapping} and ${filtering === 'filtering not measured' ? 'its ' : ''}${filtering}`;
}

function adverb(mapping: string): string {
  return `${mapping.replace(/-dependent$/, '-dependently').replace(/-independent$/, '-independently')}`;
}

function missing(own: NatMessage, peer: NatMessage): string {
  const gaps: string[] = [];
  for (const [who, nat] of [
    ['this side', own],
    ['the peer', peer],
  ] as const) {
    if (nat.mapping === 'unknown' && !mappingVaries(nat)) gaps.push(`${who}'s mapping`);
    if (nat.filtering === 'unknown') gaps.push(`${who}'s filtering`);
  }
  return `unknown: ${gaps.join(', ')}`;
}

function tcpRelayWords(blocked: NatMessage): string {
  if (blocked.turn === 'tcp' || blocked.turn === 'tls') return `and it has TURN over ${blocked.turn}`;
  if (blocked.turn === 'udp') return 'but its TURN server is over UDP too, so the call will fail';
  if (blocked.turn === null) return 'but it has no TURN server, so the call will fail';
  return 'if it has one';
}

function relayWords(own: NatMessage, peer: NatMessage): string {
  const relays = [
    own.turn ? `this side's (TURN over ${own.turn})` : '',
    peer.turn ? `the peer's (over ${peer.turn})` : '',
  ]
    .filter(Boolean)
    .join(' and ');
  if (relays) return `; relay available: ${relays}`;
  if (own.turn === null && peer.turn === null) return '; neither side has a TURN server, so the call will fail';
  return '';
}
