import t from 'tap';
import { redactUrl } from '../../signaling/redact.js';

t.test('credentials in a URL are blanked, everything else is kept as given', async (t) => {
  t.equal(redactUrl('http://127.0.0.1:8080'), 'http://127.0.0.1:8080', 'no secret: unchanged, no slash added');
  t.equal(redactUrl('redis://host:6379/0'), 'redis://host:6379/0');
  t.equal(redactUrl('redis://:PASSWORD@host:6379/0'), 'redis://:***@host:6379/0', 'a password alone');
  t.equal(redactUrl('http://lab:pw@10.0.0.1:8080'), 'http://***:***@10.0.0.1:8080/', 'a user and a password');
  t.equal(
    redactUrl('redis://host:6379/0?password=x&db=2&authToken=y'),
    'redis://host:6379/0?password=***&db=2&authToken=***',
    'secret parameters, by name',
  );
  t.equal(redactUrl('not a url //user:pw@host'), 'not a url //***@host', 'not a URL: userinfo blanked whole');
});
