import path from 'node:path';
import type { Browser } from 'playwright-core';
import { webUiLinks } from '../../src/cli/format';
import { ARTIFACTS, launchChromium } from '../support/browser';
import { childWorkflowId } from '../support/runs';
import { useTestStack } from '../support/stack';

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});
const stack = useTestStack();

test("the Web UI's filtered list shows every flow of a run, and a flow's history shows its step activities", async () => {
  const result = await stack.runFlow({ count: 4, concurrency: 4 });
  // The outcome search attribute lets the UI's filter box find a run's rejected or failed flows.
  const count = async (query: string) => (await stack.client.workflow.count(query)).count;
  const byRun = `StressRunId="${result.run_id}"`;
  expect(await count(`${byRun} AND RunOutcome="rejected"`)).toBe(result.rejected);
  expect(await count(`${byRun} AND RunOutcome="completed"`)).toBe(result.successful - result.rejected);
  expect(await count(`${byRun} AND RunOutcome="failed"`)).toBe(0);
  expect(await count(`WorkflowId="${result.run_id}" AND RunOutcome="passed"`)).toBe(1);

  const children = Array.from({ length: 4 }, (_, i) => childWorkflowId(result.run_id, i));
  const links = webUiLinks(stack.endpoints.temporalUiUrl, stack.endpoints.namespace, result.run_id)!;
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });

  await page.goto(links.children);
  for (const id of children) await page.getByText(id, { exact: true }).first().waitFor({ timeout: 30_000 });
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-run-flows.png'), fullPage: true });

  await page.getByText(children[0], { exact: true }).first().click();
  await page.waitForURL(new RegExp(`/workflows/${children[0]}/`), { timeout: 30_000 });
  for (const step of ['video_upload', 'scene_extraction', 'ctr_prediction', 'council_evaluation']) {
    await page.getByText(step).first().waitFor({ timeout: 30_000 });
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'web-ui-flow-history.png'), fullPage: true });
  await page.close();
});
