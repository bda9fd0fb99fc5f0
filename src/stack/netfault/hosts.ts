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

/** The `hosts` of a stack file, when it has any that parse (a stack started with --hosts); undefined otherwise. */
export function readStackHosts(file: string): NetHosts | undefined {
  try {
    const parsed = netHostsSchema.safeParse((JSON.parse(fs.readFileSync(file, 'utf8')) as { hosts?: unknown }).hosts);
    return parsed.success && Object.keys(parsed.data).length ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
