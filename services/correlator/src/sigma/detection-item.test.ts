import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusal, selectionRule, TEST_RULE_ID } from './testing.js';

/** Asserts which events a one-selection rule matches and which it does not. */
function check(selection: unknown, matching: unknown[], other: unknown[]): void {
  const rule = selectionRule(selection);
  for (const event of matching) assert.equal(rule.match(event), true, `should match ${JSON.stringify(event)}`);
  for (const event of other) assert.equal(rule.match(event), false, `should not match ${JSON.stringify(event)}`);
}

function refusedFor(selection: unknown, reason: RegExp): void {
  const error = refusal(() => selectionRule(selection));
  assert.equal(error.rule, TEST_RULE_ID);
  assert.match(error.reason, reason);
}

describe('field items', () => {
  it('ANDs the fields of a map', () => {
    check({ a: 'x', b: 'y' }, [{ a: 'x', b: 'y' }], [{ a: 'x' }, { a: 'x', b: 'z' }]);
  });

  it('ORs the values of a list', () => {
    check({ a: ['x', 'y'] }, [{ a: 'x' }, { a: 'Y' }], [{ a: 'z' }, {}]);
  });

  it('matches strings case-insensitively by default and exactly with cased', () => {
    check({ a: 'AbC' }, [{ a: 'abc' }, { a: 'ABC' }], [{ a: 'abcd' }]);
    check({ 'a|cased': 'AbC' }, [{ a: 'AbC' }], [{ a: 'abc' }]);
  });

  it('applies wildcards and escapes', () => {
    // Sigma's C:\Windows\\*.exe: the doubled backslash keeps the one before the wildcard plain.
    check({ a: 'C:\\Windows\\\\*.exe' }, [{ a: 'c:\\windows\\cmd.EXE' }], [{ a: 'D:\\Windows\\cmd.exe' }]);
    check({ a: 'C:\\Windows\\*.exe' }, [{ a: 'C:\\Windows*.exe' }], [{ a: 'C:\\Windows\\cmd.exe' }]);
    check({ a: 'what\\?' }, [{ a: 'what?' }], [{ a: 'whats' }]);
  });

  it('resolves dotted names through nested objects', () => {
    check(
      { 'userIdentity.sessionContext.sessionIssuer.type': 'Role' },
      [{ userIdentity: { sessionContext: { sessionIssuer: { type: 'Role' } } } }],
      [{ userIdentity: { type: 'Role' } }, { 'userIdentity.sessionContext.sessionIssuer.type': 'Role' }],
    );
  });

  it('matches any element of an array, at any level', () => {
    check(
      { 'resources.ARN': 'arn:aws:s3:::cde-*' },
      [{ resources: [{ ARN: 'arn:aws:s3:::logs' }, { ARN: 'arn:aws:s3:::cde-cards' }] }],
      [{ resources: [{ ARN: 'arn:aws:s3:::logs' }] }, { resources: [] }],
    );
    check({ tags: 'cde' }, [{ tags: ['web', 'CDE'] }, { tags: [['nested', 'cde']] }], [{ tags: ['web'] }]);
  });

  it('compares numbers as numbers and matches numeric strings', () => {
    check(
      { code: 403 },
      [{ code: 403 }, { code: '403' }, { code: '403.0' }],
      [{ code: 404 }, { code: 'x403' }, { code: '' }],
    );
    check({ code: [401, 403] }, [{ code: 401 }, { code: '403' }], [{ code: 402 }]);
  });

  it('matches a numeric string in the rule against a number in the event', () => {
    check({ code: '403' }, [{ code: 403 }, { code: '403' }], [{ code: 4030 }]);
  });

  it('matches booleans against booleans and their text', () => {
    check(
      { 'labels.cde': true },
      [{ labels: { cde: true } }, { labels: { cde: 'True' } }],
      [{ labels: { cde: false } }, {}],
    );
  });

  it('matches null when the field is absent, null or only nulls, and not when it holds anything', () => {
    check(
      { 'user.name': null },
      [{}, { user: null }, { user: { name: null } }, { user: { name: [null] } }, { user: { name: [] } }],
      [
        { user: { name: 'alice' } },
        { user: { name: '' } },
        { user: { name: { first: 'a' } } },
        { user: { name: [null, 'a'] } },
      ],
    );
  });

  it('matches null or a value when a list holds both', () => {
    check({ a: [null, 'x'] }, [{}, { a: 'x' }], [{ a: 'y' }]);
  });

  it('does not let a string pattern match an object', () => {
    check({ a: '*' }, [{ a: '' }, { a: 5 }], [{ a: { b: 'c' } }, { a: null }, {}]);
  });

  it('sees only own properties of the event', () => {
    check({ 'constructor|exists': true }, [{ constructor: 1 }], [{}]);
    check({ toString: '*' }, [], [{}]);
  });
});

