import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createElastic, installTemplates } from '../elastic.js';
import { dropIndexPrefix, testConfig, uniqueName } from '../testing.js';
import { AlertExceptions } from './exceptions.js';

const prefix = uniqueName('test-exceptions');
const config = testConfig({ SENTRAIL_ELASTICSEARCH__INDEX_PREFIX: prefix });
const client = createElastic(config.elasticsearch);
const RULE = 'wazuh-sshd-brute-force';
const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000);

describe('AlertExceptions (real Elasticsearch)', () => {
  before(() => installTemplates(client, config.elasticsearch));
  after(async () => {
    await dropIndexPrefix(client, prefix);
    await client.close();
  });

  it('mutes nothing and lists nothing before any exception exists', async () => {
    const exceptions = new AlertExceptions(client, uniqueName('test-no-exceptions'));
    assert.equal(await exceptions.isMuted(RULE, '203.0.113.66'), false);
    assert.deepEqual(await exceptions.list(), []);
  });

  it('mutes the rule for the entity until the exception expires, and lists it while in force', async () => {
    const exceptions = new AlertExceptions(client, prefix);
    const scanner = uniqueName('198.51.100');
    const expiresAt = inHours(2);
    const created = await exceptions.create({
      ruleId: RULE,
      entityValue: scanner,
      reason: 'the quarterly ASV scan',
      by: 'alice',
      expiresAt,
    });
    assert.equal(await exceptions.isMuted(RULE, scanner), true);
    assert.equal(await exceptions.isMuted(RULE, 'someone-else'), false);
    assert.equal(await exceptions.isMuted('another-rule', scanner), false);
    assert.equal(await exceptions.isMuted(RULE, scanner, inHours(3)), false, 'expired by then');

    const listed = await exceptions.list();
    assert.deepEqual(
      listed.find((e) => e.id === created.id),
      created,
    );
    assert.equal(created.by, 'alice');
    assert.equal(created.expires_at, expiresAt.toISOString());
    assert.equal(
      (await exceptions.list(inHours(3))).some((e) => e.id === created.id),
      false,
      'not listed once expired',
    );
  });

  it('is seen by another instance once it reloads', async () => {
    const entity = uniqueName('user');
    const other = new AlertExceptions(client, prefix, { refreshMs: 0 });
    assert.equal(await other.isMuted(RULE, entity), false);
    await new AlertExceptions(client, prefix).create({
      ruleId: RULE,
      entityValue: entity,
      reason: 'service account under migration',
      by: 'bob',
      expiresAt: inHours(1),
    });
    assert.equal(await other.isMuted(RULE, entity), true);
  });

  it('refuses an exception without a reason, or one that has already expired', async () => {
    const exceptions = new AlertExceptions(client, prefix);
    const base = { ruleId: RULE, entityValue: 'x', reason: 'why', by: 'alice', expiresAt: inHours(1) };
    await assert.rejects(exceptions.create({ ...base, reason: ' ' }), /reason is required/);
    await assert.rejects(exceptions.create({ ...base, expiresAt: inHours(-1) }), /must be in the future/);
    await assert.rejects(exceptions.create({ ...base, expiresAt: 'never' }), /must be a timestamp/);
  });
});
