import type { RouteTable } from './route';

/** The Titan-Core's routes (filled in as its handlers move onto contracts). */
export const TITAN_CORE_ROUTES = {} satisfies RouteTable;
