import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import { repoRoot } from '../helpers/signaling.js';
import { startService } from '../helpers/processes.js';
import { interopCall, peerArgs, runPeerProgram, type StartPeer } from './harness.js';

/**
 * aiortc (Debian's python3-aiortc, run by Debian's own /usr/bin/python3)
 * against bin/client, both ways. aiortc does not trickle: its candidates are
 * in its SDP, and its offers give every m-section its own ICE credentials
 * until BUNDLE is agreed, which werift mishandled until
 * patches/werift+0.24.4+003+bundle-ice-from-tag.patch.
 */
const PYTHON = '/usr/bin/python3';

function missing(): string | false {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  try {
    execFileSync(PYTHON, ['-c', 'import aiortc, av'], { stdio: 'ignore' });
    return false;
  } catch {
    return 'no aiortc for /usr/bin/python3 (Debian package python3-aiortc)';
  }
}

const skip = missing();
if (skip) {
  t.test('aiortc against bin/client', { skip: `aiortc: ${skip}` }, () => undefined);
} else {
  const service = await startService();
  t.teardown(() => service.stop());
  const aiortc: StartPeer = (call) =>
    runPeerProgram(PYTHON, [`${repoRoot}test/interop/aiortc/peer.py`, ...peerArgs(call)]);

  t.test('aiortc offers, bin/client answers', (t) => interopCall(t, service, aiortc, 'offerer'));
  t.test('bin/client offers, aiortc answers', (t) => interopCall(t, service, aiortc, 'answerer'));
}
