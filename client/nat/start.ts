import type { ClientOptions } from '../cli.js';
import type { IceServerPlan } from '../ice-servers.js';
import type { Logger } from '../log.js';
import type { PeerInbox } from '../peer-inbox.js';
import { NatExchange } from './exchange.js';
import type { StunCodec } from './stun-socket.js';

/**
 * Starts measuring this side's NAT with every ICE server URL of the plan (all
 * of them, not only the one werift queries) and routes the peer's `nat`
 * messages to the exchange. Runs alongside registration's follow-up and
 * gathering; nothing waits for it.
 */
export function startNatExchange(
  plan: IceServerPlan,
  options: Pick<ClientOptions, 'relayOnly'>,
  codec: Promise<StunCodec>,
  inbox: PeerInbox,
  log: Logger,
): NatExchange {
  const urls = plan.iceServers.flatMap((server) => (Array.isArray(server.urls) ? server.urls : [server.urls]));
  const turn = plan.turnUrl !== undefined ? relayTransport(plan.turnRelayProtocol) : null;
  const exchange = new NatExchange(urls, codec, { turn, relayOnly: options.relayOnly }, log);
  inbox.onPeerInfo = (message) => exchange.onPeerMessage(message);
  return exchange;
}

function relayTransport(protocol: string | undefined): 'udp' | 'tcp' | 'tls' {
  return protocol === 'tcp' || protocol === 'tls' ? protocol : 'udp';
}
