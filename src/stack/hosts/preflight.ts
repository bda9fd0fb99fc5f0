import { spawnSync } from 'node:child_process';

/**
 * What `--hosts` lacks on this machine, as one line, or null: namespaces and veth pairs need root and
 * iproute2's `ip`.
 */
export function hostsPrerequisiteMissing(): string | null {
  if (process.platform !== 'linux') return `--hosts needs Linux network namespaces; this is ${process.platform}`;
  if (process.getuid?.() !== 0) return '--hosts needs root (network namespaces, a bridge and veth pairs): run as root';
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) return "--hosts needs iproute2's 'ip' program on PATH: install Debian's iproute2";
  return null;
}
