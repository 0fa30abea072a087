import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as net from 'node:net';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import {
  ConnectionConfigError,
  connectionOptionsFor,
  connectWithin,
  TemporalUnreachableError,
  readConnectionConfig,
  type ClusterConnectionConfig,
} from '../../engine/connection-config';
import { defaultTemporalConfigFile } from '../../engine/temporal-profile';

let dir: string;
let cert: string;
let key: string;
let ca: string;
let notPem: string;
const pem = (label: string) => `-----BEGIN ${label}-----\nQUJD\n-----END ${label}-----\n`;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spoolflow-conn-'));
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

/** The config for `env`, with warnings kept out of the test output. */
const read = (env: NodeJS.ProcessEnv) => readConnectionConfig(env, () => undefined);

/** The error thrown for `env`, asserting it is a ConnectionConfigError. */
function errorFor(env: NodeJS.ProcessEnv): ConnectionConfigError {
  try {
    read(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConnectionConfigError);
    return err as ConnectionConfigError;
  }
  throw new Error(`expected readConnectionConfig to reject ${JSON.stringify(env)}`);
}

/** A temporal.toml in its own folder; returns its path. */
function configFile(toml: string): string {
  const folder = fs.mkdtempSync(path.join(dir, 'toml-'));
  const file = path.join(folder, 'temporal.toml');
  fs.writeFileSync(file, toml);
  return file;
}

