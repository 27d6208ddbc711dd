import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkDetection, openAlert } from '../alerts/merge.js';
import { detection } from '../alerts/testing.js';
import { send } from './send.js';
import { slack } from './slack.js';
import { startReceiver, type Receiver } from './testing.js';

const alert = openAlert(
  checkDetection(
    detection('alert/7', {
      rule: { id: 'wazuh-sshd-brute-force', name: 'SSH brute force <sshd>', severity: 'critical' },
      pci_dss: { requirements: ['10.2.1.4', '10.2.1.5'] },
      entity: { type: 'ip', value: '203.0.113.66' },
      count: 8,
      evidence: { event_ids: ['w1', 'w2'] },
    }),
  ),
  '2026-11-28T10:00:01.000Z',
);

interface SlackMessage {
  text: string;
  blocks: {
    type: string;
    text?: { text: string };
    fields?: { type: string; text: string }[];
    elements?: { url: string }[];
  }[];
}

describe('slack notifier', () => {
  let receiver: Receiver;
  before(async () => (receiver = await startReceiver()));
  after(() => receiver.close());

  it('posts a message with text and blocks: rule, severity, entity, count, PCI DSS requirements and a link', async () => {
    const notifier = slack({ webhookUrl: receiver.url, alertUrl: 'https://sentrail.example/alerts/{id}' });
    assert.deepEqual(await send(notifier.request('alert.opened', alert, 'd'), 1000), { ok: true });
    const message = JSON.parse(receiver.received[0]!.body) as SlackMessage;
    const link = 'https://sentrail.example/alerts/alert%2F7';

    assert.match(
      message.text,
      /^:rotating_light: \[CRITICAL\] Alert opened: SSH brute force &lt;sshd&gt; — ip 203\.0\.113\.66/,
    );
    assert.ok(message.text.includes(link));
    const [header, section, actions] = message.blocks;
    assert.equal(header!.type, 'header');
    assert.equal(header!.text!.text, ':rotating_light: Alert opened: SSH brute force <sshd>');
    assert.deepEqual(
      section!.fields!.map((field) => field.text),
      [
        '*Rule*\nSSH brute force &lt;sshd&gt; (wazuh-sshd-brute-force)',
        '*Severity*\nCRITICAL',
        '*Entity*\nip: 203.0.113.66',
        '*Count*\n8 event(s), 2026-11-28T10:00:00.000Z – 2026-11-28T10:00:00.000Z',
        '*PCI DSS*\n10.2.1.4, 10.2.1.5',
        '*Status*\nopen',
      ],
    );
    assert.equal(actions!.elements![0]!.url, link);
  });

  it('hears of medium alerts and above, opened and closed, by default', () => {
    const { settings } = slack({ webhookUrl: receiver.url });
    assert.equal(settings.minLevel, 'medium');
    assert.deepEqual(settings.events, ['alert.opened', 'alert.closed']);
    assert.equal(settings.alertUrl, 'http://127.0.0.1:8080/alerts/{id}');
  });
});
