import type { Behaviour } from './behaviour.js';
import type { Cell } from './matrix.js';

export type Role = 'answerer' | 'offerer';
export type Path = 'host' | 'direct' | 'relay' | 'none';

/** What a cell must show. */
export interface Expectation {
  connected: boolean;
  /**
   * host: host candidates on both ends; direct: no relay, across at least one
   * NAT mapping (srflx or prflx); relay: through coturn; none: no connection.
   */
  path: Path;
  /** Sides whose own selected candidate must be a relay candidate. */
  relayOn: Role[];
  /** Sides whose relay must run over TCP to coturn (UDP blocked there). */
  tcpRelayOn: Role[];
  text: string;
  /** What each side's prediction (client/nat/predict.ts) must say before ICE. */
  prediction: 'likely' | 'unlikely' | 'unknown';
}

/** Whether two routers let a UDP hole be punched without a relay. */
export function canPunch(a: Behaviour, b: Behaviour): boolean {
  if (a === 'udpblock' || b === 'udpblock') return false;
  if (a === 'none' || a === 'full' || b === 'none' || b === 'full') return true;
  // easy filters by address and port, so it only lets in a partner whose
  // source port it already sent to: a symmetric (hard) or address-dependent
  // (adm) partner reaches it from an address:port it never announced.
  return a === 'easy' && b === 'easy';
}

export function expectationFor(cell: Cell): Expectation {
  const { answerer, offerer, mode } = cell;
  if (cell.sameRouter === 'hairpin') {
    return {
      connected: true,
      path: 'direct',
      relayOn: [],
      tcpRelayOn: [],
      text: 'direct via hairpin',
      prediction: 'likely',
    };
  }
  if (cell.sameRouter === 'no-hairpin') {
    // Same public address, no hairpin: the prediction can only say that host candidates might work.
    return mode === 'no-turn'
      ? {
          connected: false,
          path: 'none',
          relayOn: [],
          tcpRelayOn: [],
          text: 'fails (no hairpin)',
          prediction: 'unknown',
        }
      : {
          connected: true,
          path: 'relay',
          relayOn: [],
          tcpRelayOn: [],
          text: 'relay (no hairpin)',
          prediction: 'unknown',
        };
  }
  const udpBlocked: Role[] = [];
  if (answerer === 'udpblock') udpBlocked.push('answerer');
  if (offerer === 'udpblock') udpBlocked.push('offerer');
  const both: Role[] = ['answerer', 'offerer'];

  if (mode === 'relay-only') {
    return {
      connected: true,
      path: 'relay',
      relayOn: both,
      tcpRelayOn: udpBlocked,
      text: udpBlocked.length ? 'relay both, TCP at udpblock' : 'relay both sides',
      prediction: 'unlikely',
    };
  }
  if (answerer === 'none' && offerer === 'none') {
    return { connected: true, path: 'host', relayOn: [], tcpRelayOn: [], text: 'host', prediction: 'likely' };
  }
  if (canPunch(answerer, offerer)) {
    return {
      connected: true,
      path: 'direct',
      relayOn: [],
      tcpRelayOn: [],
      text: 'direct (srflx/prflx)',
      prediction: 'likely',
    };
  }
  if (mode === 'no-turn') {
    return {
      connected: false,
      path: 'none',
      relayOn: [],
      tcpRelayOn: [],
      text: 'fails (needs relay)',
      prediction: 'unlikely',
    };
  }
  return {
    connected: true,
    path: 'relay',
    relayOn: udpBlocked,
    tcpRelayOn: udpBlocked,
    text: udpBlocked.length ? 'relay, TCP at udpblock' : 'relay',
    prediction: 'unlikely',
  };
}
