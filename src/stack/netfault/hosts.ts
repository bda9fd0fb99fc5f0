import fs from 'node:fs';
import { z } from 'zod';

/** One host of a `--hosts` stack: its network namespace and its address on the stack's bridge. */
export const netHostSchema = z.object({
  netns: z.string().regex(/^[\w.-]+$/, 'a namespace name'),
  ip: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, 'an IPv4 address'),
});
export const netHostsSchema = z.record(z.string(), netHostSchema);

export type NetHost = z.infer<typeof netHostSchema>;
/** stack.json's `hosts`: part name (as chaos names it) to its namespace and address. */
export type NetHosts = z.infer<typeof netHostsSchema>;

const stackNetSchema = z.object({
  hosts: netHostsSchema.optional(),
  temporalAddress: z.string().optional(),
  temporal: z.object({ address: z.string() }).optional(),
});

/** A stack file's `hosts` (a stack started with --hosts) and the address clients reach Temporal at. */
export function readStackNet(file: string): { hosts?: NetHosts; temporalAddress?: string } {
  try {
    const parsed = stackNetSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (!parsed.success) return {};
    const { hosts, temporal, temporalAddress } = parsed.data;
    return {
      hosts: hosts && Object.keys(hosts).length ? hosts : undefined,
      temporalAddress: temporal?.address ?? temporalAddress,
    };
  } catch {
    return {};
  }
}
