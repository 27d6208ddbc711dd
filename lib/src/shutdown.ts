import type { Logger } from './logger.js';

export type ShutdownStep = () => Promise<void> | void;

export interface Shutdown {
  /** Register a step; steps run in reverse order, so what started last (taking work) stops first. */
  add(name: string, step: ShutdownStep): void;
  /** Runs every step once, however often it is called; resolves when all have finished or timed out. */
  run(reason: string): Promise<void>;
  readonly stopping: boolean;
}

export interface ShutdownOptions {
  /** Longest time the steps may take together before the process gives up on them. */
  timeoutMs?: number;
}

export function createShutdown(logger: Logger, { timeoutMs = 30_000 }: ShutdownOptions = {}): Shutdown {
  const steps: { name: string; step: ShutdownStep }[] = [];
  let running: Promise<void> | undefined;

  async function runSteps(): Promise<void> {
    for (const { name, step } of [...steps].reverse()) {
      try {
        await step();
        logger.info({ step: name }, 'shutdown step done');
      } catch (error) {
        logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    }
  }

  return {
    add(name, step) {
      steps.push({ name, step });
    },
    run(reason) {
      if (running) return running;
      logger.info({ reason }, 'shutting down');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`shutdown took longer than ${timeoutMs} ms`)), timeoutMs);
      });
      running = Promise.race([runSteps(), timeout]).finally(() => clearTimeout(timer));
      return running;
    },
    get stopping() {
      return running !== undefined;
    },
  };
}

/**
 * SIGTERM/SIGINT run the shutdown and exit 0 (1 if a step timed out); a second signal exits at once,
 * for the operator who does not want to wait.
 */
export function exitOnSignals(shutdown: Shutdown, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (shutdown.stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    shutdown.run(signal).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown did not finish');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
