/**
 * Starts the dev server through `@temporalio/testing`, for a machine without a Temporal CLI binary
 * and without Go to build one (it downloads the dev server: needs internet access).
 */
import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from '@temporalio/client';
import type { DevServer } from './dev-server';
import type { LaunchPlan } from './dev-server-cli-launch';
import { findSdkServerPid } from './dev-server-pid-file';
import { choosePorts, hostPort } from './dev-server-ports';
import { ensureSearchAttributes, SDK_SEARCH_ATTRIBUTE_TYPE } from './dev-server-search-attributes';
import { sqlitePragmaFlags } from './dev-server-sqlite';
import { dynamicConfigFlags } from './dev-server-queue-readers';

/** Polls until `namespace` exists: the SDK only waits for the frontend to answer. */
async function waitForNamespace(connection: Connection, namespace: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await connection.workflowService.describeNamespace({ namespace });
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`namespace "${namespace}" did not become available in time: ${(err as Error).message}`, { cause: err });
      }
      await sleep(200);
    }
  }
}

/** What {@link launchWithSdk} needs: the {@link LaunchPlan} without a CLI, plus the download folder. */
type SdkLaunchPlan = Omit<LaunchPlan, 'cli' | 'logPath'> & { downloadDir: string };

/**
 * Starts the dev server through `@temporalio/testing`'s `TestWorkflowEnvironment.createLocal`,
 * which downloads the Temporal CLI into `downloadDir` (once; reused for a day) and runs
 * `server start-dev` with the same database, address, ports, namespace and search attributes as
 * {@link launch}. The SDK gives the server 5 s to answer and inherits this process's stdout/stderr
 * for its output; a start that times out is retried (new free ports where they are automatic)
 * until `startTimeoutMs`.
 */
export async function launchWithSdk(plan: SdkLaunchPlan): Promise<DevServer> {
  const { ip, ui, namespace, searchAttributes, dbPath, pidPath, downloadDir, log } = plan;
  // Loaded only here: it pulls in the worker's native runtime, which the CLI path does not need.
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  fs.mkdirSync(downloadDir, { recursive: true }); // the SDK writes into it but does not create it
  const started = Date.now();
  const deadline = started + plan.startTimeoutMs;
  const avoid = new Set<number>();

  for (let attempt = 1; ; attempt++) {
    const { port, uiPort } = await choosePorts(ip, plan, ui, avoid, log);

    let env: Awaited<ReturnType<typeof TestWorkflowEnvironment.createLocal>>;
    try {
      env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: { type: 'cached-download', downloadDir },
          dbFilename: dbPath,
          ip,
          port,
          ui,
          uiPort,
          namespace,
          searchAttributes: Object.entries(searchAttributes).map(([name, type]) => ({ name, type: SDK_SEARCH_ATTRIBUTE_TYPE[type] })),
          extraArgs: [...sqlitePragmaFlags(), ...dynamicConfigFlags(plan.dynamicConfig ?? {})],
        },
      });
    } catch (err) {
      const message = (err as Error).message;
      // A previous server still holding the database, or a lost port race, shows up only as this timeout.
      if (/did not start within/.test(message) && Date.now() < deadline) {
        log(`the dev server from @temporalio/testing did not answer in time; retrying (attempt ${attempt + 1})`);
        await sleep(1000);
        continue;
      }
      throw new Error(
        `@temporalio/testing could not download or start the Temporal dev server: ${message}\n` +
          'It downloads from temporal.download into ' + downloadDir + ', which needs internet access. Without it: ' +
          'install Go and run "npx tsx scripts/install-temporal-cli.ts", set TEMPORAL_CLI to a Temporal CLI binary, ' +
          'or set TEMPORAL_ADDRESS to use an existing cluster',
        { cause: err },
      );
    }

    try {
      await waitForNamespace(env.connection, namespace, deadline);
      await ensureSearchAttributes(env.connection, namespace, searchAttributes, dbPath, log);
    } catch (err) {
      await env.teardown();
      throw err;
    }

    // Record the server in the pid file so that no second server opens this database while it runs.
    const serverPid = findSdkServerPid(dbPath);
    fs.writeFileSync(pidPath, serverPid !== undefined ? `server ${serverPid}` : `sdk ${process.pid}`);
    // teardown() cannot run in an 'exit' handler; where the pid is known, do what launch() does.
    const killOnExit = () => {
      if (serverPid === undefined) return;
      try {
        process.kill(serverPid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    process.on('exit', killOnExit);

    const address = env.address;
    const uiUrl = uiPort !== undefined ? `http://${hostPort(ip, uiPort)}` : undefined;
    log(
      `Temporal dev server (downloaded by @temporalio/testing) ready at ${address} (namespace "${namespace}"${uiUrl ? `, UI ${uiUrl}` : ''}) ` +
        `in ${Date.now() - started} ms; data in ${dbPath}`,
    );

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= env.teardown().then(() => {
        process.off('exit', killOnExit);
        fs.rmSync(pidPath, { force: true });
      });
      return stopping;
    };
    return { address, uiUrl, namespace, stop };
  }
}
