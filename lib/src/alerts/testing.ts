// Fixtures for the alert and notifier tests.
import type { Detection } from './alert.js';

/** A detection of the demo's root console login: one event, rule level high. */
export function detection(id: string, overrides: Partial<Detection> = {}): Detection {
  return {
    alert: { id },
    rule: { id: 'aws-root-console-login', name: 'AWS root account console login', severity: 'high' },
    pci_dss: { requirements: ['10.2.1.2'] },
    entity: { type: 'user', value: 'root' },
    first_seen: '2026-11-28T10:00:00.000Z',
    last_seen: '2026-11-28T10:00:00.000Z',
    count: 1,
    evidence: { event_ids: ['evt-1'] },
    ...overrides,
  };
}

/** `base` plus `minutes`, as an ISO timestamp. */
export const minutesAfter = (base: string, minutes: number) =>
  new Date(Date.parse(base) + minutes * 60_000).toISOString();
