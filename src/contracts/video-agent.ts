import type { RouteTable } from './route';

/** The Video Agent's routes (filled in as its handlers move onto contracts). */
export const VIDEO_AGENT_ROUTES = {} satisfies RouteTable;
