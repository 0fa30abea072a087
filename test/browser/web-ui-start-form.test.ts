/**
 * A new user starts a procedure from the Temporal Web UI, in a real browser: the start form on the
 * namespace's workflows page, filled with the catalog's workflow type, the central queue and the
 * catalog's example input uploaded as a JSON file, as the README says. The run's page then shows
 * it Completed, and its timeline the activities in the operator's words (host, what, step).
 * Screenshots of the filled form, the running run and the completed run go to test-output/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GroupRestartInput } from '../../machines/spoc/spoc-group-input';
import { SPOC_SERVICE } from '../../machines/spoc/spoc-services';
import { catalogEntries } from '../../simulator/catalog-entries';
import { openBrowser, requireBrowser, screenshot } from '../helpers/browser';
import { useSimulatedEstate } from '../helpers/integration-estate';
import { testInventory } from '../helpers/sim-fleet';

const browserTest = requireBrowser();
const browser = openBrowser();
const estate = useSimulatedEstate({ webUi: true });

/** The Web UI starts a moment after the frontend answers: waits until it serves its settings. */
async function webUiOf(): Promise<string> {
  const url = estate.temporal.server.uiUrl;
  if (!url) throw new Error('the dev server was started without its Web UI');
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await fetch(`${url}/api/v1/settings`).catch(() => undefined);
    if (answer?.ok) {
      const settings = (await answer.json()) as { StartWorkflowDisabled?: boolean };
      // The start form exists only where the UI's config allows it; the dev server's does.
      expect(settings.StartWorkflowDisabled).toBe(false);
      return url;
    }
    if (Date.now() > deadline) throw new Error(`the Temporal Web UI did not answer at ${url}`);
    await sleep(200);
  }
}

browserTest('a procedure started from the Web UI start form with the example input runs to Completed', async () => {
  // What `spoolflow catalog` shows for the procedure: its workflow type, its queue and its example
  // (the two-member london group), here with the convergence wait cut to a second.
  const entry = catalogEntries(testInventory()).find((e) => e.id === 'restart-group-without-cache-deletion');
  if (!entry) throw new Error('the catalog has no restart-group-without-cache-deletion');
  const example = entry.exampleInput as GroupRestartInput;
  const input = { ...example, waits: { ...example.waits, convergenceSeconds: 1 } };
  const folder = mkdtempSync(path.join(os.tmpdir(), 'spoolflow-webui-'));
  const inputFile = path.join(folder, 'example.json');
  writeFileSync(inputFile, JSON.stringify(input, null, 2));
  const workflowId = `spoc-group-${example.group}`; // the README's convention
  const { page } = browser;
  const ui = await webUiOf();
  const namespace = estate.temporal.namespace;

  const fleet = estate.fleet();
  try {
    const output = await estate.withWorkers(fleet, async () => {
      await page.goto(`${ui}/namespaces/${namespace}/workflows`);
      await page.getByRole('button', { name: 'Start Workflow' }).click();
      await page.locator('#workflowId').fill(workflowId);
      await page.locator('#taskQueue').fill(entry.taskQueue);
      await page.locator('#workflowType').fill(entry.workflowType);
      await page.locator('input[type=file]').setInputFiles(inputFile);
      await page.getByText(`"group": "${example.group}"`).waitFor(); // the uploaded file, shown in the Data field
      await screenshot(page, '1-form-filled');
      await page.getByRole('button', { name: 'Start Workflow' }).click();

      // The form stays; its notice links to the run's page.
      await page.getByRole('link', { name: 'Workflow started successfully' }).click();
      await page.waitForURL(new RegExp(`/workflows/${workflowId}/`));
      const status = (text: string) => page.locator('header').getByText(text, { exact: true });
      await status('Running').waitFor();
      await screenshot(page, '2-running');

      // The page refreshes itself while the run is open.
      await status('Completed').waitFor({ timeout: 60_000 });
      // The timeline in the operator's words: the host, what is done, the runbook step.
      await page.getByText(`spoc-lon-1: stop ${SPOC_SERVICE} (step 1)`).first().waitFor();
      await page.getByText('convergence wait 1 s (step 8)').first().waitFor();
      // The page scrolls inside itself, so a full-page shot is one window: a taller one shows the
      // status and the timeline together.
      await page.setViewportSize({ width: 1280, height: 1800 });
      await screenshot(page, '3-completed');
      return (await estate.spoolflow.result(workflowId)) as { outcome: string; completedMembers: string[] };
    });
    expect(output).toMatchObject({ outcome: 'completed', completedMembers: ['spoc-lon-1', 'spoc-lon-2'] });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
