import type { RouteTable } from './route';

/** The Drive Intel's routes (filled in as its handlers move onto contracts). */
export const DRIVE_INTEL_ROUTES = {} satisfies RouteTable;