describe('string modifiers', () => {
  it('contains', () => {
    check({ 'a|contains': 'Logging' }, [{ a: 'StopLOGGING' }, { a: 'logging' }], [{ a: 'StopLog' }]);
  });

  it('startswith', () => {
    check({ 'a|startswith': 'Delete' }, [{ a: 'deleteTrail' }], [{ a: 'UndeleteTrail' }]);
  });

  it('endswith', () => {
    check({ 'a|endswith': '.exe' }, [{ a: 'CMD.EXE' }], [{ a: 'cmd.exe.txt' }]);
  });

  it('contains with wildcards inside the value', () => {
    check({ 'a|contains': 'a*c' }, [{ a: 'xxabbcxx' }], [{ a: 'xxcbaxx' }]);
  });

  it('all requires every value', () => {
    check(
      { 'cmd|contains|all': ['curl', '| sh'] },
      [{ cmd: 'curl http://x | sh' }],
      [{ cmd: 'curl http://x' }, { cmd: 'wget x | sh' }],
    );
  });

  it('all lets each value match a different element of an array', () => {
    check({ 'tags|all': ['a', 'b'] }, [{ tags: ['b', 'a'] }], [{ tags: ['a'] }]);
  });

  it('cased with contains', () => {
    check({ 'a|contains|cased': 'Root' }, [{ a: 'isRoot' }], [{ a: 'isroot' }]);
  });

  it('windash matches any dash or slash starting a flag', () => {
    check(
      { 'cmd|windash|contains': ' -enc ' },
      [
        { cmd: 'ps -enc x' },
        { cmd: 'ps /enc x' },
        { cmd: 'ps \u2013enc x' },
        { cmd: 'ps \u2014ENC x' },
        { cmd: 'ps \u2015enc x' },
      ],
      [{ cmd: 'ps +enc x' }, { cmd: 'ps enc x' }],
    );
  });

  it('base64 matches the encoded value, case-sensitively', () => {
    const encoded = Buffer.from('whoami').toString('base64');
    check({ 'a|base64': 'whoami' }, [{ a: encoded }], [{ a: encoded.toLowerCase() }, { a: 'whoami' }]);
  });

  it('base64offset|contains finds the value at any offset inside a base64 string', () => {
    const matching = ['', 'a', 'ab'].map((prefix) => ({ a: Buffer.from(`${prefix}curl evil.sh`).toString('base64') }));
    check({ 'a|base64offset|contains': 'curl ' }, matching, [{ a: Buffer.from('wget evil.sh').toString('base64') }]);
  });

  it('applies string modifiers to a number as its text', () => {
    check({ 'code|startswith': 40 }, [{ code: 403 }, { code: '404' }], [{ code: 500 }]);
  });
});

