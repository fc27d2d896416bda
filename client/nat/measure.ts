import { networkInterfaces } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { NatBehaviour } from '../../signaling/protocol.js';
import { classifyNat, type BindingAnswer, type FilteringAnswers, type NatObservations } from './classify.js';
import { resolveDestinations } from './destinations.js';
import { formatEndpoint, type Endpoint } from './endpoint.js';
import { StunSocket, type StunAnswer, type StunCodec } from './stun-socket.js';

/** CLI.md: the whole measurement takes at most 3 s. */
export const NAT_BUDGET_MS = 3_000;
/** One request's wait: long enough for a far server and four resends, short enough to leave room for the tests that follow. */
const REQUEST_MS = 2_000;
/**
 * The tests that follow a first answer wait for their own answers a few
 * round trips of that first one (resends included), not the full 2 s: an
 * expected silence (filtering) should not hold the prediction back.
 */
const followUpMs = (rttMs: number): number => Math.min(REQUEST_MS, Math.max(500, 5 * rttMs + 300));

export interface NatMeasurement {
  behaviour: NatBehaviour;
  observations: NatObservations;
  elapsedMs: number;
}

/**
 * Measures this side's NAT with Binding requests to the UDP STUN services of
 * `urls`, in RFC 5780's way when one of them gives an OTHER-ADDRESS: the
 * mapping tests from one socket (to every server, to the other address and
 * port, to the other port), the filtering tests (CHANGE-REQUEST) from a
 * second socket that has sent to nothing else, and hairpinning (a request
 * to our own mapped address). Never longer than `budgetMs`; never throws.
 */
export async function measureNat(
  urls: readonly string[],
  codec: StunCodec,
  budgetMs: number = NAT_BUDGET_MS,
): Promise<NatMeasurement> {
  const started = performance.now();
  const remaining = (cap: number): number => Math.max(0, Math.min(cap, started + budgetMs - performance.now()));
  const { destinations, unresolved } = await resolveDestinations(urls, 4, remaining(budgetMs / 2));
  const observations: NatObservations = {
    localAddresses: localAddresses(),
    localPort: 0,
    destinations: destinations.length,
    bindings: [],
    filtering: null,
    hairpin: null,
  };
  const finish = (): NatMeasurement => {
    const behaviour = classifyNat(observations);
    for (const url of unresolved)
      behaviour.notes.push(`${url}: its host has no IPv4 address (or did not resolve in time)`);
    return { behaviour, observations, elapsedMs: Math.round(performance.now() - started) };
  };
  if (destinations.length === 0) return finish();

  let mapping: StunSocket | undefined;
  let filter: StunSocket | undefined;
  try {
    mapping = await StunSocket.open(codec, 4);
    filter = await StunSocket.open(codec, 4);
  } catch (error) {
    mapping?.close();
    const behaviour = finish().behaviour;
    behaviour.notes.push(`no UDP socket: ${error instanceof Error ? error.message : String(error)}`);
    return { behaviour, observations, elapsedMs: Math.round(performance.now() - started) };
  }
  const mappingSocket = mapping;
  const filterSocket = filter;
  observations.localPort = mappingSocket.port;
  const tasks: Array<Promise<void>> = [];
  const probed = new Set<string>();
  let hairpinStarted = false;
  let twoPortsStarted = false;

  const probe = (to: Endpoint, waitMs: number = REQUEST_MS): void => {
    const destination = formatEndpoint(to);
    if (probed.has(destination)) return;
    probed.add(destination);
    const sentAt = performance.now();
    tasks.push(
      mappingSocket.request(to, { timeoutMs: remaining(waitMs) }).then((answer) => {
        observations.bindings.push(bindingOf(destination, answer));
        if (answer && formatEndpoint(answer.from) === destination) onAnswer(to, answer, performance.now() - sentAt);
      }),
    );
  };
  const onAnswer = (to: Endpoint, answer: StunAnswer, rttMs: number): void => {
    const waitMs = followUpMs(rttMs);
    if (!hairpinStarted && answer.mapped) {
      hairpinStarted = true;
      tasks.push(
        mappingSocket.hairpin(answer.mapped, remaining(waitMs)).then((back) => {
          observations.hairpin = back;
        }),
      );
    }
    const other = answer.otherAddress;
    if (observations.filtering === null && other && other.address !== to.address && other.port !== to.port) {
      const tests: FilteringAnswers = {
        server: formatEndpoint(to),
        otherAddress: formatEndpoint(other),
        changeBoth: null,
        changePort: null,
      };
      observations.filtering = tests;
      probe({ address: other.address, port: to.port }, waitMs);
      probe(other, waitMs);
      probe({ address: to.address, port: other.port }, waitMs);
      tasks.push(
        filterSocket.request(to, { change: 'ip-and-port', timeoutMs: remaining(waitMs) }).then((a) => {
          tests.changeBoth = a ? formatEndpoint(a.from) : null;
        }),
        filterSocket.request(to, { change: 'port', timeoutMs: remaining(waitMs) }).then((a) => {
          tests.changePort = a ? formatEndpoint(a.from) : null;
        }),
      );
    } else if (observations.filtering === null && !twoPortsStarted && to.port < 65_535) {
      // A plain server may answer on a second port (coturn's alternate port is the next one).
      twoPortsStarted = true;
      probe({ address: to.address, port: to.port + 1 }, waitMs);
    }
  };

  for (const destination of destinations) probe(destination);
  try {
    // Answers start further tests: wait until no new ones appear.
    for (let count = 0; count !== tasks.length;) {
      count = tasks.length;
      await Promise.all(tasks);
    }
  } finally {
    mappingSocket.close();
    filterSocket.close();
  }
  return finish();
}

function bindingOf(destination: string, answer: StunAnswer | null): BindingAnswer {
  return {
    destination,
    mapped: answer?.mapped ? formatEndpoint(answer.mapped) : null,
    from: answer ? formatEndpoint(answer.from) : null,
  };
}

/** This host's IPv4 addresses: a mapped address among them, on our own port, is no NAT at all. */
function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flatMap((entries) => entries ?? [])
    .filter((entry) => entry.family === 'IPv4')
    .map((entry) => entry.address);
}
