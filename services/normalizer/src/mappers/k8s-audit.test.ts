import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RawMeta } from '../mapper.js';
import { MAPPER_INPUTS } from './index.js';
import { k8sAudit } from './k8s-audit.js';

const meta: RawMeta = { ...MAPPER_INPUTS.k8sAudit, origin: 'test', receivedAt: '2026-11-28T12:00:00.000Z' };
const event = (extra: Record<string, unknown>) => ({
  auditID: 'a1',
  stage: 'ResponseComplete',
  verb: 'get',
  user: { username: 'alice' },
  requestReceivedTimestamp: '2026-11-28T10:00:00.000000Z',
  ...extra,
});

describe('kubernetes audit mapper', () => {
  it('maps a request to a non-resource URL by its path', () => {
    const { document } = k8sAudit(event({ requestURI: '/readyz?verbose', responseStatus: { code: 200 } }), meta);
    assert.equal(document.event.action, 'get');
    assert.deepEqual(document.resource, { id: '/readyz' });
  });

  it('knows a denial before the response from the authorization decision alone', () => {
    const annotations = { 'authorization.k8s.io/decision': 'forbid' };
    const { document } = k8sAudit(event({ stage: 'RequestReceived', annotations }), meta);
    assert.equal(document.event.outcome, 'failure');
    assert.equal(k8sAudit(event({ stage: 'RequestReceived' }), meta).document.event.outcome, 'unknown');
  });

  it('refuses an annotation that is not a string', () => {
    const annotations = { 'authorization.k8s.io/decision': 1 };
    assert.throws(() => k8sAudit(event({ annotations }), meta), /authorization\.k8s\.io\/decision/);
  });
});
