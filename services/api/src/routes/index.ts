// Every route group of the API, in the order they are registered.
import type { RouteGroup } from '../app.js';
import { alertRoutes } from './alerts.js';
import { exceptionRoutes } from './exceptions.js';
import { exportRoutes } from './exports.js';
import { keyRoutes } from './keys.js';
import { reportRoutes } from './reports.js';
import { searchRoutes } from './search.js';
import { trailRoutes } from './trails.js';
import { uiRoutes } from './ui.js';

export const ROUTE_GROUPS: readonly RouteGroup[] = [
  searchRoutes,
  trailRoutes,
  alertRoutes,
  exceptionRoutes,
  exportRoutes,
  reportRoutes,
  keyRoutes,
  uiRoutes,
];
