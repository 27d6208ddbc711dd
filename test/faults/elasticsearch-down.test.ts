// Elasticsearch stopped for 30 s while records flow: the normalizer pauses and retries, commits
// nothing it has not indexed, and the correlator's alert writes wait; afterwards nothing is missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFlow, server, sleep, steadyFlowWithFault } from './steady-flow.js';

describe('fault: Elasticsearch down for 30 s', () => {
  it('indexes every record exactly once and raises every alert once after it is back', async (t) => {
    const result = await steadyFlowWithFault(async () => {
      await server('stop', 'elasticsearch');
      await sleep(30_000);
      await server('start', 'elasticsearch');
    });
    t.diagnostic(describeFlow(result));
    assert.ok(result.duringFault > 0, 'records arrived while Elasticsearch was down');
  });
});
