/** GET / and /app/: the built page, with the headers chosen for it; unknown assets stay the protocol's 404. */
import t from 'tap';
import { buildServer } from '../../signaling/app.js';
import { resolveConfig } from '../../signaling/config.js';

const app = buildServer(resolveConfig({}));
t.teardown(() => app.close());

t.test('the page and its assets', async (t) => {
  const page = await app.inject({ method: 'GET', url: '/' });
  t.equal(page.statusCode, 200);
  t.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  t.equal(page.headers['cache-control'], 'no-cache');
  t.match(page.headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
  t.match(page.headers['content-security-policy'], /connect-src 'self'/);
  t.equal(page.headers['x-content-type-options'], 'nosniff');
  const assets = [...page.body.matchAll(/(?:src|href)="(\/app\/[^"]+)"/g)].map((m) => m[1]!);
  t.equal(assets.length, 2, 'one script and one stylesheet');
  for (const url of assets) {
    const asset = await app.inject({ method: 'GET', url });
    t.equal(asset.statusCode, 200, url);
    t.match(asset.headers['content-type'], url.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
    t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
  }
  t.notMatch(page.body, /https?:\/\//, 'the page names no other origin');
});

t.test('unknown paths are 404 not_found JSON', async (t) => {
  for (const url of ['/app/nope.js', '/app/', '/index.html', '/app/../package.json']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, url);
    t.same(res.json(), { error: 'not_found', message: 'No such route.' }, url);
  }
});
