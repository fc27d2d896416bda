/**
 * Builds the pion v3 peer of the interop tests (test/interop/pion/, see
 * docs/INTEROP.md) offline, from the Go sources Debian ships
 * (golang-github-pion-webrtc.v3-dev and what it depends on) and libopus-dev,
 * once per version of its sources, into node_modules/.cache/pion-peer/.
 * Callers: test/interop/pion.test.ts, and the loss benchmark's pion pair.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import { repoRoot } from './repo.js';

const run = promisify(execFile);

const sources = `${repoRoot}test/interop/pion`;
const cacheDir = `${repoRoot}node_modules/.cache/pion-peer`;
/** Where Debian's golang-*-dev packages put their sources (a GOPATH entry). */
export const DEBIAN_GOCODE = '/usr/share/gocode';

/**
 * Debian lays these modules out without their major-version directory
 * (…/pion/webrtc, not …/pion/webrtc/v3), while the code imports them with it.
 * In GOPATH mode an import path is a directory, so a private GOPATH entry
 * gets a link for each.
 */
const VERSIONED = [
  ['webrtc', 'v3'],
  ['sdp', 'v3'],
  ['transport', 'v2'],
  ['udp', 'v2'],
] as const;

let building: Promise<{ path: string } | { skip: string }> | undefined;

/** The path of the built peer, or why it cannot be built here. Builds at most once per process. */
export function buildPionPeer(): Promise<{ path: string } | { skip: string }> {
  building ??= build();
  return building;
}

async function build(): Promise<{ path: string } | { skip: string }> {
  const missing = await missingPrerequisite();
  if (missing !== undefined) return { skip: missing };
  const goVersion = (await run('go', ['version'])).stdout.trim();
  const files = (await readdir(sources)).filter((f) => f.endsWith('.go')).sort();
  const hash = createHash('sha256').update(goVersion);
  for (const file of files) hash.update(file).update(await readFile(`${sources}/${file}`));
  const key = hash.digest('hex').slice(0, 16);
  const path = `${cacheDir}/${key}/pion-peer`;
  if (existsSync(path)) return { path };

  const gopath = `${cacheDir}/gopath`;
  for (const [name, major] of VERSIONED) {
    const link = `${gopath}/src/github.com/pion/${name}/${major}`;
    if (existsSync(link)) continue;
    await mkdir(`${gopath}/src/github.com/pion/${name}`, { recursive: true });
    await symlink(`${DEBIAN_GOCODE}/src/github.com/pion/${name}`, link);
  }
  await mkdir(`${cacheDir}/${key}`, { recursive: true });
  const partial = `${path}.${process.pid}.partial`;
  try {
    await run('go', ['build', '-o', partial, '.'], {
      cwd: sources,
      timeout: 300_000,
      env: {
        ...process.env,
        GO111MODULE: 'off',
        GOPROXY: 'off',
        GOFLAGS: '',
        CGO_ENABLED: '1',
        GOPATH: `${gopath}:${DEBIAN_GOCODE}`,
        GOCACHE: `${cacheDir}/go-build`,
      },
    });
  } catch (error) {
    await rm(partial, { force: true });
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`building the pion peer failed: ${String(error)}\n${stderr}`, { cause: error });
  }
  // Two builds at once (two test processes) both end with a whole binary.
  await rename(partial, path);
  return { path };
}

/** Why the peer cannot be built on this machine, if it cannot. */
async function missingPrerequisite(): Promise<string | undefined> {
  if (!(await succeeds('go', ['version']))) return 'no go on PATH (Debian package golang-go)';
  if (!existsSync(`${DEBIAN_GOCODE}/src/github.com/pion/webrtc/peerconnection.go`)) {
    return `no pion sources in ${DEBIAN_GOCODE} (Debian package golang-github-pion-webrtc.v3-dev)`;
  }
  if (!(await succeeds('pkg-config', ['--version']))) return 'no pkg-config (Debian package pkg-config)';
  if (!(await succeeds('pkg-config', ['--exists', 'opus']))) return 'no libopus headers (Debian package libopus-dev)';
  if (!(await succeeds('gcc', ['--version']))) return 'no C compiler for cgo (Debian packages gcc, libc6-dev)';
  return undefined;
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}
