// Each service SIGKILLed mid-batch and started again: what it held uncommitted is done again, and
// the idempotent writes make the repeat invisible (DESIGN.md §6).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceName } from '@sentrail/bench/dist/lib/pipeline-rig.js';
import { describeFlow, sleep, steadyFlowWithFault } from './steady-flow.js';

const SERVICES: ServiceName[] = ['ingest', 'normalizer', 'correlator'];

describe('fault: a service killed with SIGKILL mid-batch', () => {
  for (const name of SERVICES) {
    it(`${name}: loses nothing and duplicates nothing after its restart`, async (t) => {
      const result = await steadyFlowWithFault(async (rig) => {
        await rig.kill(name);
        // Down for a while, so work piles up for it.
        await sleep(3000);
        await rig.launch(name);
      });
      t.diagnostic(describeFlow(result));
      assert.ok(result.duringFault > 0, `records arrived while the ${name} was down`);
    });
  }
});
