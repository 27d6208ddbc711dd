// Realistic CloudTrail records for the demo feeder and the benchmark corpus. Seeded, so a corpus
// is the same on every run; shapes follow real CloudTrail records (eventVersion 1.08/1.09).

export type CloudTrailRecord = Record<string, unknown> & { eventID: string; eventTime: string };

/** Small, fast, seedable PRNG (mulberry32): the same seed gives the same corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_ACCOUNT = '111122223333';
export const DEMO_REGION = 'eu-west-1';

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'deploy-bot'];
const ROLES = ['OrganizationAccountAccessRole', 'ci-deployer', 'payments-app', 'readonly-auditor'];
const OFFICE_IPS = ['198.51.100.10', '198.51.100.11', '198.51.100.12'];
export const ATTACKER_IP = '203.0.113.66';
const AGENTS = [
  'aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0 exe/x86_64.debian.12 prompt/off command/ec2.describe-instances',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'aws-sdk-js/3.540.0 ua/2.0 os/linux#6.1.0 lang/js md/nodejs#20.12.0 api/s3#3.540.0',
  'Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.2',
  'terraform-provider-aws/5.43.0 (+https://registry.terraform.io/providers/hashicorp/aws)',
];

interface Call {
  eventSource: string;
  eventName: string;
  readOnly: boolean;
  requestParameters: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: { ARN: string; accountId: string; type: string }[];
  /** Made by an application's role session rather than a person (the allow-listed reader of card data). */
  role?: string;
}

