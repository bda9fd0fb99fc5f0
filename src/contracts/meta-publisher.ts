import type { RouteTable } from './route';

/** The Meta Publisher's routes (filled in as its handlers move onto contracts). */
export const META_PUBLISHER_ROUTES = {} satisfies RouteTable;
