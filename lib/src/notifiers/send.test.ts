import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { send } from './send.js';
import { closedPort, startReceiver, type Answered, type Receiver } from './testing.js';

const request = (url: string) => ({ url, headers: { 'content-type': 'application/json' }, body: '{}' });

describe('send', () => {
  let receiver: Receiver;
  let status: Answered = 200;
  before(async () => (receiver = await startReceiver(() => status)));
  after(() => receiver.close());

  const answered = async (code: Answered) => {
    status = code;
    return send(request(receiver.url), 1000);
  };

  it('is delivered on any 2xx', async () => {
    assert.deepEqual(await answered(200), { ok: true });
    assert.deepEqual(await answered(202), { ok: true });
  });

  it('is worth another attempt on 5xx, 408 and 429, and says what the receiver answered', async () => {
    assert.deepEqual(await answered(503), { ok: false, permanent: false, error: 'HTTP 503: answered 503' });
    for (const code of [500, 502, 408, 429]) {
      const delivery = await answered(code);
      assert.ok(!delivery.ok && !delivery.permanent, `HTTP ${code}`);
    }
  });

  it("waits at least the receiver's Retry-After", async () => {
    const delivery = await answered({ status: 429, headers: { 'retry-after': '7' } });
    assert.ok(!delivery.ok && delivery.retryAfterMs === 7000);
  });

  it('fails for good on any other 4xx', async () => {
    for (const code of [400, 401, 403, 404, 410]) {
      const delivery = await answered(code);
      assert.ok(!delivery.ok && delivery.permanent, `HTTP ${code}`);
    }
  });

  it('is worth another attempt when nothing answers', async () => {
    const delivery = await send(request(`http://127.0.0.1:${await closedPort()}/hook`), 1000);
    assert.ok(!delivery.ok && !delivery.permanent);
    assert.match(delivery.error, /ECONNREFUSED/);
  });
});
