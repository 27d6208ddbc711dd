// SQS delivers at least once: here every file is announced twice, and for a while another reader
// takes messages and gives them back unprocessed, as a consumer that dies mid-message would.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describeFlow, steadyFlowWithFault } from './steady-flow.js';

describe('fault: SQS redelivers messages', () => {
  it('indexes every record of a file delivered many times exactly once', async (t) => {
    let released = 0;
    const result = await steadyFlowWithFault(async (rig) => {
      const until = Date.now() + 15_000;
      while (Date.now() < until) {
        const { Messages = [] } = await rig.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: rig.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        for (const message of Messages) {
          // Announced again, and the taken message back on the queue at once: two more receives.
          await rig.sendToQueue(message.Body!);
          await rig.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: rig.queueUrl,
              ReceiptHandle: message.ReceiptHandle!,
              VisibilityTimeout: 0,
            }),
          );
          released++;
        }
      }
    });
    t.diagnostic(describeFlow(result));
    assert.ok(result.duringFault > 0);
    assert.ok(released > 0, 'messages were taken and given back');
  });
});
