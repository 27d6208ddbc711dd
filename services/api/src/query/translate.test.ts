import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from './bad-request.js';
import { DEFAULT_FIELDS } from './fields.js';
import { translateQuery } from './translate.js';

function refused(query: string, message: string | RegExp, position: number): void {
  assert.throws(
    () => translateQuery(query),
    (error: unknown) => {
      assert.ok(error instanceof QueryError, `not a QueryError: ${String(error)}`);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      assert.equal(error.position, position);
      return true;
    },
  );
}

const day = (field: string, gte: string, lt: string) => ({
  range: { [field]: { format: 'strict_date_optional_time', gte, lt } },
});

describe('translateQuery', () => {
  it('matches keyword fields exactly, and wildcards case-insensitively', () => {
    assert.deepEqual(translateQuery('user.name:Alice'), { term: { 'user.name': { value: 'Alice' } } });
    assert.deepEqual(translateQuery('user.name:"Alice Smith"'), { term: { 'user.name': { value: 'Alice Smith' } } });
    assert.deepEqual(translateQuery('user.name:adm?n*'), {
      wildcard: { 'user.name': { value: 'adm?n*', case_insensitive: true } },
    });
    assert.deepEqual(translateQuery('file.path:\\*\\\\x*'), {
      wildcard: { 'file.path': { value: '\\*\\\\x*', case_insensitive: true } },
    });
  });

  it('matches text fields, multi-fields included, as phrases, and wildcards against words', () => {
    assert.deepEqual(translateQuery('message:"access denied"'), {
      match_phrase: { message: { query: 'access denied' } },
    });
    assert.deepEqual(translateQuery('message:access-denied'), {
      match_phrase: { message: { query: 'access-denied' } },
    });
    assert.deepEqual(translateQuery('user_agent.original.text:curl'), {
      match_phrase: { 'user_agent.original.text': { query: 'curl' } },
    });
    assert.deepEqual(translateQuery('message:deni*'), {
      wildcard: { message: { value: 'deni*', case_insensitive: true } },
    });
  });

  it('reads a date as the span it names: equality covers it, bounds take it whole', () => {
    assert.deepEqual(
      translateQuery('@timestamp:2026-11-28'),
      day('@timestamp', '2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z'),
    );
    assert.deepEqual(
      translateQuery('event.created:2026-11'),
      day('event.created', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'),
    );
    const range = (bounds: object) => ({ range: { '@timestamp': { format: 'strict_date_optional_time', ...bounds } } });
    assert.deepEqual(translateQuery('@timestamp >= 2026-11-28'), range({ gte: '2026-11-28T00:00:00.000Z' }));
    assert.deepEqual(translateQuery('@timestamp > 2026-11-28'), range({ gte: '2026-11-29T00:00:00.000Z' }));
    assert.deepEqual(translateQuery('@timestamp < 2026-11-28'), range({ lt: '2026-11-28T00:00:00.000Z' }));
    assert.deepEqual(translateQuery('@timestamp <= 2026-11-28'), range({ lt: '2026-11-29T00:00:00.000Z' }));
    assert.deepEqual(
      translateQuery('@timestamp:[2026-11-28T10:00:00+02:00 TO 2026-11-28T12:00:00Z}'),
      range({ gte: '2026-11-28T08:00:00.000Z', lt: '2026-11-28T12:00:00.000Z' }),
    );
  });

  it('matches ip fields by address or CIDR range, and compares addresses', () => {
    assert.deepEqual(translateQuery('source.ip:10.0.0.1'), { term: { 'source.ip': { value: '10.0.0.1' } } });
    assert.deepEqual(translateQuery('related.ip:10.0.0.0/8'), { term: { 'related.ip': { value: '10.0.0.0/8' } } });
    assert.deepEqual(translateQuery('source.ip:"2001:db8::/32"'), {
      term: { 'source.ip': { value: '2001:db8::/32' } },
    });
    assert.deepEqual(translateQuery('source.ip:[10.0.0.1 TO 10.0.0.9]'), {
      range: { 'source.ip': { gte: '10.0.0.1', lte: '10.0.0.9' } },
    });
  });

  it('matches numbers as whole numbers, kept as strings so no digit is lost, and booleans', () => {
    assert.deepEqual(translateQuery('event.severity:7'), { term: { 'event.severity': { value: '7' } } });
    assert.deepEqual(translateQuery('file.size >= 9223372036854775807'), {
      range: { 'file.size': { gte: '9223372036854775807' } },
    });
    assert.deepEqual(translateQuery('event.severity:{-1 TO 5}'), {
      range: { 'event.severity': { gt: '-1', lt: '5' } },
    });
    assert.deepEqual(translateQuery('labels.cde:TRUE'), { term: { 'labels.cde': { value: true } } });
  });

  it('compares keyword values as strings in ranges', () => {
    assert.deepEqual(translateQuery('pci_dss.requirements:[10.2 TO 10.3}'), {
      range: { 'pci_dss.requirements': { gte: '10.2', lt: '10.3' } },
    });
  });

  it('tests existence, and combines with bool', () => {
    assert.deepEqual(translateQuery('NOT user.name:* OR (host.name:* AND source.ip:*)'), {
      bool: {
        should: [
          { bool: { must_not: [{ exists: { field: 'user.name' } }] } },
          { bool: { filter: [{ exists: { field: 'host.name' } }, { exists: { field: 'source.ip' } }] } },
        ],
        minimum_should_match: 1,
      },
    });
    assert.deepEqual(translateQuery(''), { match_all: {} });
  });

  it('looks for a bare value in the default fields its type fits', () => {
    const fields = (query: string) => {
      const { bool } = translateQuery(query) as { bool: { should: object[] } };
      return bool.should.map((clause) => Object.keys(Object.values(clause)[0] as object)[0]);
    };
    const withoutIp = DEFAULT_FIELDS.filter((name) => name !== 'source.ip' && name !== 'related.ip');
    assert.deepEqual(fields('alice'), withoutIp);
    assert.deepEqual(fields('"access denied"'), withoutIp);
    assert.deepEqual(fields('adm*'), withoutIp);
    assert.deepEqual(fields('10.0.0.1'), DEFAULT_FIELDS);
    assert.deepEqual(translateQuery('alice').bool?.should, [
      { term: { 'event.id': { value: 'alice' } } },
      { term: { 'event.action': { value: 'alice' } } },
      { term: { 'user.name': { value: 'alice' } } },
      { term: { 'user.id': { value: 'alice' } } },
      { term: { 'user.target.name': { value: 'alice' } } },
      { term: { 'source.address': { value: 'alice' } } },
      { term: { 'host.name': { value: 'alice' } } },
      { term: { 'resource.id': { value: 'alice' } } },
      { term: { 'resource.name': { value: 'alice' } } },
      { term: { 'file.path': { value: 'alice' } } },
      { match_phrase: { message: { query: 'alice' } } },
      { match_phrase: { 'error.message': { query: 'alice' } } },
    ]);
  });

  it('refuses unknown and unsearchable fields, naming them and where', () => {
    refused('usr.name:alice', /^unknown field 'usr.name' at 0 /, 0);
    refused('a OR arn:aws:iam::1:root', /^unknown field 'arn' at 5 /, 5);
    refused('x AND nope >= 3', /^unknown field 'nope' at 6 /, 6);
    refused('nope:*', /^unknown field 'nope' at 0 /, 0);
    refused('user:alice', /^unknown field 'user' at 0 /, 0);
    refused('event.original:x', "the field 'event.original' at 0 is stored but not indexed: it cannot be searched", 0);
  });

  it("refuses values their field's type cannot hold, naming the field", () => {
    refused(
      '@timestamp:yesterday',
      "'yesterday' at 11 is not an ISO 8601 date (e.g. 2026-11-28 or 2026-11-28T10:00:00Z), as the date field '@timestamp' needs",
      11,
    );
    refused('@timestamp < 2026-02-30', /^'2026-02-30' at 13 is not an ISO 8601 date .* '@timestamp' needs$/, 13);
    refused(
      'source.ip:10.0.0.x',
      "'10.0.0.x' at 10 is not an IP address or CIDR range, as the ip field 'source.ip' needs",
      10,
    );
    refused('source.ip:10.0.0.0/33', /^'10.0.0.0\/33' at 10 is not an IP address or CIDR range/, 10);
    refused('source.ip:"fe80::1%eth0"', /^'fe80::1%eth0' at 10 is not an IP address/, 10);
    refused(
      'source.ip >= 10.0.0.0/8',
      "'10.0.0.0/8' at 13 is not an IP address, as the ip field 'source.ip' needs",
      13,
    );
    refused('event.severity:high', "'high' at 15 is not a whole number, as the long field 'event.severity' needs", 15);
    refused('event.severity:1.5', /^'1.5' at 15 is not a whole number/, 15);
    refused('file.size:9223372036854775808', /^'9223372036854775808' at 10 is not a whole number/, 10);
    refused('labels.cde:yes', "'yes' at 11 is not true or false, as the boolean field 'labels.cde' needs", 11);
  });

  it('refuses wildcards outside keyword and text fields, and ranges on text and booleans', () => {
    refused('source.ip:10.*', "'source.ip' is an ip field: wildcards are for keyword and text fields (at 10)", 10);
    refused('@timestamp:2026*', /^'@timestamp' is a date field: wildcards/, 11);
    refused('event.severity:1?', /^'event.severity' is a long field: wildcards/, 15);
    refused('x message >= a', "'message' is a text field: it has no order for a range (at 2)", 2);
    refused('labels.cde:[false TO true]', /^'labels.cde' is a boolean field: it has no order/, 0);
  });
});
