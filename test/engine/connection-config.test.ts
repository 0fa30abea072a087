import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import {
  ConnectionConfigError,
  connectionOptionsFor,
  connectWithin,
  TemporalUnreachableError,
  readConnectionConfig,
  type ClusterConnectionConfig,
} from '../../engine/connection-config';

let dir: string;
let cert: string;
let key: string;
let ca: string;
let notPem: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spoolflow-conn-'));
  const pem = (label: string) => `-----BEGIN ${label}-----\nQUJD\n-----END ${label}-----\n`;
  cert = path.join(dir, 'client.pem');
  key = path.join(dir, 'client.key');
  ca = path.join(dir, 'ca.pem');
  notPem = path.join(dir, 'client.der');
  fs.writeFileSync(cert, pem('CERTIFICATE'));
  fs.writeFileSync(key, pem('PRIVATE KEY'));
  fs.writeFileSync(ca, pem('CERTIFICATE'));
  fs.writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01, 0x0a]));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The error thrown for `env`, asserting it is a ConnectionConfigError. */
function errorFor(env: NodeJS.ProcessEnv): ConnectionConfigError {
  try {
    readConnectionConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectionConfigError);
    return err as ConnectionConfigError;
  }
  throw new Error(`expected readConnectionConfig to reject ${JSON.stringify(env)}`);
}

describe('readConnectionConfig', () => {
  it('is embedded when TEMPORAL_ADDRESS is unset or blank', () => {
    expect(readConnectionConfig({})).toEqual({ mode: 'embedded' });
    expect(readConnectionConfig({ TEMPORAL_ADDRESS: '  ' })).toEqual({ mode: 'embedded' });
    // The namespace alone does not switch to a cluster.
    expect(readConnectionConfig({ TEMPORAL_NAMESPACE: 'prod' })).toEqual({ mode: 'embedded' });
  });

  it('reads a plaintext cluster with the default namespace', () => {
    expect(readConnectionConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233' })).toEqual({
      mode: 'cluster',
      address: 'temporal.internal:7233',
      namespace: 'default',
    });
    expect(readConnectionConfig({ TEMPORAL_ADDRESS: '[::1]:7233', TEMPORAL_NAMESPACE: 'spool.acct1' })).toEqual({
      mode: 'cluster',
      address: '[::1]:7233',
      namespace: 'spool.acct1',
    });
  });

  it('reads mTLS with CA and server name as absolute paths', () => {
    const config = readConnectionConfig({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: path.relative(process.cwd(), key),
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(config).toEqual({
      mode: 'cluster',
      address: 'ns.acct.tmprl.cloud:7233',
      namespace: 'ns.acct',
      tls: { clientCert: { certPath: cert, keyPath: key }, serverCaPath: ca, serverName: 'frontend.internal' },
    });
  });

  it('turns on server-only TLS with TEMPORAL_TLS=true', () => {
    expect(readConnectionConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'true' })).toMatchObject({ tls: {} });
    expect(readConnectionConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: '0' })).not.toHaveProperty('tls');
  });

  it.each([
    ['temporal.internal', /host:port/],
    ['http://temporal.internal:7233', /without a scheme/],
    ['temporal.internal:99999', /between 1 and 65535/],
    ['temporal.internal:0', /between 1 and 65535/],
    ['temporal internal:7233', /host:port/],
  ])('rejects TEMPORAL_ADDRESS=%s naming the variable', (address, rule) => {
    const err = errorFor({ TEMPORAL_ADDRESS: address });
    expect(err.issues).toEqual([{ variable: 'TEMPORAL_ADDRESS', message: expect.stringMatching(rule) }]);
    expect(err.message).toContain('TEMPORAL_ADDRESS:');
  });

  it('rejects a malformed TEMPORAL_NAMESPACE', () => {
    expect(errorFor({ TEMPORAL_ADDRESS: 'h:1', TEMPORAL_NAMESPACE: 'my ns' }).issues[0]?.variable).toBe('TEMPORAL_NAMESPACE');
  });

  it('requires TEMPORAL_TLS_KEY with TEMPORAL_TLS_CERT and vice versa', () => {
    const noKey = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CERT: cert });
    expect(noKey.issues).toEqual([{ variable: 'TEMPORAL_TLS_KEY', message: expect.stringContaining('both or neither') }]);
    const noCert = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_KEY: key });
    expect(noCert.issues).toEqual([{ variable: 'TEMPORAL_TLS_CERT', message: expect.stringContaining('both or neither') }]);
  });

  it('names the variable whose file does not exist', () => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CA: path.join(dir, 'missing.pem') });
    expect(err.issues).toEqual([{ variable: 'TEMPORAL_TLS_CA', message: expect.stringContaining('no file at') }]);
    const isDir = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CA: dir });
    expect(isDir.issues[0]).toMatchObject({ variable: 'TEMPORAL_TLS_CA', message: expect.stringContaining('not a regular file') });
  });

  it('rejects TLS settings without TEMPORAL_ADDRESS instead of silently going embedded', () => {
    const err = errorFor({ TEMPORAL_TLS_CA: ca, TEMPORAL_TLS_SERVER_NAME: 'x' });
    expect(err.issues.map((i) => i.variable)).toEqual(['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_NAME']);
    expect(err.issues[0]?.message).toContain('TEMPORAL_ADDRESS is not');
  });

  it('rejects TEMPORAL_TLS values it does not understand or that contradict the files', () => {
    expect(errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'yes' }).issues[0]?.variable).toBe('TEMPORAL_TLS');
    const contradiction = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: ca });
    expect(contradiction.issues[0]).toMatchObject({ variable: 'TEMPORAL_TLS', message: expect.stringContaining('TEMPORAL_TLS_CA') });
  });

  it('reports every problem at once', () => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'nope', TEMPORAL_TLS_CERT: cert, TEMPORAL_TLS_CA: '/nonexistent/ca.pem' });
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CA', 'TEMPORAL_TLS_KEY']);
    expect(err.message).toMatch(/TEMPORAL_ADDRESS:[\s\S]*TEMPORAL_TLS_KEY:[\s\S]*TEMPORAL_TLS_CA:/);
  });
});

