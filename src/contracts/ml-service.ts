import type { RouteTable } from './route';

/** The ML Service's routes (filled in as its handlers move onto contracts). */
export const ML_SERVICE_ROUTES = {} satisfies RouteTable;