describe('the environment variables the temporal CLI reads', () => {
  it('is embedded when no address is given, or a blank one', () => {
    expect(read({})).toEqual({ mode: 'embedded' });
    expect(read({ TEMPORAL_ADDRESS: '  ' })).toEqual({ mode: 'embedded' });
    // The namespace alone does not switch to a cluster, nor TLS on alone.
    expect(read({ TEMPORAL_NAMESPACE: 'prod' })).toEqual({ mode: 'embedded' });
    expect(read({ TEMPORAL_TLS: 'true' })).toEqual({ mode: 'embedded' });
  });

  it('reads a plaintext cluster with the default namespace', () => {
    expect(read({ TEMPORAL_ADDRESS: 'temporal.internal:7233' })).toEqual({
      mode: 'cluster',
      address: 'temporal.internal:7233',
      namespace: 'default',
      from: 'TEMPORAL_ADDRESS',
    });
    expect(read({ TEMPORAL_ADDRESS: '[::1]:7233', TEMPORAL_NAMESPACE: 'spool.acct1' })).toMatchObject({ address: '[::1]:7233', namespace: 'spool.acct1' });
  });

  it('reads mTLS with CA and server name, paths made absolute', () => {
    const config = read({
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_NAMESPACE: 'ns.acct',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: path.relative(process.cwd(), key),
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    expect(config).toEqual({
      mode: 'cluster',
      address: 'ns.acct.tmprl.cloud:7233',
      namespace: 'ns.acct',
      from: 'TEMPORAL_ADDRESS',
      tls: {
        clientCert: { cert: { path: cert, origin: 'TEMPORAL_TLS_CLIENT_CERT_PATH' }, key: { path: key, origin: 'TEMPORAL_TLS_CLIENT_KEY_PATH' } },
        serverCa: { path: ca, origin: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' },
        serverName: 'frontend.internal',
      },
    });
  });

  it('takes the PEM text itself from the _DATA variables', () => {
    const config = read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_DATA: pem('CERTIFICATE'), TEMPORAL_TLS_CLIENT_KEY_DATA: pem('PRIVATE KEY') });
    expect(config).toMatchObject({ tls: { clientCert: { cert: { data: pem('CERTIFICATE'), origin: 'TEMPORAL_TLS_CLIENT_CERT_DATA' } } } });
  });

  it('turns server-only TLS on with TEMPORAL_TLS=true and off with false or 0', () => {
    expect(read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'true' })).toMatchObject({ tls: {} });
    expect(read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'TRUE' })).toMatchObject({ tls: {} });
    expect(read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: '0' })).not.toHaveProperty('tls');
    expect(read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'false' })).not.toHaveProperty('tls');
  });

  it('turns TLS on for an API key, as Temporal Cloud needs, unless TLS is turned off explicitly', () => {
    expect(read({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret' })).toMatchObject({ apiKey: 'secret', tls: {} });
    const local = read({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_API_KEY: 'secret', TEMPORAL_TLS: 'false' });
    expect(local).toMatchObject({ apiKey: 'secret' });
    expect(local).not.toHaveProperty('tls');
  });

  it('decides TLS on or off as Temporal\'s own environment configuration does', () => {
    const cases: Record<string, string>[] = [
      { TEMPORAL_ADDRESS: '127.0.0.1:7233' },
      { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_API_KEY: 'k' },
      { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' },
      { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TLS: 'true' },
      { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TLS_SERVER_NAME: 'x' },
      { TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca },
    ];
    for (const env of cases) {
      const theirs = loadClientConnectConfig({ disableFile: true, overrideEnvVars: env }).connectionOptions.tls;
      const ours = read(env);
      expect([env, ours.mode === 'cluster' && ours.tls !== undefined]).toEqual([env, Boolean(theirs)]);
    }
  });

  it('passes gRPC headers from TEMPORAL_GRPC_META_*', () => {
    expect(read({ TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_GRPC_META_X_TENANT: 'print' })).toMatchObject({ metadata: { 'x-tenant': 'print' } });
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

  it('requires the client key with the client certificate and vice versa, rather than dropping the certificate', () => {
    const noKey = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: cert });
    expect(noKey.issues).toEqual([{ variable: 'TEMPORAL_TLS_CLIENT_KEY_PATH', message: expect.stringContaining('both or neither') }]);
    const noCert = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_KEY_DATA: pem('PRIVATE KEY') });
    expect(noCert.issues).toEqual([{ variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH', message: expect.stringContaining('TEMPORAL_TLS_CLIENT_KEY_DATA is set') }]);
  });

  it('names the variable whose file does not exist', () => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'missing.pem') });
    expect(err.issues).toEqual([{ variable: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', message: expect.stringContaining('no file at') }]);
    const isDir = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: dir });
    expect(isDir.issues[0]).toMatchObject({ variable: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', message: expect.stringContaining('not a regular file') });
  });

  it('rejects TLS settings and an API key without an address instead of silently going embedded', () => {
    const err = errorFor({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_SERVER_NAME: 'x' });
    expect(err.issues.map((i) => i.variable)).toEqual(['TEMPORAL_API_KEY', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', 'TEMPORAL_TLS_SERVER_NAME']);
    expect(err.issues[0]?.message).toContain('no Temporal address');
  });

  it('rejects TEMPORAL_TLS values it does not understand or that contradict the other settings', () => {
    // Temporal's reader takes anything but true/1 as false: "yes" would quietly mean plain text.
    expect(errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'yes' }).issues[0]?.variable).toBe('TEMPORAL_TLS');
    const contradiction = errorFor({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca });
    expect(contradiction.issues[0]).toMatchObject({ variable: 'TEMPORAL_TLS', message: expect.stringContaining('TEMPORAL_TLS_SERVER_CA_CERT_PATH') });
  });

  it('refuses to send an API key in plain text to another machine', () => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_API_KEY: 'secret', TEMPORAL_TLS: 'false' });
    expect(err.issues).toEqual([{ variable: 'TEMPORAL_API_KEY', message: expect.stringContaining('plain text') }]);
  });

  it('reports every problem at once', () => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'nope', TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' });
    expect(err.issues.map((i) => i.variable).sort()).toEqual(['TEMPORAL_ADDRESS', 'TEMPORAL_TLS_CLIENT_KEY_PATH', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH']);
  });
});

