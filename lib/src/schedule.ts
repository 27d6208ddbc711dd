import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from './logger.js';

/**
 * What is wrong with a configured cron expression, naming its key, or undefined when cron can run
 * it; checked at start, so a bad one fails then rather than silently at the first tick.
 */
export function scheduleProblem(path: string, expression: string): string | undefined {
  const { errors } = cron.validateDetailed(expression);
  if (errors.length === 0) return undefined;
  return `${path}: not a valid cron expression: "${expression}" (${errors.map((error) => error.message).join('; ')})`;
}

/**
 * Runs `run` on a cron schedule, never two at once (a tick during a slow run is skipped); stop()
 * waits for the run in hand. Tests call runNow() instead of waiting for the schedule.
 */
export class ScheduledRuns {
  private task: ScheduledTask | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly schedule: string,
    private readonly run: () => Promise<unknown>,
    private readonly logger: Pick<Logger, 'error'>,
    /** Names the job in its log lines: `<name> run failed`. */
    private readonly name = 'scheduled',
  ) {}

  start(): void {
    this.task = cron.schedule(this.schedule, () => this.runNow(), { name: this.name });
  }

  /** Starts a run unless one is under way; a failed run is logged and the next tick tries again. */
  runNow(): Promise<void> {
    this.current ??= this.run()
      .then(
        () => undefined,
        (error: unknown) => this.logger.error({ err: error }, `${this.name} run failed`),
      )
      .finally(() => (this.current = undefined));
    return this.current;
  }

  async stop(): Promise<void> {
    await this.task?.destroy();
    await this.current;
  }
}