describe('re', () => {
  it('searches the value with a case-sensitive regular expression', () => {
    check({ 'a|re': 'ab+c' }, [{ a: 'xxabbbcxx' }], [{ a: 'xxABBCxx' }, { a: 'ac' }]);
  });

  it('anchors only where the expression does', () => {
    check({ 'a|re': '^ab$' }, [{ a: 'ab' }], [{ a: 'xab' }]);
  });

  it('i makes it case-insensitive', () => {
    check({ 'a|re|i': '^ab+c$' }, [{ a: 'ABBC' }], [{ a: 'ABBCD' }]);
  });

  it('m makes ^ and $ match at line ends', () => {
    check({ 'a|re|m': '^second$' }, [{ a: 'first\nsecond\nthird' }], [{ a: 'first second' }]);
    check({ 'a|re': '^second$' }, [], [{ a: 'first\nsecond\nthird' }]);
  });

  it('s makes . match newlines', () => {
    check({ 'a|re|s': 'a.b' }, [{ a: 'a\nb' }], [{ a: 'a\n\nb' }]);
    check({ 'a|re': 'a.b' }, [], [{ a: 'a\nb' }]);
  });

  it('matches numbers by their text', () => {
    check({ 'code|re': '^4\\d\\d$' }, [{ code: 404 }], [{ code: 500 }]);
  });

  it('refuses an invalid expression and PCRE-only syntax', () => {
    refusedFor({ 'a|re': 'a(b' }, /invalid regular expression 'a\(b'/);
    refusedFor({ 'a|re': '(?i)ab' }, /invalid regular expression/);
    refusedFor({ 'a|re': '\\Aab\\z' }, /the escape \\A is not supported/);
  });

  it('accepts escapes JavaScript reads as PCRE does', () => {
    check({ 'a|re': '\\d+\\-\\w\\.\\\\A' }, [{ a: '12-x.\\A' }], [{ a: '12-x.\\B' }]);
  });
});

describe('cidr', () => {
  it('matches IPv4 addresses in the network', () => {
    check({ 'ip|cidr': '10.0.0.0/8' }, [{ ip: '10.1.2.3' }], [{ ip: '11.0.0.1' }, { ip: 'not an ip' }, { ip: 10 }]);
  });

  it('matches IPv6 addresses in the network, in any case', () => {
    check({ 'ip|cidr': '2001:db8::/32' }, [{ ip: '2001:DB8::1' }], [{ ip: '2001:db9::1' }, { ip: '10.0.0.1' }]);
  });

  it('ORs a list of networks', () => {
    check(
      { 'ip|cidr': ['10.0.0.0/8', '192.168.0.0/16'] },
      [{ ip: '192.168.1.1' }, { ip: '10.0.0.1' }],
      [{ ip: '172.16.0.1' }],
    );
  });

  it('takes a single address as its own network', () => {
    check({ 'ip|cidr': '10.0.0.1' }, [{ ip: '10.0.0.1' }], [{ ip: '10.0.0.2' }]);
  });

  it('refuses what is not a network', () => {
    refusedFor({ 'ip|cidr': '10.0.0.0/33' }, /'10.0.0.0\/33' is not a CIDR network/);
    refusedFor({ 'ip|cidr': '10.0.0/8' }, /not a CIDR network/);
    refusedFor({ 'ip|cidr': '10.0.0.0/8/8' }, /not a CIDR network/);
  });
});

describe('numeric comparisons', () => {
  it('lt, lte, gt and gte compare numbers and numeric strings', () => {
    check({ 'n|lt': 10 }, [{ n: 9 }, { n: '9.5' }], [{ n: 10 }, { n: 'nine' }, {}]);
    check({ 'n|lte': 10 }, [{ n: 10 }], [{ n: 11 }]);
    check({ 'n|gt': 10 }, [{ n: 11 }, { n: '1e3' }], [{ n: 10 }, { n: ' ' }]);
    check({ 'n|gte': 10 }, [{ n: 10 }], [{ n: 9 }]);
  });

  it('refuses a value that is not a number', () => {
    refusedFor({ 'n|gt': '10' }, /'gt' needs a number/);
  });
});

describe('exists', () => {
  it('true matches a present field, even null, and false an absent one', () => {
    check({ 'a.b|exists': true }, [{ a: { b: 'x' } }, { a: { b: null } }, { a: [{}, { b: 0 }] }], [{ a: {} }, {}]);
    check({ 'a.b|exists': false }, [{ a: {} }, {}], [{ a: { b: '' } }]);
  });

  it('refuses anything but one boolean', () => {
    refusedFor({ 'a|exists': 'yes' }, /'exists' needs true or false/);
    refusedFor({ 'a|exists': [true, false] }, /'exists' needs true or false/);
  });
});