describe('connectionOptionsFor', () => {
  it('returns just the address for plaintext', async () => {
    const config: ClusterConnectionConfig = { mode: 'cluster', address: 'h:7233', namespace: 'default' };
    expect(await connectionOptionsFor(config)).toEqual({ address: 'h:7233' });
  });

  it('reads the certificate files into the SDK TLS shape', async () => {
    const config = readConnectionConfig({
      TEMPORAL_ADDRESS: 'h:7233',
      TEMPORAL_TLS_CERT: cert,
      TEMPORAL_TLS_KEY: key,
      TEMPORAL_TLS_CA: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    if (config.mode !== 'cluster') throw new Error('expected cluster mode');
    const options = await connectionOptionsFor(config);
    expect(options.address).toBe('h:7233');
    expect(options.tls?.clientCertPair?.crt.equals(fs.readFileSync(cert))).toBe(true);
    expect(options.tls?.clientCertPair?.key.equals(fs.readFileSync(key))).toBe(true);
    expect(options.tls?.serverRootCACertificate?.equals(fs.readFileSync(ca))).toBe(true);
    expect(options.tls?.serverNameOverride).toBe('frontend.internal');
  });

  it('names the variable of a file that is not PEM', async () => {
    const config: ClusterConnectionConfig = {
      mode: 'cluster',
      address: 'h:7233',
      namespace: 'default',
      tls: { clientCert: { certPath: notPem, keyPath: key } },
    };
    await expect(connectionOptionsFor(config)).rejects.toThrow(/TEMPORAL_TLS_CERT file .* is not PEM/);
  });

  it('names the variable of a file that vanished after reading the config', async () => {
    const config: ClusterConnectionConfig = {
      mode: 'cluster',
      address: 'h:7233',
      namespace: 'default',
      tls: { serverCaPath: path.join(dir, 'gone.pem') },
    };
    await expect(connectionOptionsFor(config)).rejects.toThrow(/cannot read TEMPORAL_TLS_CA file/);
  });
});

describe('plain text to a remote Temporal', () => {
  const warned = (env: NodeJS.ProcessEnv): string[] => {
    const lines: string[] = [];
    readConnectionConfig(env, (line) => lines.push(line));
    return lines;
  };

  it('warns in one line that traffic is unencrypted and how to turn TLS on', () => {
    const lines = warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('temporal.internal:7233');
    expect(lines[0]).toContain('unencrypted');
    expect(lines[0]).toContain('TEMPORAL_TLS=true');
    expect(lines[0]).not.toContain('\n');
    expect(warned({ TEMPORAL_ADDRESS: '10.1.2.3:7233' })).toHaveLength(1);
  });

  it('says nothing for this machine, with TLS on, or when plain text is chosen explicitly', () => {
    for (const address of ['localhost:7233', '127.0.0.1:7233', '127.8.0.1:7233', '[::1]:7233']) expect([address, warned({ TEMPORAL_ADDRESS: address })]).toEqual([address, []]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' })).toEqual([]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CA: ca })).toEqual([]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'false' })).toEqual([]);
  });
});

describe('a wrong address', () => {
  /** A port nothing listens on: bound once, then closed. */
  async function closedPort(): Promise<string> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return `127.0.0.1:${port}`;
  }

  it("fails naming the address and what to check, for the workers' and the client's connection", async () => {
    const address = await closedPort();
    const connects: (() => Promise<unknown>)[] = [() => NativeConnection.connect({ address }), () => Connection.connect({ address })];
    for (const connect of connects) {
      const started = Date.now();
      const err = await connectWithin(address, connect, 3000).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemporalUnreachableError);
      expect((err as Error).message).toContain(`cannot reach Temporal at ${address}`);
      expect((err as Error).message).toContain('TEMPORAL_ADDRESS');
      expect(Date.now() - started).toBeLessThan(5000);
    }
  });

  it('gives up within the deadline when the port accepts but never answers', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      const started = Date.now();
      const err = await connectWithin(address, () => NativeConnection.connect({ address }), 1000).catch((e: unknown) => e);
      expect((err as Error).message).toContain(`cannot reach Temporal at ${address}: no answer within 1 s`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      silent.close();
    }
  });
});
