import type { NatBehaviour, NatFiltering, NatMapping, NatMethod } from '../../signaling/protocol.js';
import { addressOf, formatEndpoint, parseEndpoint, portOf } from './endpoint.js';

/** One Binding request from the mapping socket: where it went, what came back (null: nothing). */
export interface BindingAnswer {
  destination: string;
  /** XOR-MAPPED-ADDRESS of the answer, `address:port`. */
  mapped: string | null;
  /** Where the answer actually came from. */
  from: string | null;
}

/**
 * RFC 5780's filtering tests, sent from a socket of their own that has talked
 * only to `server`: an answer to CHANGE-REQUEST from anywhere else is
 * unsolicited, which is the point.
 */
export interface FilteringAnswers {
  server: string;
  /** The server's OTHER-ADDRESS. */
  otherAddress: string;
  /** Where the answer to "change IP and port" came from (null: none came). */
  changeBoth: string | null;
  /** Where the answer to "change port" came from. */
  changePort: string | null;
}

/** Everything the measurement saw; classifyNat turns it into RFC 4787 terms. */
export interface NatObservations {
  /** This host's own addresses and the mapping socket's port. */
  localAddresses: string[];
  localPort: number;
  /** How many STUN destinations were configured (0: nothing could be asked). */
  destinations: number;
  bindings: BindingAnswer[];
  /** Null when no server offered an OTHER-ADDRESS. */
  filtering: FilteringAnswers | null;
  /** Our request to our own mapped address came back (null: not tested). */
  hairpin: boolean | null;
}

/**
 * RFC 4787 mapping and filtering from what was seen, as RFC 5780 reads it,
 * and only what the answers prove: anything else is `unknown`, with the
 * reason in `notes`. An answer from an address it was not sent to is not
 * used, and a missing answer to CHANGE-REQUEST counts only when the server
 * has shown that it can answer from the address it was asked to use. (A
 * server that does answer there but silently ignores CHANGE-REQUEST still
 * reads as filtering: RFC 5780 cannot tell the two apart.)
 */
export function classifyNat(observations: NatObservations): NatBehaviour {
  const notes: string[] = [];
  const valid: Array<{ destination: string; mapped: string }> = [];
  for (const answer of observations.bindings) {
    if (answer.mapped === null) continue;
    if (answer.from !== answer.destination) {
      notes.push(`${answer.destination} answered from ${answer.from ?? 'nowhere'}: its answer is not used`);
      continue;
    }
    valid.push({ destination: answer.destination, mapped: answer.mapped });
  }
  if (observations.destinations === 0) {
    notes.push('no STUN server to ask: give --stun (or a TURN server, whose STUN service is asked too)');
  } else if (valid.length === 0) {
    const { destinations } = observations;
    notes.push(
      `${destinations > 1 ? `none of the ${destinations} STUN destinations answered` : 'the STUN destination did not answer'}: UDP to them is blocked, or they are down`,
    );
  }
  const mapping = classifyMapping(valid, observations, notes);
  const filtering = classifyFiltering(observations.filtering, valid, notes);
  return {
    mapping,
    filtering,
    hairpin: observations.hairpin,
    publicAddresses: valid.map(({ destination, mapped }) => ({ destination, mapped })),
    method: methodOf(valid, observations.filtering),
    notes,
    asked: observations.destinations,
  };
}

