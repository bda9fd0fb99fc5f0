import type { RunningStack } from '../../src/stack/stack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __TEST_STACK__?: RunningStack }).__TEST_STACK__;
  await stack?.stop();
}
