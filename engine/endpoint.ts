/**
 * Where the embedded server of this data folder listens, written by `npm start` so that the CLI
 * and the client find it without flags even when 7233 was busy and another port was chosen.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Endpoint {
  address: string;
  namespace: string;
  uiUrl?: string;
  /** The `npm start` process that runs this server. */
  launcherPid?: number;
}

export function endpointFile(dataDir: string): string {
  return path.join(dataDir, 'endpoint.json');
}

export function writeEndpoint(dataDir: string, endpoint: Endpoint): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(endpointFile(dataDir), `${JSON.stringify(endpoint, null, 2)}\n`);
}

export function readEndpoint(dataDir: string): Endpoint | undefined {
  const file = endpointFile(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Endpoint) : undefined;
}
