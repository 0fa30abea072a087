/**
 * The Temporal profile spoolflow connects with, loaded the way the `temporal` CLI and the Temporal
 * SDKs load it (`@temporalio/envconfig`): one profile of the config file (`TEMPORAL_CONFIG_FILE`,
 * else `temporalio/temporal.toml` in the OS's configuration folder), chosen by `TEMPORAL_PROFILE`
 * (else `default`), with the `TEMPORAL_*` variables over it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadClientConfig, loadClientConfigProfile, type ClientConfigProfile } from '@temporalio/envconfig';

/** One invalid setting (an environment variable, or a key of a profile) and the rule it broke. */
export interface ConnectionConfigIssue {
  variable: string;
  message: string;
}

/** A profile as Temporal's configuration merged it, with what is needed to say where each setting came from. */
export interface LoadedProfile {
  profile: ClientConfigProfile;
  /** `TEMPORAL_PROFILE`, else `default`. */
  name: string;
  /** The config file that was read; absent when there is none. */
  file?: string;
  /** `TEMPORAL_PROFILE` or `TEMPORAL_CONFIG_FILE` is set: the operator chose a cluster by its profile. */
  chosen: boolean;
  /** Where a setting came from, for messages: the variable when it is set, else the profile's key in its file. */
  origin(variable: string, key: string): string;
}

/**
 * The environment as Temporal's configuration should see it: `TEMPORAL_*` values trimmed and blank
 * ones dropped (`export TEMPORAL_ADDRESS=` in a shell means unset, not an address ''), `TEMPORAL_TLS`
 * in lower case (envconfig reads only `true` and `1` as true). PEM text (`*_DATA`) and gRPC headers
 * (`TEMPORAL_GRPC_META_*`, where blank removes a header) are passed as given.
 */
export function temporalEnvironment(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (!name.startsWith('TEMPORAL_') || name.startsWith('TEMPORAL_GRPC_META_')) {
      out[name] = value;
      continue;
    }
    if (value.trim() === '') continue;
    out[name] = name.endsWith('_DATA') ? value : value.trim();
  }
  if (out.TEMPORAL_TLS !== undefined && /^(true|false)$/i.test(out.TEMPORAL_TLS)) out.TEMPORAL_TLS = out.TEMPORAL_TLS.toLowerCase();
  return out;
}

/**
 * Where the `temporal` CLI keeps its profiles when `TEMPORAL_CONFIG_FILE` is unset: under
 * `$XDG_CONFIG_HOME` (else `~/.config`) on Linux, `~/Library/Application Support` on macOS,
 * `%APPDATA%` on Windows. Undefined when that folder cannot be known (no HOME).
 */
export function defaultTemporalConfigFile(env: Record<string, string | undefined>, platform: NodeJS.Platform = os.platform()): string | undefined {
  let folder: string | undefined;
  if (platform === 'win32') folder = env.APPDATA || undefined;
  else if (platform === 'darwin') folder = env.HOME ? path.join(env.HOME, 'Library', 'Application Support') : undefined;
  else if (env.XDG_CONFIG_HOME) folder = path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : undefined;
  else folder = env.HOME ? path.join(env.HOME, '.config') : undefined;
  return folder === undefined ? undefined : path.join(folder, 'temporalio', 'temporal.toml');
}

/** Whether TOML text mentions the `profile` table at all (`[profile.x]`, `[profile]`, `profile.x.address = …`). */
function hasProfiles(toml: string): boolean {
  return /^\s*(\[\s*profile\s*[.\]]|profile\s*[.=])/m.test(toml);
}

function isFile(file: string): boolean {
  return fs.statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

/**
 * Loads the profile from the config file and the environment (`env` as {@link temporalEnvironment}
 * returns it), or says why it cannot: an explicit config file that is missing or not TOML, a
 * `TEMPORAL_PROFILE` that names no profile. A missing file at the default location is no error:
 * then only the variables count.
 */
export function loadTemporalProfile(env: Record<string, string>): { loaded: LoadedProfile } | { issues: ConnectionConfigIssue[] } {
  const explicitFile = env.TEMPORAL_CONFIG_FILE;
  const candidate = explicitFile !== undefined ? path.resolve(explicitFile) : defaultTemporalConfigFile(env);
  const file = candidate !== undefined && isFile(candidate) ? candidate : undefined;
  const chosenName = env.TEMPORAL_PROFILE;
  const name = chosenName ?? 'default';

  if (explicitFile !== undefined && file === undefined) {
    return { issues: [{ variable: 'TEMPORAL_CONFIG_FILE', message: `no file at ${candidate}; point it at a temporal.toml (the file \`temporal config set\` writes)` }] };
  }
  if (chosenName !== undefined && file === undefined) {
    const where = candidate ?? 'the default location (HOME is not set)';
    return {
      issues: [
        {
          variable: 'TEMPORAL_PROFILE',
          message: `chooses profile "${name}" but there is no Temporal config file at ${where}; create the profile (temporal config set --profile ${name} --prop address --value host:7233) or set TEMPORAL_CONFIG_FILE`,
        },
      ],
    };
  }

  let profile: ClientConfigProfile;
  try {
    // envconfig 1.24.0 fails with a TypeError on a file that has no profile at all (an empty one, say): such a file has no profiles.
    const withProfiles = file !== undefined && hasProfiles(fs.readFileSync(file, 'utf8')) ? file : undefined;
    if (file !== undefined && chosenName !== undefined) {
      const names = withProfiles !== undefined ? Object.keys(loadClientConfig({ configSource: { path: withProfiles } }).profiles) : [];
      if (!names.includes(name)) {
        return { issues: [{ variable: 'TEMPORAL_PROFILE', message: `no profile "${name}" in ${file} (its profiles: ${names.join(', ') || 'none'})` }] };
      }
    }
    profile = loadClientConfigProfile(withProfiles !== undefined ? { configSource: { path: withProfiles }, overrideEnvVars: env } : { disableFile: true, overrideEnvVars: env });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return { issues: [{ variable: file ?? 'Temporal configuration', message: `cannot be read as Temporal's configuration: ${why}` }] };
  }

  const origin = (variable: string, key: string) => (env[variable] !== undefined || file === undefined ? variable : `${key} of profile "${name}" in ${file}`);
  return { loaded: { profile, name, ...(file !== undefined ? { file } : {}), chosen: chosenName !== undefined || explicitFile !== undefined, origin } };
}
