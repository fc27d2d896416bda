import t from 'tap';
import { compactJson, memberText } from '../../signaling/json-text.js';

t.test('memberText finds a top-level member as written', async (t) => {
  t.equal(memberText('{"type":"x","data":{"b":1,"a":[1, 2]}}', 'data'), '{"b":1,"a":[1, 2]}');
  t.equal(memberText(' { "data" : "a\\"}b" , "type":"x" } ', 'data'), '"a\\"}b"');
  t.equal(memberText('{"data":12345678901234567890}', 'data'), '12345678901234567890');
  t.equal(memberText('{"data":null}', 'data'), 'null');
  t.equal(memberText('{"type":"x"}', 'data'), undefined);
  t.equal(memberText('{"x":{"data":1}}', 'data'), undefined, 'only top-level members');
  t.equal(memberText('{"d\\u0061ta":true}', 'data'), 'true', 'escaped keys are decoded');
  t.equal(memberText('{"data":1,"data":[2]}', 'data'), '[2]', 'the last duplicate wins, as in JSON.parse');
  t.equal(memberText('{"data":"]}[{"}', 'data'), '"]}[{"');
  t.equal(memberText('[1]', 'data'), undefined);
  t.equal(memberText('{}', 'data'), undefined);
});

t.test('compactJson drops whitespace between tokens only', async (t) => {
  t.equal(compactJson(' { "a b" : [ 1 , "x  y" ] ,\n\t"c":{ } } '), '{"a b":[1,"x  y"],"c":{}}');
  t.equal(compactJson('"\\" "'), '"\\" "');
  const value = { z: 1, 10: 'ten', s: 'a "quoted" \\ string', n: [1.5e300, -0, true, null] };
  t.same(JSON.parse(compactJson(JSON.stringify(value, null, 2))), value);
});