describe('fieldref', () => {
  it('matches when the field equals another field, ignoring case', () => {
    check(
      { 'user.name|fieldref': 'user.target.name' },
      [
        { user: { name: 'Alice', target: { name: 'alice' } } },
        { user: { name: ['a', 'b'], target: { name: ['c', 'b'] } } },
      ],
      [{ user: { name: 'alice', target: { name: 'bob' } } }, { user: { name: 'alice' } }],
    );
  });

  it('compares numbers by their text', () => {
    check({ 'a|fieldref': 'b' }, [{ a: 5, b: '5' }], [{ a: 5, b: 6 }]);
  });

  it('honours cased, contains, startswith and endswith', () => {
    check({ 'a|fieldref|cased': 'b' }, [{ a: 'X', b: 'X' }], [{ a: 'X', b: 'x' }]);
    check({ 'a|fieldref|contains': 'b' }, [{ a: 'xABCx', b: 'abc' }], [{ a: 'xabx', b: 'abc' }]);
    check({ 'a|fieldref|startswith': 'b' }, [{ a: 'abcx', b: 'abc' }], [{ a: 'xabc', b: 'abc' }]);
    check({ 'a|fieldref|endswith': 'b' }, [{ a: 'xabc', b: 'abc' }], [{ a: 'abcx', b: 'abc' }]);
  });

  it('refuses a reference with wildcards', () => {
    refusedFor({ 'a|fieldref': 'b*' }, /'fieldref' needs a field name without wildcards/);
  });
});

describe('neq', () => {
  it('matches when the field matches none of the values', () => {
    check({ 'a|neq': ['x', 'y'] }, [{ a: 'z' }, {}], [{ a: 'x' }, { a: 'Y' }]);
  });

  it('negates a numeric value', () => {
    check({ 'code|neq': 200 }, [{ code: 403 }], [{ code: '200' }]);
  });
});

describe('keywords', () => {
  it('finds a listed keyword inside any string of the event, ignoring case', () => {
    check(
      ['EVILSERVICE', 'svchost.exe -n evil'],
      [{ a: { b: ['x', 'the evilservice ran'] } }, { message: 'Svchost.exe -n evil' }],
      [{ a: 'good service' }, { evilservice: 'key, not value' }],
    );
  });

  it("'|all' requires every keyword, anywhere", () => {
    check(
      { '|all': ['OabVirtualDirectory', ' -ExternalUrl '] },
      [{ a: 'set-oabvirtualdirectory', b: 'x -externalurl y' }],
      [{ a: 'OabVirtualDirectory' }],
    );
  });

  it('keeps anchors and regular expressions the rule asks for', () => {
    check({ '|startswith': 'evil' }, [{ a: 'EVIL thing' }], [{ a: 'not evil' }]);
    check({ '|re': '^ev[aeiou]l$' }, [{ a: ['x', 'evil'] }], [{ a: 'evil!' }]);
  });

  it('matches numbers in the event by their text', () => {
    check(['4624'], [{ id: 14624 }], [{ id: 4625 }]);
  });

  it('refuses null and modifiers that need a field', () => {
    refusedFor([null], /a keyword cannot be null/);
    refusedFor({ '|cidr': '10.0.0.0/8' }, /'cidr' needs a field name/);
    refusedFor({ '|exists': true }, /'exists' needs a field name/);
  });
});

describe('refused field items', () => {
  it('refuses an unknown modifier, naming the selection and the field', () => {
    refusedFor({ 'a|bogus': 'x' }, /'selection': 'a\|bogus': unknown modifier 'bogus'/);
  });

  it('refuses a nested map as a value', () => {
    refusedFor({ a: { b: 'c' } }, /nested fields use dotted names/);
  });

  it('refuses an empty list of values', () => {
    refusedFor({ a: [] }, /the list of values is empty/);
  });

  it('refuses all with a single value', () => {
    refusedFor({ 'a|contains|all': 'x' }, /'all' needs a list of two or more values/);
  });

  it('refuses a field name with an empty segment', () => {
    refusedFor({ 'a..b': 'x' }, /field name 'a..b' has an empty segment/);
  });

  it('refuses an empty selection', () => {
    refusedFor({}, /a map of fields is empty/);
    refusedFor([], /must be a map of fields or a non-empty list/);
    refusedFor('word', /must be a map of fields or a non-empty list/);
  });
});
