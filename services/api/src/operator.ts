// Who runs a command at this machine: what a command with no API key records as the actor (the
// creator of an API key, the requester of a report).
import { hostname, userInfo } from 'node:os';

/** `user@host (sentrail <command>)`. */
export function operator(command: string): string {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    // A container user with no passwd entry has no name; the host still says where.
  }
  return `${user}@${hostname()} (sentrail ${command})`;
}
