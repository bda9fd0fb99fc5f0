/** The platform's six services: one registry read by the stack, the activities and the docs. */
export const SERVICES = {
  gateway: { port: 8000, title: 'Gateway' },
  'drive-intel': { port: 8001, title: 'Drive Intel' },
  'video-agent': { port: 8002, title: 'Video Agent' },
  'meta-publisher': { port: 8003, title: 'Meta Publisher' },
  'ml-service': { port: 8004, title: 'ML Service' },
  'titan-core': { port: 8005, title: 'Titan-Core' },
} as const;

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** `SERVICE_URL_DRIVE_INTEL` for `drive-intel`. */
export function serviceUrlEnvName(name: ServiceName): string {
  return `SERVICE_URL_${name.toUpperCase().replace(/-/g, '_')}`;
}
