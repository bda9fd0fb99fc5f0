import fs from 'node:fs';
import { z } from 'zod';

export const childStatusSchema = z.object({
  name: z.string(),
  state: z.enum(['starting', 'running', 'restarting', 'failed', 'stopped']),
  pid: z.number().int().optional(),
  /** The command line the pid ran when it was started, so a reused pid is never taken for the child. */
  cmdline: z.string().optional(),
  /** The real server under a wrapper process (PostgreSQL's postmaster). */
  inner_pid: z.number().int().optional(),
  restarts: z.number().int().nonnegative(),
  log_file: z.string().optional(),
  last_exit: z.object({ at: z.string(), code: z.number().nullable(), signal: z.string().nullable() }).optional(),
});

export type ChildStatus = z.infer<typeof childStatusSchema>;

/** Which Temporal the stack started: the dev server or the official server's roles, its version and addresses. */
export const stackTemporalSchema = z.object({
  kind: z.enum(['dev', 'cluster']),
  /** The Temporal server's version (for the dev server, the one its CLI embeds). */
  version: z.string(),
  address: z.string(),
  ui_url: z.string(),
  /** The cluster's roles by name (frontend, history, matching, worker): gRPC address and server metrics. */
  roles: z.record(z.string(), z.object({ address: z.string(), metrics_url: z.string().optional() })).optional(),
});

/** `.data/stack.json`: the addresses clients use, and the supervised processes with their restarts. */
export const stackFileSchema = z.object({
  temporalAddress: z.string(),
  temporalNamespace: z.string().default('default'),
  /** Unknown for a Temporal the stack did not start (TEMPORAL_ADDRESS without TEMPORAL_UI_URL). */
  temporalUiUrl: z.string().optional(),
  databaseUrl: z.string().optional(),
  /** Absent when the stack uses a Temporal it did not start (TEMPORAL_ADDRESS). */
  temporal: stackTemporalSchema.optional(),
  services: z.record(z.string(), z.string()),
  /** The stack's Prometheus (`npm run stack -- --monitoring`). */
  prometheusUrl: z.string().optional(),
  /** Each process's metrics endpoint, by the stack's name for it. */
  metrics: z.record(z.string(), z.string()).optional(),
  /** With --hosts: each part's network namespace and address (part names as chaos targets name them). */
  hosts: z.record(z.string(), z.object({ netns: z.string(), ip: z.string() })).optional(),
  /** The process that owns (supervises) the stack. */
  pid: z.number().int().optional(),
  startedAt: z.string().optional(),
  restarts_total: z.number().int().nonnegative().default(0),
  processes: z.array(childStatusSchema).default([]),
});

export type StackFile = z.infer<typeof stackFileSchema>;

/** Written to a temporary file and renamed, so a reader never sees half of it. */
export function writeStackFile(file: string, content: StackFile): void {
  const partial = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(partial, JSON.stringify(content, null, 2) + '\n');
  fs.renameSync(partial, file);
}

/** The stack file, when there is one that parses; undefined otherwise. */
export function readStackFileContent(file: string): StackFile | undefined {
  try {
    const parsed = stackFileSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
