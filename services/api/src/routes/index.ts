// Every route group of the API, in the order they are registered.
import type { RouteGroup } from '../app.js';

export const ROUTE_GROUPS: readonly RouteGroup[] = [];