function classifyMapping(
  valid: Array<{ destination: string; mapped: string }>,
  observations: NatObservations,
  notes: string[],
): NatMapping {
  if (valid.length === 0) return 'unknown';
  const local = new Set(observations.localAddresses);
  const isLocal = (mapped: string): boolean =>
    local.has(addressOf(mapped)) && portOf(mapped) === observations.localPort;
  const locals = valid.filter((v) => isLocal(v.mapped)).length;
  if (locals === valid.length) return 'no-nat';
  if (locals > 0) {
    notes.push(`${locals} of ${valid.length} destinations saw our own address, the others another: mapping unknown`);
    return 'unknown';
  }
  const byAddress = new Map<string, Map<number, string>>();
  for (const { destination, mapped } of valid) {
    const address = addressOf(destination);
    const ports = byAddress.get(address) ?? new Map<number, string>();
    ports.set(portOf(destination) ?? 0, mapped);
    byAddress.set(address, ports);
  }
  const portGroups = [...byAddress.values()].filter((ports) => ports.size >= 2);
  if (portGroups.some((ports) => new Set(ports.values()).size > 1)) return 'address-and-port-dependent';
  const mapped = new Set(valid.map((v) => v.mapped));
  if (mapped.size === 1) {
    if (byAddress.size >= 2) return 'endpoint-independent';
    if (portGroups.length > 0) {
      notes.push(
        'two ports of one server saw the same mapping: it does not depend on the port, but whether it depends on the address needs a second server address',
      );
      return 'unknown';
    }
    notes.push('only one destination answered: telling a mapping needs two');
    return 'unknown';
  }
  if (portGroups.length > 0) return 'address-dependent';
  notes.push(
    `the mapping changes with the destination address (${valid.length} destinations saw ${mapped.size} mappings); whether it changes with the port too needs two ports of one server`,
  );
  return 'unknown';
}

function classifyFiltering(
  answers: FilteringAnswers | null,
  valid: Array<{ destination: string }>,
  notes: string[],
): NatFiltering {
  if (answers === null) {
    if (valid.length > 0)
      notes.push(
        'filtering needs a STUN server with RFC 5780 OTHER-ADDRESS and CHANGE-REQUEST (coturn with two listening addresses); none answered with one',
      );
    return 'unknown';
  }
  const { server, otherAddress } = answers;
  const primary = parseEndpoint(server);
  const other = parseEndpoint(otherAddress);
  if (!primary || !other || primary.address === other.address || primary.port === other.port) {
    notes.push(`${server} gave OTHER-ADDRESS ${otherAddress}, not another address and port: filtering not tested`);
    return 'unknown';
  }
  const otherPort = formatEndpoint({ address: primary.address, port: other.port });
  const answered = (destination: string): boolean => valid.some((v) => v.destination === destination);
  if (answers.changeBoth !== null) {
    if (answers.changeBoth === otherAddress) return 'endpoint-independent';
    notes.push(
      `${server} was asked to answer from ${otherAddress} and answered from ${answers.changeBoth}: it does not honour CHANGE-REQUEST, filtering unknown`,
    );
    return 'unknown';
  }
  if (!answered(otherAddress)) {
    notes.push(
      `OTHER-ADDRESS ${otherAddress} of ${server} did not answer a request of its own: a missing answer from it proves nothing, filtering unknown`,
    );
    return 'unknown';
  }
  if (answers.changePort !== null) {
    if (answers.changePort === otherPort) return 'address-dependent';
    notes.push(
      `${server} was asked to answer from ${otherPort} and answered from ${answers.changePort}: it does not honour CHANGE-REQUEST, filtering unknown`,
    );
    return 'unknown';
  }
  if (!answered(otherPort)) {
    notes.push(
      `${otherPort} (the other port of ${server}) did not answer a request of its own: a missing answer from it proves nothing, filtering unknown`,
    );
    return 'unknown';
  }
  return 'address-and-port-dependent';
}

function methodOf(valid: Array<{ destination: string }>, answers: FilteringAnswers | null): NatMethod {
  const addresses = new Set(valid.map((v) => addressOf(v.destination)));
  if (answers !== null && valid.some((v) => v.destination === answers.otherAddress)) return 'rfc5780';
  if (addresses.size >= 2) return 'two-servers';
  if (valid.length >= 2) return 'two-ports';
  return 'none';
}

/** Whether anything at all was learned (`--nat-only` exits 1 when not). */
export function measuredAnything(behaviour: NatBehaviour): boolean {
  return behaviour.publicAddresses.length > 0;
}
