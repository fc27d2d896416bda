/**
 * The baseline for bench/relay.ts: the least a long-polling relay can be on
 * Fastify. POST /relay/:id appends the body to that id's queue and answers a
 * GET held on it; GET /relay/:id returns what is queued and clears it, or
 * holds until something comes or timeoutMs passes. No validation, no auth, no
 * acknowledgement, no limits.
 *
 *   node dist/bench/bare-relay.js --host 127.0.0.1 --port 8081
 */
import Fastify from 'fastify';
import { parseArgs } from 'node:util';

/** While a GET is held the queue is empty: a POST answers the held GET at once. */
interface Mailbox {
  queue: unknown[];
  held: (() => void) | undefined;
}

const { values } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '0' } },
});
const mailboxes = new Map<string, Mailbox>();
const app = Fastify();

function mailbox(id: string): Mailbox {
  let box = mailboxes.get(id);
  if (box === undefined) {
    box = { queue: [], held: undefined };
    mailboxes.set(id, box);
  }
  return box;
}

/** Empties the queue; a mailbox with nothing queued and nothing held is forgotten. */
function take(id: string, box: Mailbox): unknown[] {
  const messages = box.queue;
  box.queue = [];
  if (box.held === undefined) mailboxes.delete(id);
  return messages;
}

app.post<{ Params: { id: string } }>('/relay/:id', async (request, reply) => {
  const box = mailbox(request.params.id);
  box.queue.push(request.body);
  box.held?.();
  return reply.code(202).send();
});

app.get<{ Params: { id: string }; Querystring: { timeoutMs?: string } }>('/relay/:id', (request, reply) => {
  const id = request.params.id;
  mailboxes.get(id)?.held?.(); // one held GET per id: a newer one answers the older
  const box = mailbox(id);
  if (box.queue.length > 0 || request.query.timeoutMs === '0') {
    void reply.send({ messages: take(id, box) });
    return;
  }
  const answer = (): void => {
    if (box.held !== answer) return;
    box.held = undefined;
    clearTimeout(timer);
    reply.raw.off('close', answer);
    void reply.send({ messages: take(id, box) });
  };
  const timer = setTimeout(answer, Number(request.query.timeoutMs ?? 25_000));
  reply.raw.once('close', answer);
  box.held = answer;
});

app.get('/healthz', async () => ({ status: 'ok' }));

// A clean exit, so that --cpu-prof gets to write its profile.
process.once('SIGTERM', () => {
  void app.close().finally(() => process.exit(0));
});

await app.listen({ host: values.host, port: Number(values.port) });
