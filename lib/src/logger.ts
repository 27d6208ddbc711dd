import { ecsFormat } from '@elastic/ecs-pino-format';
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** ECS-formatted JSON logs on stdout, so Sentrail's own logs can go through an ECS pipeline unchanged. */
export function createLogger(serviceName: string, level: LevelWithSilent = 'info'): Logger {
  return pino({ ...ecsFormat({ serviceName, convertErr: true }), level });
}
