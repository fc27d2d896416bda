import type { IceServer } from '../signaling/protocol.js';
import type { ClientOptions } from './cli.js';

/** The ICE servers one peer uses, and what werift will actually do with them. */
export interface IceServerPlan {
  /** Passed to werift as they are: always explicit, never werift's default. */
  iceServers: IceServer[];
  /** The one STUN URL werift queries (werift uses only the first). */
  stunUrl: string | undefined;
  /** The one TURN URL werift allocates on (the first with credentials). */
  turnUrl: string | undefined;
  /** The relay protocol of turnUrl: udp, tcp or tls. */
  turnRelayProtocol: string | undefined;
  /** Things a person should know: URLs werift ignores, TURN entries dropped. */
  notes: string[];
}

/**
 * Combines the service's ICE servers with the flags. Flags come first, so an
 * explicit `--stun`/`--turn` is the one werift uses. TURN entries from the
 * service are kept only with `--with-turn`; an explicit `--turn` is always kept
 * (giving it is asking for it).
 */
export function planIceServers(
  fromService: readonly IceServer[],
  options: Pick<ClientOptions, 'stun' | 'turn' | 'withTurn'>,
): IceServerPlan {
  const notes: string[] = [];
  const servers: IceServer[] = [];
  if (options.stun.length > 0) servers.push({ urls: [...options.stun] });
  if (options.turn)
    servers.push({ urls: [options.turn.url], username: options.turn.username, credential: options.turn.password });
  let dropped = 0;
  for (const server of fromService) {
    const stun = server.urls.filter((u) => isStun(u));
    const turn = server.urls.filter((u) => isTurn(u));
    if (stun.length > 0) servers.push({ urls: stun });
    if (turn.length > 0) {
      if (options.withTurn) servers.push({ ...server, urls: turn });
      else dropped += turn.length;
    }
  }
  if (dropped > 0)
    notes.push(`the service offered ${dropped} TURN URL${dropped > 1 ? 's' : ''}; not used without --with-turn`);

  const stunUrls = servers.flatMap((s) => s.urls.filter(isStun));
  const turnEntries = servers.flatMap((s) =>
    s.urls.filter(isTurn).map((url) => ({ url, usable: Boolean(s.username && s.credential) })),
  );
  for (const e of turnEntries.filter((e) => !e.usable))
    notes.push(`TURN server ${e.url} has no credentials: werift skips it`);
  const stunUrl = stunUrls[0];
  const firstTurn = turnEntries[0];
  if (stunUrls.length > 1)
    notes.push(`werift uses only the first STUN URL (${stunUrl}); ignoring ${stunUrls.slice(1).join(', ')}`);
  if (turnEntries.length > 1) {
    notes.push(
      `werift uses only the first TURN URL (${firstTurn?.url}); ignoring ${turnEntries
        .slice(1)
        .map((e) => e.url)
        .join(', ')}`,
    );
  }
  // werift takes the first TURN URL even when it lacks credentials, and then gathers no relay.
  const turnUrl = firstTurn?.usable ? firstTurn.url : undefined;
  return {
    iceServers: servers,
    stunUrl,
    turnUrl,
    turnRelayProtocol: turnUrl !== undefined ? relayProtocolOf(turnUrl) : undefined,
    notes,
  };
}

function isStun(url: string): boolean {
  return /^stuns?:/i.test(url);
}

function isTurn(url: string): boolean {
  return /^turns?:/i.test(url);
}

/** `turn:h?transport=tcp` relays over TCP, `turns:` over TLS, otherwise UDP. */
export function relayProtocolOf(url: string): string {
  if (/^turns:/i.test(url)) return 'tls';
  const transport = /[?&]transport=(udp|tcp)/i.exec(url)?.[1];
  return transport ? transport.toLowerCase() : 'udp';
}
