// Wazuh manager alerts as alerts.json holds them (one JSON object a line), for the demo feeder.
import { seededRandom } from './cloudtrail-generator.js';

const AGENTS = [
  { id: '001', name: 'payments-api-1', ip: '10.0.1.21' },
  { id: '002', name: 'payments-db-1', ip: '10.0.2.30' },
  { id: '003', name: 'bastion-1', ip: '10.0.0.5' },
];

interface WazuhRule {
  level: number;
  description: string;
  id: string;
  groups: string[];
  pci_dss: string[];
  mitre?: { id: string[]; tactic: string[]; technique: string[] };
}

const SSH_FAILED: WazuhRule = {
  level: 5,
  description: 'sshd: authentication failed.',
  id: '5760',
  groups: ['syslog', 'sshd', 'authentication_failed'],
  pci_dss: ['10.2.4', '10.2.5'],
  mitre: { id: ['T1110.001'], tactic: ['Credential Access'], technique: ['Password Guessing'] },
};
const FIM_CHANGED: WazuhRule = {
  level: 7,
  description: 'Integrity checksum changed.',
  id: '550',
  groups: ['ossec', 'syscheck', 'syscheck_entry_modified', 'syscheck_file'],
  pci_dss: ['11.5'],
};
const AGENT_STOPPED: WazuhRule = {
  level: 3,
  description: 'Wazuh agent stopped.',
  id: '506',
  groups: ['wazuh', 'agent_stopped'],
  pci_dss: ['10.6.1', '10.2.6'],
};

export class WazuhGenerator {
  private readonly random: () => number;
  private counter = 0;

  constructor(seed = 2) {
    this.random = seededRandom(seed);
  }

  private alert(time: Date, rule: WazuhRule, extra: Record<string, unknown>): Record<string, unknown> {
    const agent = AGENTS[Math.floor(this.random() * AGENTS.length)]!;
    this.counter++;
    const seconds = Math.floor(time.getTime() / 1000);
    return {
      timestamp: time.toISOString().replace('Z', '+0000'),
      rule: { ...rule, firedtimes: this.counter, mail: false },
      agent,
      manager: { name: 'wazuh-manager' },
      id: `${seconds}.${100000 + this.counter}`,
      decoder: { name: rule.groups.includes('sshd') ? 'sshd' : rule.groups[0] },
      location: rule.groups.includes('syscheck') ? 'syscheck' : '/var/log/auth.log',
      ...extra,
    };
  }

  /** Ordinary noise plus, now and then, what should alert: SSH brute force, a changed log file, a stopped agent. */
  alerts(time: Date, suspicious: boolean): Record<string, unknown>[] {
    const sshFailure = (offset: number) =>
      this.alert(new Date(time.getTime() + offset * 1000), SSH_FAILED, {
        full_log: `Nov 28 10:00:0${offset % 10} bastion-1 sshd[4242]: Failed password for invalid user admin from 203.0.113.66 port 52${offset}11 ssh2`,
        data: { srcip: '203.0.113.66', srcport: `52${offset}11`, dstuser: 'admin' },
        predecoder: { program_name: 'sshd', timestamp: 'Nov 28 10:00:00', hostname: 'bastion-1' },
      });
    if (!suspicious) return [sshFailure(0)];
    return [
      ...Array.from({ length: 8 }, (_, i) => sshFailure(i)),
      this.alert(new Date(time.getTime() + 20_000), FIM_CHANGED, {
        syscheck: {
          path: '/var/log/audit/audit.log',
          mode: 'realtime',
          event: 'modified',
          size_before: '10240',
          size_after: '512',
          sha256_after: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
        },
      }),
      this.alert(new Date(time.getTime() + 30_000), AGENT_STOPPED, {
        full_log: "ossec: Agent stopped: 'payments-db-1->any'.",
      }),
    ];
  }
}
