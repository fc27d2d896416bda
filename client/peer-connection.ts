import type { RTCPeerConnection } from 'werift';
import type * as WeriftModule from 'werift';
import { OPUS } from './audio/types.js';
import type { ClientOptions } from './cli.js';
import type { IceServerPlan } from './ice-servers.js';

/**
 * A call's first step, the configuration: our ICE servers, never werift's
 * default (docs/WERIFT.md, Gathering); bundle explicit (docs/WERIFT.md,
 * Media); `--only` as a candidate-pair filter; Opus as the one audio codec.
 */
export function newPeerConnection(
  werift: typeof WeriftModule,
  options: ClientOptions,
  plan: IceServerPlan,
  /** Extra host addresses to gather on (werift skips loopback by default). */
  hostAddresses: string[] | undefined,
): RTCPeerConnection {
  return new werift.RTCPeerConnection({
    iceServers: plan.iceServers,
    iceTransportPolicy: options.relayOnly ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    iceAdditionalHostAddresses: hostAddresses,
    iceFilterCandidatePair: options.only ? onlyPairsFrom(localTypeFor(options.only)) : undefined,
    codecs: {
      audio: [
        new werift.RTCRtpCodecParameters({
          mimeType: OPUS.mimeType,
          clockRate: OPUS.clockRate,
          channels: OPUS.channels,
        }),
      ],
    },
  });
}

/**
 * The local candidate type of the pairs that test `--only`'s path. A srflx
 * candidate is never the local side of a pair: its checks go out from its
 * base, the host socket (RFC 8445 6.1.2.4). So host and srflx paths both pair
 * from host candidates (which one is tested depends on what is signalled);
 * relay paths pair from relay candidates.
 */
function localTypeFor(only: NonNullable<ClientOptions['only']>): 'host' | 'relay' {
  return only === 'relay' ? 'relay' : 'host';
}

function onlyPairsFrom(type: 'host' | 'relay') {
  return (pair: { localCandidate: { type: string } }): boolean => pair.localCandidate.type === type;
}
