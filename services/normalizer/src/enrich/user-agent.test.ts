import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { enrichUserAgent, parseUserAgent } from './user-agent.js';

describe('user agent parsing', () => {
  const cases: [string, string, object][] = [
    [
      'the AWS CLI, with the OS it names',
      'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances',
      { name: 'aws-cli', version: '2.15.30', os: { name: 'Linux', version: '6.1.0' }, device: { name: 'Other' } },
    ],
    [
      'the AWS SDK for JavaScript, os/ taken from its metadata',
      'aws-sdk-js/3.540.0 ua/2.0 os/linux#6.1.0 lang/js md/nodejs#20.12.0 api/s3#3.540.0',
      { name: 'aws-sdk-js', version: '3.540.0', os: { name: 'linux', version: '6.1.0' }, device: { name: 'Other' } },
    ],
    [
      'Boto3',
      'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.2',
      { name: 'Boto3', version: '1.34.69', os: { name: 'linux', version: '6.1.0' }, device: { name: 'Other' } },
    ],
    [
      'kubectl, its v dropped from the version',
      'kubectl/v1.29.2 (linux/amd64) kubernetes/4b8e819',
      { name: 'kubectl', version: '1.29.2', os: { name: 'linux' }, device: { name: 'Other' } },
    ],
    [
      'Safari on a Mac (a console user)',
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
      { name: 'Safari', version: '17.4', os: { name: 'Mac OS', version: '14.4' }, device: { name: 'Apple Macintosh' } },
    ],
    [
      'Chrome on Windows',
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
      { name: 'Chrome', version: '124.0.0.0', os: { name: 'Windows', version: '10' }, device: { name: 'Other' } },
    ],
    [
      'an AWS service acting itself: no version, nothing invented',
      'cloudtrail.amazonaws.com',
      { device: { name: 'Other' } },
    ],
  ];
  for (const [what, original, expected] of cases) {
    it(what, () => assert.deepEqual(parseUserAgent(original), expected));
  }

  it('adds the fields beside the original and leaves a document without one alone', () => {
    const document = { user_agent: { original: 'Boto3/1.34.69 os/linux#6.1.0' } } as Parameters<
      typeof enrichUserAgent
    >[0];
    enrichUserAgent(document);
    assert.equal(document.user_agent?.name, 'Boto3');
    assert.equal(document.user_agent?.original, 'Boto3/1.34.69 os/linux#6.1.0');
    const bare = {} as Parameters<typeof enrichUserAgent>[0];
    enrichUserAgent(bare);
    assert.deepEqual(bare, {});
  });
});
