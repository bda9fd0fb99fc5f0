import path from 'node:path';

/**
 * The integration tests' own stack: its own data folder and ports 10000 above the defaults.
 * GV_TEST_PORT_OFFSET and GV_TEST_DATA_DIR move it, so two test runs on one machine do not collide.
 */
export const TEST_DATA_DIR = path.resolve(process.env.GV_TEST_DATA_DIR ?? path.join(__dirname, '../../.data/test'));
export const TEST_PORT_OFFSET = Number(process.env.GV_TEST_PORT_OFFSET ?? 10_000);
export const TEST_STACK_FILE = path.join(TEST_DATA_DIR, 'stack.json');
export const TEST_BUNDLE_FILE = path.join(TEST_DATA_DIR, 'bundle-path.txt');
