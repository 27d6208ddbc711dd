import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AlertStateError } from './errors.js';
import { assign, changeStatus } from './lifecycle.js';
import { checkDetection, openAlert } from './merge.js';
import { detection } from './testing.js';

const opened = openAlert(checkDetection(detection('a-1')), '2026-11-28T10:00:00.000Z');
const at = '2026-11-28T11:00:00.000Z';

describe('alert lifecycle', () => {
  it('goes open → acknowledged → closed, recording who, when and why', () => {
    const acknowledged = changeStatus(opened, 'acknowledged', { by: 'alice', at });
    const closed = changeStatus(acknowledged, 'closed', { by: 'bob', at, note: 'expected maintenance' });
    assert.equal(closed.status, 'closed');
    assert.deepEqual(closed.status_history.slice(1), [
      { status: 'acknowledged', by: 'alice', at },
      { status: 'closed', by: 'bob', at, note: 'expected maintenance' },
    ]);
  });

  it('records how long the acknowledgement and the close took from the opening', () => {
    const acknowledged = changeStatus(opened, 'acknowledged', { by: 'alice', at });
    const closed = changeStatus(acknowledged, 'closed', { by: 'bob', at: '2026-11-28T12:30:00.000Z' });
    assert.deepEqual(closed.response, {
      acknowledged_at: at,
      time_to_acknowledge_ms: 3_600_000,
      closed_at: '2026-11-28T12:30:00.000Z',
      time_to_close_ms: 9_000_000,
    });
    const closedAtOnce = changeStatus(opened, 'closed', { by: 'alice', at });
    assert.equal(closedAtOnce.response?.time_to_acknowledge_ms, undefined, 'never acknowledged');
  });

  it('may close an open alert directly', () => {
    assert.equal(changeStatus(opened, 'closed', { by: 'alice', at }).status, 'closed');
  });

  it('refuses changes the status does not allow, saying why', () => {
    const closed = changeStatus(opened, 'closed', { by: 'alice', at });
    assert.throws(
      () => changeStatus(closed, 'acknowledged', { by: 'alice', at }),
      (error: unknown) =>
        error instanceof AlertStateError &&
        error.message === "alert 'a-1': cannot go from closed to acknowledged: it can no longer change",
    );
    const acknowledged = changeStatus(opened, 'acknowledged', { by: 'alice', at });
    assert.throws(() => changeStatus(acknowledged, 'acknowledged', { by: 'bob', at }), /it can only be closed/);
    assert.throws(() => changeStatus(acknowledged, 'open', { by: 'bob', at }), AlertStateError);
  });

  it('assigns an alert that is not closed, recording the assignment', () => {
    const assigned = assign(opened, 'carol', { by: 'alice', at, note: 'on call' });
    assert.equal(assigned.assignee, 'carol');
    assert.deepEqual(assigned.status_history.at(-1), {
      status: 'open',
      by: 'alice',
      at,
      assignee: 'carol',
      note: 'on call',
    });
    const closed = changeStatus(assigned, 'closed', { by: 'carol', at });
    assert.throws(() => assign(closed, 'dave', { by: 'alice', at }), /a closed alert cannot be assigned/);
    assert.throws(() => assign(opened, '', { by: 'alice', at }), /the assignee is required/);
  });
});