describe("spoolflow's former variable names", () => {
  it.each([
    ['TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_CLIENT_CERT_PATH'],
    ['TEMPORAL_TLS_KEY', 'TEMPORAL_TLS_CLIENT_KEY_PATH'],
    ['TEMPORAL_TLS_CA', 'TEMPORAL_TLS_SERVER_CA_CERT_PATH'],
  ])('refuses %s naming %s, so an upgrade never falls back to plain text', (former, now) => {
    const err = errorFor({ TEMPORAL_ADDRESS: 'temporal.internal:7233', [former]: ca });
    expect(err.issues).toEqual([{ variable: former, message: expect.stringContaining(`is no longer read: use ${now}`) }]);
    expect(err.message).toContain(`${former}: is no longer read: use ${now}`);
    // Also without an address: the operator meant a cluster.
    expect(errorFor({ [former]: ca }).issues[0]?.variable).toBe(former);
  });
});

describe('profiles in temporal.toml', () => {
  it('connects with the profile TEMPORAL_PROFILE names, from the file TEMPORAL_CONFIG_FILE names', () => {
    const file = configFile(
      [
        '[profile.default]',
        'address = "localhost:7233"',
        '[profile.prod]',
        'address = "prod.acct.tmprl.cloud:7233"',
        'namespace = "prod.acct"',
        'api_key = "from-profile"',
      ].join('\n'),
    );
    const config = read({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(config).toEqual({
      mode: 'cluster',
      address: 'prod.acct.tmprl.cloud:7233',
      namespace: 'prod.acct',
      apiKey: 'from-profile',
      tls: {},
      from: `profile "prod" in ${file}`,
    });
  });

  it('reads mTLS files from the profile and lets the variables override it', () => {
    const file = configFile(
      ['[profile.staging]', 'address = "temporal.staging:7233"', 'namespace = "spool"', '[profile.staging.tls]', `client_cert_path = "${cert}"`, `client_key_path = "${key}"`, 'server_name = "frontend"'].join('\n'),
    );
    const config = read({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging', TEMPORAL_NAMESPACE: 'spool-2' });
    expect(config).toMatchObject({
      address: 'temporal.staging:7233',
      namespace: 'spool-2',
      tls: { clientCert: { cert: { path: cert, origin: `tls.client_cert_path of profile "staging" in ${file}` } }, serverName: 'frontend' },
    });
  });

  it("counts the default profile of the temporal CLI's own file as a cluster when it has an address", () => {
    const configHome = fs.mkdtempSync(path.join(dir, 'config-home-'));
    const file = path.join(configHome, 'temporalio', 'temporal.toml');
    fs.mkdirSync(path.dirname(file));
    const env = os.platform() === 'win32' ? { APPDATA: configHome } : os.platform() === 'darwin' ? undefined : { XDG_CONFIG_HOME: configHome };
    if (env === undefined) return; // macOS keeps it under HOME/Library: covered by the path test below
    fs.writeFileSync(file, '[profile.default]\naddress = "temporal.internal:7233"\n[profile.default.tls]\n');
    expect(read(env)).toMatchObject({ mode: 'cluster', address: 'temporal.internal:7233', tls: {}, from: `profile "default" in ${file}` });
    // A default profile without an address (only a namespace, say) does not choose a cluster; nor does no file at all.
    fs.writeFileSync(file, '[profile.default]\nnamespace = "spool"\n');
    expect(read(env)).toEqual({ mode: 'embedded' });
    fs.rmSync(file);
    expect(read(env)).toEqual({ mode: 'embedded' });
  });

  it("keeps the simulated estate on the embedded server when only the default profile's address would send it to a cluster", () => {
    const configHome = fs.mkdtempSync(path.join(dir, 'config-home-'));
    const file = path.join(configHome, 'temporalio', 'temporal.toml');
    fs.mkdirSync(path.dirname(file));
    const env = os.platform() === 'win32' ? { APPDATA: configHome } : os.platform() === 'darwin' ? undefined : { XDG_CONFIG_HOME: configHome };
    if (env === undefined) return;
    fs.writeFileSync(file, '[profile.default]\naddress = "temporal.internal:7233"\n');
    const warnings: string[] = [];
    const simulated = (extra: Record<string, string> = {}) => readConnectionConfig({ ...env, ...extra }, (line) => warnings.push(line), { implicitProfile: false });
    expect(simulated()).toEqual({ mode: 'embedded' });
    expect(warnings.join('\n')).toMatch(/ignores the address of profile "default".*Set TEMPORAL_ADDRESS or TEMPORAL_PROFILE/);
    // Chosen on purpose, the cluster is used.
    expect(simulated({ TEMPORAL_PROFILE: 'default' })).toMatchObject({ mode: 'cluster', address: 'temporal.internal:7233' });
    expect(simulated({ TEMPORAL_ADDRESS: 'other:7233' })).toMatchObject({ mode: 'cluster', address: 'other:7233' });
  });

  it('names a profile that does not exist, and the profiles there are', () => {
    const file = configFile('[profile.default]\naddress = "h:7233"\n[profile.prod]\naddress = "p:7233"\n');
    const err = errorFor({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' });
    expect(err.issues).toEqual([{ variable: 'TEMPORAL_PROFILE', message: `no profile "staging" in ${file} (its profiles: default, prod)` }]);
  });

  it('refuses a chosen profile without a file or without an address, and a config file that is not there', () => {
    expect(errorFor({ TEMPORAL_PROFILE: 'prod', HOME: path.join(dir, 'nobody') }).issues[0]).toMatchObject({ variable: 'TEMPORAL_PROFILE', message: expect.stringContaining('no Temporal config file') });
    const noAddress = configFile('[profile.prod]\nnamespace = "x"\n');
    expect(errorFor({ TEMPORAL_CONFIG_FILE: noAddress, TEMPORAL_PROFILE: 'prod' }).issues[0]).toMatchObject({ variable: 'TEMPORAL_PROFILE', message: expect.stringContaining('has no address') });
    expect(errorFor({ TEMPORAL_CONFIG_FILE: path.join(dir, 'none.toml') }).issues[0]).toMatchObject({ variable: 'TEMPORAL_CONFIG_FILE', message: expect.stringContaining('no file at') });
  });

  it("names the profile key a bad value came from, and a file that is not TOML", () => {
    const file = configFile('[profile.prod]\naddress = "https://prod:7233"\n[profile.prod.tls]\nserver_ca_cert_path = "/nonexistent/ca.pem"\n');
    const err = errorFor({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(err.issues.map((i) => i.variable)).toEqual([`address of profile "prod" in ${file}`, `tls.server_ca_cert_path of profile "prod" in ${file}`]);
    const broken = configFile('[profile.prod\naddress = ');
    expect(errorFor({ TEMPORAL_CONFIG_FILE: broken }).issues[0]).toMatchObject({ variable: broken, message: expect.stringContaining("cannot be read as Temporal's configuration") });
  });

  it('takes a config file without any profile (an empty one) as no profiles, the variables alone counting', () => {
    const empty = configFile('');
    expect(read({ TEMPORAL_CONFIG_FILE: empty, TEMPORAL_ADDRESS: '127.0.0.1:7233' })).toMatchObject({ mode: 'cluster', address: '127.0.0.1:7233' });
    expect(errorFor({ TEMPORAL_CONFIG_FILE: empty, TEMPORAL_PROFILE: 'prod' }).issues[0]?.message).toContain('its profiles: none');
  });

  it('finds the file where the temporal CLI keeps it on each system', () => {
    expect(defaultTemporalConfigFile({ HOME: '/home/op' }, 'linux')).toBe('/home/op/.config/temporalio/temporal.toml');
    expect(defaultTemporalConfigFile({ HOME: '/home/op', XDG_CONFIG_HOME: '/etc/xdg-op' }, 'linux')).toBe('/etc/xdg-op/temporalio/temporal.toml');
    expect(defaultTemporalConfigFile({ HOME: '/Users/op' }, 'darwin')).toBe('/Users/op/Library/Application Support/temporalio/temporal.toml');
    expect(defaultTemporalConfigFile({}, 'linux')).toBeUndefined();
  });
});

describe('connectionOptionsFor', () => {
  it('returns just the address for plaintext', async () => {
    const config: ClusterConnectionConfig = { mode: 'cluster', address: 'h:7233', namespace: 'default' };
    expect(await connectionOptionsFor(config)).toEqual({ address: 'h:7233' });
  });

  it('reads the certificate files into the SDK TLS shape', async () => {
    const config = read({
      TEMPORAL_ADDRESS: 'h:7233',
      TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: key,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
      TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
    });
    if (config.mode !== 'cluster') throw new Error('expected cluster mode');
    const options = await connectionOptionsFor(config);
    expect(options.address).toBe('h:7233');
    expect(Buffer.from(options.tls?.clientCertPair?.crt ?? '')).toEqual(fs.readFileSync(cert));
    expect(Buffer.from(options.tls?.clientCertPair?.key ?? '')).toEqual(fs.readFileSync(key));
    expect(Buffer.from(options.tls?.serverRootCACertificate ?? '')).toEqual(fs.readFileSync(ca));
    expect(options.tls?.serverNameOverride).toBe('frontend.internal');
  });

  it('passes the API key, TLS with the system CAs and the gRPC headers', async () => {
    const config = read({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'secret', TEMPORAL_GRPC_META_X_TENANT: 'print' });
    if (config.mode !== 'cluster') throw new Error('expected cluster mode');
    expect(await connectionOptionsFor(config)).toEqual({ address: 'ns.acct.tmprl.cloud:7233', apiKey: 'secret', tls: {}, metadata: { 'x-tenant': 'print' } });
  });

  it('names the setting of a file or text that is not PEM', async () => {
    const config: ClusterConnectionConfig = {
      mode: 'cluster',
      address: 'h:7233',
      namespace: 'default',
      tls: { clientCert: { cert: { path: notPem, origin: 'TEMPORAL_TLS_CLIENT_CERT_PATH' }, key: { path: key, origin: 'TEMPORAL_TLS_CLIENT_KEY_PATH' } } },
    };
    await expect(connectionOptionsFor(config)).rejects.toThrow(/TEMPORAL_TLS_CLIENT_CERT_PATH file .* is not PEM/);
    const inline = read({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'MIIB...' });
    if (inline.mode !== 'cluster') throw new Error('expected cluster mode');
    await expect(connectionOptionsFor(inline)).rejects.toThrow(/TEMPORAL_TLS_SERVER_CA_CERT_DATA is not PEM/);
  });

  it('names the setting of a file that vanished after reading the config', async () => {
    const config: ClusterConnectionConfig = {
      mode: 'cluster',
      address: 'h:7233',
      namespace: 'default',
      tls: { serverCa: { path: path.join(dir, 'gone.pem'), origin: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH' } },
    };
    await expect(connectionOptionsFor(config)).rejects.toThrow(/cannot read TEMPORAL_TLS_SERVER_CA_CERT_PATH file/);
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
    expect(lines[0]).toContain('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
    expect(lines[0]).not.toContain('\n');
    expect(warned({ TEMPORAL_ADDRESS: '10.1.2.3:7233' })).toHaveLength(1);
  });

  it('says nothing for this machine, with TLS on, or when plain text is chosen explicitly', () => {
    for (const address of ['localhost:7233', '127.0.0.1:7233', '127.8.0.1:7233', '[::1]:7233']) expect([address, warned({ TEMPORAL_ADDRESS: address })]).toEqual([address, []]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'true' })).toEqual([]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca })).toEqual([]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_API_KEY: 'k' })).toEqual([]);
    expect(warned({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS: 'false' })).toEqual([]);
    const plainProfile = configFile('[profile.lab]\naddress = "temporal.lab:7233"\n[profile.lab.tls]\ndisabled = true\n');
    expect(warned({ TEMPORAL_CONFIG_FILE: plainProfile, TEMPORAL_PROFILE: 'lab' })).toEqual([]);
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
