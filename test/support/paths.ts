import path from 'node:path';

/** The integration tests' own stack: its own data folder and ports 10000 above the defaults. */
export const TEST_DATA_DIR = path.resolve(__dirname, '../../.data/test');
export const TEST_PORT_OFFSET = 10_000;
export const TEST_STACK_FILE = path.join(TEST_DATA_DIR, 'stack.json');
export const TEST_BUNDLE_FILE = path.join(TEST_DATA_DIR, 'bundle-path.txt');
