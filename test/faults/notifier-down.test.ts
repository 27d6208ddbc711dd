// The webhook endpoint answers 503 for a while: the outbox keeps each notification pending and
// delivers it once the endpoint is back; none is lost, none is sent for an alert twice opened.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFlow, sleep, steadyFlowWithFault } from './steady-flow.js';

describe('fault: a notifier endpoint down for a while', () => {
  it('delivers every alert once the endpoint is back', async (t) => {
    let refused = 0;
    const result = await steadyFlowWithFault(
      async (rig) => {
        rig.receiverUp = false;
        await sleep(20_000);
        rig.receiverUp = true;
      },
      { faultAfterMs: 2000 },
      async (rig) => {
        refused = rig.refused;
        const opened = rig.received.filter(({ event }) => event === 'alert.opened').map(({ alert }) => alert.alert.id);
        assert.equal(new Set(opened).size, opened.length, 'no alert announced as opened twice');
      },
    );
    t.diagnostic(`${describeFlow(result)}; ${refused} notifications refused while down`);
    assert.ok(result.alerts > 0, 'the corpus raises alerts');
    assert.ok(refused > 0, 'notifications were refused while the endpoint was down');
  });
});
