import type { Pool } from 'pg';
import type { HttpDeps } from './http';

/** What every activity group is built from: the services' addresses, the HTTP pool and the database pool. */
export interface ActivityDeps extends HttpDeps {
  pool: Pool;
}
