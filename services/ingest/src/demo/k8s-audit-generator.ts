// What kube-apiserver's audit webhook backend posts: an audit.k8s.io/v1 EventList, for the demo feeder.
import { seededRandom } from './cloudtrail-generator.js';

interface Call {
  verb: string;
  uri: string;
  objectRef: Record<string, string>;
  code: number;
  user?: string;
}

const KUBECTL = 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350';

/** Reads of an ordinary day; the webhook at Metadata level records them too. */
const ROUTINE: Call[] = [
  {
    verb: 'list',
    uri: '/api/v1/namespaces/payments/pods',
    objectRef: { resource: 'pods', namespace: 'payments', apiVersion: 'v1' },
    code: 200,
  },
  {
    verb: 'get',
    uri: '/apis/apps/v1/namespaces/payments/deployments/checkout',
    objectRef: { resource: 'deployments', namespace: 'payments', name: 'checkout', apiGroup: 'apps', apiVersion: 'v1' },
    code: 200,
  },
  {
    verb: 'patch',
    uri: '/apis/apps/v1/namespaces/payments/deployments/checkout',
    objectRef: { resource: 'deployments', namespace: 'payments', name: 'checkout', apiGroup: 'apps', apiVersion: 'v1' },
    code: 200,
    user: 'system:serviceaccount:ci:deployer',
  },
];

/** PCI DSS 10.2.1.5 and 10.2.1.7 material: an RBAC grant of cluster-admin, a secret read, a namespace deleted. */
const SUSPICIOUS: Call[] = [
  {
    verb: 'create',
    uri: '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    objectRef: {
      resource: 'clusterrolebindings',
      name: 'bob-cluster-admin',
      apiGroup: 'rbac.authorization.k8s.io',
      apiVersion: 'v1',
    },
    code: 201,
    user: 'bob@example.com',
  },
  {
    verb: 'get',
    uri: '/api/v1/namespaces/payments/secrets/card-vault-token',
    objectRef: { resource: 'secrets', namespace: 'payments', name: 'card-vault-token', apiVersion: 'v1' },
    code: 200,
    user: 'bob@example.com',
  },
  {
    verb: 'delete',
    uri: '/api/v1/namespaces/audit-logging',
    objectRef: { resource: 'namespaces', name: 'audit-logging', apiVersion: 'v1' },
    code: 200,
    user: 'bob@example.com',
  },
];

export class K8sAuditGenerator {
  private readonly random: () => number;

  constructor(seed = 3) {
    this.random = seededRandom(seed);
  }

  private uuid(): string {
    const hex = Array.from({ length: 32 }, () => Math.floor(this.random() * 16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }

  private event(call: Call, time: Date): Record<string, unknown> {
    const user = call.user ?? 'alice@example.com';
    const serviceAccount = user.startsWith('system:serviceaccount:');
    return {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: 'Metadata',
      auditID: this.uuid(),
      stage: 'ResponseComplete',
      requestURI: call.uri,
      verb: call.verb,
      user: {
        username: user,
        groups: serviceAccount ? ['system:serviceaccounts', 'system:authenticated'] : ['system:authenticated'],
      },
      sourceIPs: [serviceAccount ? '10.0.3.14' : '198.51.100.10'],
      userAgent: serviceAccount ? 'argocd-application-controller/v2.11.3' : KUBECTL,
      objectRef: call.objectRef,
      responseStatus: { metadata: {}, code: call.code },
      requestReceivedTimestamp: time.toISOString().replace('Z', '000Z'),
      stageTimestamp: new Date(time.getTime() + 12).toISOString().replace('Z', '000Z'),
      annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
    };
  }

  /** One batch as the webhook backend sends it. */
  eventList(
    time: Date,
    suspicious: boolean,
  ): { kind: 'EventList'; apiVersion: 'audit.k8s.io/v1'; metadata: object; items: Record<string, unknown>[] } {
    const calls = suspicious ? [...ROUTINE, ...SUSPICIOUS] : ROUTINE;
    return {
      kind: 'EventList',
      apiVersion: 'audit.k8s.io/v1',
      metadata: {},
      items: calls.map((call, i) => this.event(call, new Date(time.getTime() + i * 1000))),
    };
  }
}
