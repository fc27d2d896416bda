/**
 * A mailbox entry as the Lua scripts write it (redis-lua.ts, append):
 * "seq \n type \n from \n ts \n arrival µs \n data". Types and names cannot
 * hold a newline, and data comes last, so it is taken whole, byte for byte.
 */
import { asNumber, asStrings } from './redis-scripts.js';
import type { StoredMessage } from './store.js';

export interface Entry extends StoredMessage {
  /** Redis TIME at arrival, in microseconds, for the relay-time histogram. */
  arrivedUs: number;
}

export function parseEntry(item: string): Entry {
  const fields: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const end = item.indexOf('\n', start);
    if (end < 0) throw new TypeError('malformed mailbox entry');
    fields.push(item.slice(start, end));
    start = end + 1;
  }
  const [seq, type, from, ts, arrivedUs] = fields;
  return {
    seq: Number(seq),
    type: type ?? '',
    from: from ?? '',
    ts: Number(ts),
    arrivedUs: Number(arrivedUs),
    data: item.slice(start),
  };
}

/**
 * The messages of a poll answer ([highest seq delivered before, Redis TIME
 * in µs, entries...]), timing first deliveries for the histogram.
 */
export function answerMessages(answer: unknown[], observe: ((seconds: number) => void) | undefined): StoredMessage[] {
  const deliveredBefore = asNumber(answer[0]);
  const nowUs = asNumber(answer[1]);
  return asStrings(answer[2]).map((item) => {
    const message = parseEntry(item);
    if (message.seq > deliveredBefore) observe?.(Math.max(0, nowUs - message.arrivedUs) / 1e6);
    const { seq, type, from, ts, data } = message;
    return { seq, type, from, ts, data };
  });
}
