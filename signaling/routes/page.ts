/**
 * The browser peer page (web/, bundled into dist/web/ by `npm run build`):
 * `GET /` and its assets under `GET /app/`, read into memory once, from the
 * service's own origin only. The headers are chosen, not defaulted: the page
 * is never cached stale (no-cache), the assets carry a content hash in their
 * names and are kept for good, and the CSP lets the page load and fetch
 * nothing but this origin (WebRTC's own traffic is not fetched). Unknown
 * asset names are the protocol's 404 `not_found`, like every unknown path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { ProtocolError } from '../errors.js';

/** dist/signaling/routes/page.js -> dist/web/ */
const dir = new URL('../../web/', import.meta.url);

const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const COMMON = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'permissions-policy': 'microphone=(self), camera=(), geolocation=()',
};

interface Asset {
  body: Buffer;
  type: string;
}

export async function pageRoutes(fastify: FastifyInstance): Promise<void> {
  const index = new URL('index.html', dir);
  if (!existsSync(index)) {
    fastify.log.warn(`no ${index.pathname}: GET / has no page (npm run build makes it)`);
    return;
  }
  const html = readFileSync(index);
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(new URL('app/', dir))) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { body: readFileSync(new URL(`app/${name}`, dir)), type });
  }
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/',
    { schema: { summary: 'The browser peer page (HTML)', produces: ['text/html'] } },
    async (_request, reply) =>
      await reply
        .headers({
          ...COMMON,
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          'content-security-policy': PAGE_CSP,
        })
        .send(html),
  );

  app.get(
    '/app/:file',
    {
      schema: {
        summary: "The page's script and stylesheet, named by their content hash",
        params: Type.Object({ file: Type.String() }),
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params.file);
      if (!asset) throw new ProtocolError('not_found');
      return await reply
        .headers({ ...COMMON, 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable' })
        .send(asset.body);
    },
  );
}
