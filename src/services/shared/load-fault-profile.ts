import fs from 'node:fs';
import { BUILT_IN_PROFILES, faultProfileSchema, type FaultProfile } from '../../contracts/fault-profile';

/** A built-in profile by name, or a JSON file; throws a message naming the valid choices. */
export function loadFaultProfile(nameOrFile: string): FaultProfile {
  const builtIn = BUILT_IN_PROFILES[nameOrFile];
  if (builtIn) return builtIn;
  const choices = `${Object.keys(BUILT_IN_PROFILES).join(', ')}, or a path to a JSON profile`;
  if (!nameOrFile.endsWith('.json') && !fs.existsSync(nameOrFile)) {
    throw new Error(`unknown fault profile '${nameOrFile}': valid are ${choices}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(nameOrFile, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read fault profile ${nameOrFile}: ${(err as Error).message}`);
  }
  const parsed = faultProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`bad fault profile ${nameOrFile}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}
