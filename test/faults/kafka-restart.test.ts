// Kafka restarted while records flow: producers and consumers reconnect, nothing is lost or doubled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFlow, server, steadyFlowWithFault } from './steady-flow.js';

describe('fault: Kafka restarted', () => {
  it('indexes every record exactly once and raises every alert once after the restart', async (t) => {
    const result = await steadyFlowWithFault(async () => {
      await server('stop', 'kafka');
      await server('start', 'kafka');
    });
    t.diagnostic(describeFlow(result));
    assert.ok(result.duringFault > 0, 'records arrived while Kafka was down');
  });
});