/** Ordinary activity: mostly reads, some writes, as a busy account produces. */
const ROUTINE: ((pick: <T>(items: T[]) => T, users: string[]) => Call)[] = [
  (pick) => ({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    readOnly: true,
    requestParameters: {
      instancesSet: {},
      filterSet: { items: [{ name: 'tag:team', valueSet: { items: [{ value: pick(['payments', 'web']) }] } }] },
    },
  }),
  (pick) => {
    const key = `statements/2026/${pick(['01', '02', '03'])}/${pick(['a', 'b', 'c'])}.pdf`;
    return {
      eventSource: 's3.amazonaws.com',
      eventName: 'GetObject',
      readOnly: true,
      role: 'statement-renderer',
      requestParameters: {
        bucketName: 'cardholder-statements',
        key,
        Host: 'cardholder-statements.s3.eu-west-1.amazonaws.com',
      },
      resources: [
        { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::cardholder-statements/${key}`, accountId: DEMO_ACCOUNT },
        { type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::cardholder-statements', accountId: DEMO_ACCOUNT },
      ],
    };
  },
  (pick, users) => ({
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    readOnly: true,
    requestParameters: {
      roleArn: `arn:aws:iam::${DEMO_ACCOUNT}:role/${pick(ROLES)}`,
      roleSessionName: pick(users),
      durationSeconds: 3600,
    },
  }),
  () => ({
    eventSource: 'kms.amazonaws.com',
    eventName: 'Decrypt',
    readOnly: true,
    requestParameters: { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' },
  }),
  (pick) => ({
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    readOnly: false,
    requestParameters: {
      instanceType: pick(['t3.micro', 'm6i.large']),
      instancesSet: { items: [{ imageId: 'ami-0abcdef1234567890', minCount: 1, maxCount: 1 }] },
    },
    responseElements: {
      instancesSet: { items: [{ instanceId: pick(['i-0a1b2c3d4e5f60718', 'i-0f9e8d7c6b5a40392']) }] },
    },
  }),
  (pick) => ({
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    readOnly: true,
    requestParameters: pick([null, { maxItems: 100 }]),
  }),
];

export class CloudTrailGenerator {
  private readonly random: () => number;
  private sequence = 0;

  constructor(
    seed = 1,
    private readonly account = DEMO_ACCOUNT,
    private readonly region = DEMO_REGION,
    /** Who does the routine activity; the suspicious sequences always involve bob and root. */
    private readonly users = USERS,
  ) {
    this.random = seededRandom(seed);
  }

  private pick = <T>(items: T[]): T => items[Math.floor(this.random() * items.length)]!;

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private identity(user: string, role?: string): Record<string, unknown> {
    if (role) {
      const roleId = `AROA${role
        .toUpperCase()
        .replace(/[^A-Z]/g, '')
        .padEnd(17, 'X')
        .slice(0, 17)}`;
      return {
        type: 'AssumedRole',
        principalId: `${roleId}:${user}`,
        arn: `arn:aws:sts::${this.account}:assumed-role/${role}/${user}`,
        accountId: this.account,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: roleId,
            arn: `arn:aws:iam::${this.account}:role/${role}`,
            accountId: this.account,
            userName: role,
          },
          attributes: { creationDate: '2026-11-28T00:00:00Z', mfaAuthenticated: 'false' },
        },
      };
    }
    if (user === 'root') {
      return {
        type: 'Root',
        principalId: this.account,
        arn: `arn:aws:iam::${this.account}:root`,
        accountId: this.account,
      };
    }
    return {
      type: 'IAMUser',
      principalId: `AIDA${user.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
      arn: `arn:aws:iam::${this.account}:user/${user}`,
      accountId: this.account,
      accessKeyId: `AKIA${user.toUpperCase().padEnd(16, '7').slice(0, 16)}`,
      userName: user,
    };
  }

  /** One record of the given call, or of routine activity. */
  record(time: Date, call?: Call, user = this.pick(this.users), sourceIp = this.pick(OFFICE_IPS)): CloudTrailRecord {
    const chosen = call ?? this.pick(ROUTINE)(this.pick, this.users);
    this.sequence++;
    return {
      eventVersion: '1.09',
      userIdentity: this.identity(chosen.role ? `${chosen.role}-session` : user, chosen.role),
      eventTime: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      eventSource: chosen.eventSource,
      eventName: chosen.eventName,
      awsRegion: this.region,
      sourceIPAddress: sourceIp,
      userAgent: this.pick(AGENTS),
      requestParameters: chosen.requestParameters,
      responseElements: chosen.responseElements ?? null,
      requestID: this.uuid(),
      eventID: this.uuid(),
      readOnly: chosen.readOnly,
      ...(chosen.resources ? { resources: chosen.resources } : {}),
      eventType: 'AwsApiCall',
      managementEvent: chosen.eventSource !== 's3.amazonaws.com',
      recipientAccountId: this.account,
      eventCategory: chosen.eventSource === 's3.amazonaws.com' ? 'Data' : 'Management',
      tlsDetails: {
        tlsVersion: 'TLSv1.3',
        cipherSuite: 'TLS_AES_128_GCM_SHA256',
        clientProvidedHostHeader: `${chosen.eventSource.split('.')[0]}.${this.region}.amazonaws.com`,
      },
    };
  }

  private consoleLogin(time: Date, user: string, sourceIp: string, success: boolean): CloudTrailRecord {
    return {
      ...this.record(
        time,
        { eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', readOnly: false, requestParameters: null },
        user,
        sourceIp,
      ),
      eventType: 'AwsConsoleSignIn',
      responseElements: { ConsoleLogin: success ? 'Success' : 'Failure' },
      additionalEventData: {
        LoginTo: 'https://console.aws.amazon.com/console/home',
        MobileVersion: 'No',
        MFAUsed: user === 'root' ? 'No' : 'Yes',
      },
      ...(success ? {} : { errorMessage: 'Failed authentication' }),
    };
  }

  /**
   * Behaviour that should raise alerts (PCI DSS 10.2.1.x): a console brute force ending in success,
   * root console use, StopLogging, a new access key, a security group opened to the world.
   */
  suspicious(time: Date): CloudTrailRecord[] {
    const at = (seconds: number) => new Date(time.getTime() + seconds * 1000);
    const bruteForce = Array.from({ length: 6 }, (_, i) => this.consoleLogin(at(i * 5), 'bob', ATTACKER_IP, i === 5));
    return [
      ...bruteForce,
      this.consoleLogin(at(40), 'root', ATTACKER_IP, true),
      this.record(
        at(60),
        {
          eventSource: 'cloudtrail.amazonaws.com',
          eventName: 'StopLogging',
          readOnly: false,
          requestParameters: { name: `arn:aws:cloudtrail:${this.region}:${this.account}:trail/management` },
        },
        'bob',
        ATTACKER_IP,
      ),
      this.record(
        at(75),
        {
          eventSource: 'iam.amazonaws.com',
          eventName: 'CreateAccessKey',
          readOnly: false,
          requestParameters: { userName: 'deploy-bot' },
          responseElements: {
            accessKey: {
              userName: 'deploy-bot',
              accessKeyId: 'AKIAEXAMPLENEWKEY01',
              status: 'Active',
              createDate: at(75).toISOString(),
            },
          },
        },
        'bob',
        ATTACKER_IP,
      ),
      this.record(
        at(90),
        {
          eventSource: 'ec2.amazonaws.com',
          eventName: 'AuthorizeSecurityGroupIngress',
          readOnly: false,
          requestParameters: {
            groupId: 'sg-0123456789abcdef0',
            ipPermissions: {
              items: [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
            },
          },
          responseElements: { _return: true },
        },
        'bob',
        ATTACKER_IP,
      ),
    ];
  }

  /** `count` routine records spread evenly from `start` over `spanMs`. */
  routine(start: Date, count: number, spanMs = 5 * 60_000): CloudTrailRecord[] {
    return Array.from({ length: count }, (_, i) =>
      this.record(new Date(start.getTime() + Math.floor((i * spanMs) / Math.max(1, count)))),
    );
  }

  /** The S3 key CloudTrail would deliver a log file under, for this account, region and time. */
  logFileKey(time: Date, prefix = ''): string {
    const iso = time.toISOString();
    const [date] = iso.split('T');
    const [year, month, day] = date!.split('-');
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
    const unique = Array.from({ length: 16 }, () =>
      this.pick([...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz']),
    ).join('');
    return `${prefix}AWSLogs/${this.account}/CloudTrail/${this.region}/${year}/${month}/${day}/${this.account}_CloudTrail_${this.region}_${stamp}_${unique}.json.gz`;
  }
}
