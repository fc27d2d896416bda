import type { NatBehaviour } from '../../signaling/protocol.js';

const METHOD_WORDS: Record<NatBehaviour['method'], string> = {
  rfc5780: "RFC 5780 (a server's OTHER-ADDRESS and CHANGE-REQUEST)",
  'two-servers': 'two server addresses',
  'two-ports': 'two ports of one server',
  none: 'nothing to compare',
};

/** The one-line summary of a NAT measurement, then one line per note. */
export function formatNat(behaviour: NatBehaviour, elapsedMs?: number): string[] {
  const hairpin = behaviour.hairpin === null ? 'untested' : behaviour.hairpin ? 'yes' : 'no';
  const publics = [...new Set(behaviour.publicAddresses.map((p) => p.mapped))];
  const seen =
    behaviour.publicAddresses.length === 0
      ? 'no public address seen'
      : `public ${publics.join(', ')} seen by ${behaviour.publicAddresses.length} destination${behaviour.publicAddresses.length > 1 ? 's' : ''}`;
  const took = elapsedMs !== undefined ? ` in ${elapsedMs} ms` : '';
  const how =
    behaviour.publicAddresses.length === 0
      ? `nothing measured${took}`
      : `measured${took} by ${METHOD_WORDS[behaviour.method]}; ${seen}`;
  return [
    `NAT: mapping ${behaviour.mapping}, filtering ${behaviour.filtering}, hairpin ${hairpin} (${how})`,
    ...behaviour.notes.map((note) => `NAT: ${note}`),
  ];
}
