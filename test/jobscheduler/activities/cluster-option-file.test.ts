// Proves that a member's cluster options are set in its start script by changing the one line that
// sets them and nothing else (line endings, a missing final newline and bytes in other code pages
// included), that a second run changes nothing, that the script is refused rather than guessed at
// when it sets the options twice or in a way not read here, and that the file is written atomically,
// with its mode, only inside the install folder and never through a link.
//
// The sample scripts below are reconstructions in the shape of JobScheduler 1.x's
// bin/jobscheduler_environment_variables.(sh|cmd), written for these tests, not captures from a host.
import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DuplicateClusterOptionsError,
  readClusterOptionsFromText,
  setClusterOptionsInFile,
  setClusterOptionsInText,
  startScriptPathOf,
  UnreadableClusterOptionsError,
  UnsafeScriptPathError,
} from '../../../activities/jobscheduler/cluster-option-file';
import type { ClusterStartOptions } from '../../../machines/jobscheduler/cluster-options';
import { localPathOf } from '../../../simulator/windows/sim-host-files';
import { ENVIRONMENT_SH_HEADER } from '../../../simulator/jobscheduler/scheduler-host-files';

const PRIMARY: ClusterStartOptions = { role: 'primary' };
const BACKUP: ClusterStartOptions = { role: 'backup', precedence: 1, precedenceGiven: false };
const BACKUP_2: ClusterStartOptions = { role: 'backup', precedence: 2, precedenceGiven: true };
const DISTRIBUTED: ClusterStartOptions = { role: 'distributed' };

/** A Unix script as the installer leaves it, with the option commented out and then set to empty. */
const SH = [
  ...ENVIRONMENT_SH_HEADER,
  'SCHEDULER_HOME="/opt/sos-berlin.com/jobscheduler/production"',
  'SCHEDULER_USER="jobscheduler"',
  'SCHEDULER_DATA="/home/jobscheduler/sos-berlin.com/jobscheduler/production"',
  'SCHEDULER_ID="production"',
  'SCHEDULER_HTTP_PORT=40444',
  '',
  '# Cluster options: -exclusive, -exclusive -backup [-backup-precedence=n], -exclusive -distributed-orders',
  '# SCHEDULER_CLUSTER_OPTIONS=""',
  'SCHEDULER_CLUSTER_OPTIONS=""',
  '',
  'JAVA_HOME="/usr/lib/jvm/jre-1.8.0"',
  'JAVA_OPTIONS="-Xms100m -Xmx256m"',
  'test -n "$SCHEDULER_CLUSTER_OPTIONS" && echo "cluster options: $SCHEDULER_CLUSTER_OPTIONS"',
  'export SCHEDULER_HOME SCHEDULER_DATA SCHEDULER_ID JAVA_HOME',
  '',
].join('\n');

/**
 * A Windows script: CRLF, a comment in cp1252 (the "ü" is the single byte 0xFC, seen through latin1
 * as U+00FC), and no newline after the last line, as Notepad leaves it.
 */
const CMD = [
  '@echo off',
  '@rem ---------------------------------------------------------------',
  '@rem Company: Software- und Organisations-Service GmbH',
  '@rem Purpose: Umgebungsvariablen f\u00fcr den JobScheduler',
  '@rem ---------------------------------------------------------------',
  '',
  'set SCHEDULER_HOME=C:\\Program Files\\sos-berlin.com\\jobscheduler\\production',
  'set SCHEDULER_DATA=C:\\ProgramData\\sos-berlin.com\\jobscheduler\\production',
  'set SCHEDULER_ID=production',
  'set SCHEDULER_HTTP_PORT=40444',
  '@rem set SCHEDULER_CLUSTER_OPTIONS=-exclusive',
  'set SCHEDULER_CLUSTER_OPTIONS=',
  'set SCHEDULER_PARAMS=-id="%SCHEDULER_ID%" -sos.ini="%SCHEDULER_DATA%/config/sos.ini" %SCHEDULER_CLUSTER_OPTIONS%',
  'if not defined JAVA_HOME set JAVA_HOME=C:\\Program Files\\Java\\jre1.8.0',
].join('\r\n');

/** The lines of a text that differ from another's, by 1-based number. */
function changedLines(before: string, after: string): Record<number, string> {
  const a = before.split('\n');
  const b = after.split('\n');
  const changed: Record<number, string> = {};
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) changed[i + 1] = b[i] ?? '(gone)';
  return changed;
}

describe('sh: bin/jobscheduler_environment_variables.sh', () => {
  test('replaces the value of the live line, quoted, and leaves every other line (and the comment) as it was', () => {
    const edit = setClusterOptionsInText(SH, 'sh', BACKUP_2);
    expect(edit).toMatchObject({ changed: true, action: 'replaced', line: 15, before: 'SCHEDULER_CLUSTER_OPTIONS=""' });
    expect(changedLines(SH, edit.text)).toEqual({ 15: 'SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup -backup-precedence=2"' });
  });

  test('running twice changes nothing the second time', () => {
    const first = setClusterOptionsInText(SH, 'sh', BACKUP);
    const second = setClusterOptionsInText(first.text, 'sh', BACKUP);
    expect(second).toEqual({ text: first.text, changed: false, action: 'unchanged', line: 15, before: first.after, after: first.after });
  });

  test.each([
    ['SCHEDULER_CLUSTER_OPTIONS=-exclusive', PRIMARY],
    ["SCHEDULER_CLUSTER_OPTIONS='-exclusive -backup'", BACKUP],
    ['SCHEDULER_CLUSTER_OPTIONS="-exclusive -distributed-orders" # set by hand', DISTRIBUTED],
  ])('leaves %j alone: it already gives the wanted options', (line, options) => {
    const text = `SCHEDULER_ID=production\n${line}\n`;
    expect(setClusterOptionsInText(text, 'sh', options)).toMatchObject({ text, changed: false, action: 'unchanged', line: 2 });
  });

  test('keeps export, indentation and a trailing comment around the value it replaces', () => {
    const text = 'A=1\n  export SCHEDULER_CLUSTER_OPTIONS=-exclusive   # primary of prod\nB=2\n';
    expect(setClusterOptionsInText(text, 'sh', BACKUP).text).toBe(
      'A=1\n  export SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"   # primary of prod\nB=2\n',
    );
  });

  test('keeps "; export NAME" after the value', () => {
    const text = 'SCHEDULER_CLUSTER_OPTIONS=-exclusive; export SCHEDULER_CLUSTER_OPTIONS\n';
    expect(setClusterOptionsInText(text, 'sh', BACKUP).text).toBe('SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"; export SCHEDULER_CLUSTER_OPTIONS\n');
  });

  test('adds a live line right after a commented-out default, leaving the comment as it was', () => {
    const text = 'SCHEDULER_ID=production\n#export SCHEDULER_CLUSTER_OPTIONS=""\nJAVA_HOME=/usr\n';
    const edit = setClusterOptionsInText(text, 'sh', PRIMARY);
    expect(edit).toMatchObject({ changed: true, action: 'added-after-comment', line: 3, after: 'export SCHEDULER_CLUSTER_OPTIONS="-exclusive"' });
    expect(edit.text).toBe('SCHEDULER_ID=production\n#export SCHEDULER_CLUSTER_OPTIONS=""\nexport SCHEDULER_CLUSTER_OPTIONS="-exclusive"\nJAVA_HOME=/usr\n');
    expect(setClusterOptionsInText(edit.text, 'sh', PRIMARY).changed).toBe(false);
  });

  test('appends a live line when the script has none, keeping a missing final newline missing', () => {
    expect(setClusterOptionsInText('SCHEDULER_ID=production', 'sh', PRIMARY)).toMatchObject({
      text: 'SCHEDULER_ID=production\nSCHEDULER_CLUSTER_OPTIONS="-exclusive"',
      action: 'appended',
      line: 2,
    });
    expect(setClusterOptionsInText('SCHEDULER_ID=production\n', 'sh', PRIMARY).text).toBe('SCHEDULER_ID=production\nSCHEDULER_CLUSTER_OPTIONS="-exclusive"\n');
    expect(setClusterOptionsInText('', 'sh', PRIMARY).text).toBe('SCHEDULER_CLUSTER_OPTIONS="-exclusive"\n');
  });

  test('refuses two live assignments, naming the lines, instead of guessing which one counts', () => {
    const text = `${SH}if [ "$(hostname)" = "js2" ]; then\n  SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"\nfi\n`;
    expect(() => setClusterOptionsInText(text, 'sh', PRIMARY)).toThrow(DuplicateClusterOptionsError);
    expect(() => setClusterOptionsInText(text, 'sh', PRIMARY)).toThrow(
      'bin/jobscheduler_environment_variables.sh sets SCHEDULER_CLUSTER_OPTIONS on lines 15, 22; which one takes effect depends on the flow of the script, ' +
        'so nothing was changed. Keep one of them (or comment the others out) by hand, then retry the step.',
    );
  });

  test.each([
    ['SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup', 'the value is not one shell word: an unquoted space ends the assignment and runs the rest as a command'],
    ['SCHEDULER_CLUSTER_OPTIONS="-exclusive"-backup', 'the value is followed by text that would become part of it'],
    ['[ -z "$X" ] && SCHEDULER_CLUSTER_OPTIONS="-exclusive"', 'the variable is assigned somewhere other than at the start of the line'],
    ['readonly SCHEDULER_CLUSTER_OPTIONS="-exclusive"', 'the variable is assigned somewhere other than at the start of the line'],
  ])('refuses %j rather than rewrite it', (line, why) => {
    const attempt = () => setClusterOptionsInText(`A=1\n${line}\n`, 'sh', BACKUP);
    expect(attempt).toThrow(UnreadableClusterOptionsError);
    expect(attempt).toThrow(`line 2 sets SCHEDULER_CLUSTER_OPTIONS in a way this step cannot rewrite safely (${why})`);
    expect(attempt).toThrow('Make it a plain assignment, SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup", by hand, then retry the step.');
  });

  test('does not count lines that only read the variable', () => {
    expect(readClusterOptionsFromText(SH, 'sh')).toEqual({ value: '', line: 15 });
  });
});

describe('cmd: bin\\jobscheduler_environment_variables.cmd', () => {
  test('replaces the value without quotes and keeps CRLF, other bytes and the missing final newline', () => {
    const edit = setClusterOptionsInText(CMD, 'cmd', BACKUP);
    expect(edit).toMatchObject({ changed: true, action: 'replaced', line: 12, after: 'set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup' });
    expect(edit.text).toBe(CMD.replace('set SCHEDULER_CLUSTER_OPTIONS=\r\n', 'set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup\r\n'));
    expect(edit.text.endsWith('jre1.8.0')).toBe(true);
    expect(setClusterOptionsInText(edit.text, 'cmd', BACKUP)).toMatchObject({ text: edit.text, changed: false });
  });

  test('matches SET and the name in any case, and keeps the case it found', () => {
    const text = 'SET scheduler_cluster_options=-exclusive\r\n';
    expect(setClusterOptionsInText(text, 'cmd', DISTRIBUTED).text).toBe('SET scheduler_cluster_options=-exclusive -distributed-orders\r\n');
  });

  test('keeps the quoted form set "NAME=value"', () => {
    const text = 'set "SCHEDULER_CLUSTER_OPTIONS=-exclusive"\r\n';
    const edit = setClusterOptionsInText(text, 'cmd', BACKUP_2);
    expect(edit.text).toBe('set "SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup -backup-precedence=2"\r\n');
    expect(setClusterOptionsInText(edit.text, 'cmd', BACKUP_2).changed).toBe(false);
  });

  test('rewrites a value with trailing spaces, which cmd would keep as part of the value', () => {
    expect(setClusterOptionsInText('set SCHEDULER_CLUSTER_OPTIONS=-exclusive  \r\n', 'cmd', PRIMARY)).toMatchObject({
      text: 'set SCHEDULER_CLUSTER_OPTIONS=-exclusive\r\n',
      action: 'replaced',
    });
  });

  test('adds a live line after "@rem set ..." in the same style, with CRLF', () => {
    const text = '@echo off\r\n@rem set SCHEDULER_CLUSTER_OPTIONS=\r\nset SCHEDULER_ID=production\r\n';
    expect(setClusterOptionsInText(text, 'cmd', PRIMARY)).toMatchObject({
      text: '@echo off\r\n@rem set SCHEDULER_CLUSTER_OPTIONS=\r\nset SCHEDULER_CLUSTER_OPTIONS=-exclusive\r\nset SCHEDULER_ID=production\r\n',
      action: 'added-after-comment',
      line: 3,
    });
  });

  test('adds after a last-line comment without a newline, keeping the file without a final newline', () => {
    expect(setClusterOptionsInText('@echo off\r\nREM SET SCHEDULER_CLUSTER_OPTIONS=', 'cmd', PRIMARY).text).toBe(
      '@echo off\r\nREM SET SCHEDULER_CLUSTER_OPTIONS=\r\nSET SCHEDULER_CLUSTER_OPTIONS=-exclusive',
    );
  });

  test('appends "set NAME=value" with CRLF to a script that has no such line', () => {
    expect(setClusterOptionsInText('@echo off\r\nset SCHEDULER_ID=production\r\n', 'cmd', PRIMARY).text).toBe(
      '@echo off\r\nset SCHEDULER_ID=production\r\nset SCHEDULER_CLUSTER_OPTIONS=-exclusive\r\n',
    );
  });

  test.each([
    ['if not defined SCHEDULER_CLUSTER_OPTIONS set SCHEDULER_CLUSTER_OPTIONS=-exclusive', 'the variable is set other than by a plain `set` at the start of the line'],
    ['set SCHEDULER_CLUSTER_OPTIONS=-exclusive & echo done', 'the value is followed by more commands or a redirection'],
    ['set /p SCHEDULER_CLUSTER_OPTIONS=Cluster options: ', 'the variable is set other than by a plain `set` at the start of the line'],
  ])('refuses %j rather than rewrite it', (line, why) => {
    const attempt = () => setClusterOptionsInText(`@echo off\r\n${line}\r\n`, 'cmd', PRIMARY);
    expect(attempt).toThrow(UnreadableClusterOptionsError);
    expect(attempt).toThrow(`(${why})`);
    expect(attempt).toThrow('Make it a plain assignment, set SCHEDULER_CLUSTER_OPTIONS=-exclusive, by hand');
  });

  test('refuses two live set lines', () => {
    expect(() => setClusterOptionsInText(`${CMD}\r\nset SCHEDULER_CLUSTER_OPTIONS=-exclusive`, 'cmd', PRIMARY)).toThrow(
      'bin\\jobscheduler_environment_variables.cmd sets SCHEDULER_CLUSTER_OPTIONS on lines 12, 15',
    );
  });
});

describe('the file on the host', () => {
  const UNIX_DIR = '/opt/sos-berlin.com/jobscheduler/production';
  const WIN_DIR = 'C:\\Program Files\\sos-berlin.com\\jobscheduler\\production';

  /** A host file system under a temporary folder; `local` maps a host path into it. */
  function host() {
    const root = mkdtempSync(path.join(os.tmpdir(), 'cluster-option-file-'));
    const local = (hostPath: string) => (hostPath.startsWith('/') ? path.join(root, hostPath) : localPathOf(root, hostPath));
    return { root, local };
  }

  function unixMember(script = SH, mode = 0o750) {
    const h = host();
    mkdirSync(h.local(`${UNIX_DIR}/bin`), { recursive: true });
    writeFileSync(h.local(`${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`), script, { mode });
    return { ...h, file: h.local(`${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`) };
  }

  test('writes the new script in place of the old one, keeping its mode, and leaves no temporary file', () => {
    const { local, file } = unixMember();
    const inodeBefore = statSync(file).ino;
    const result = setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: BACKUP, localPath: local });
    expect(result).toMatchObject({ file: `${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`, changed: true, action: 'replaced', line: 15 });
    expect(readFileSync(file, 'utf8')).toBe(SH.replace('\nSCHEDULER_CLUSTER_OPTIONS=""\n', '\nSCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"\n'));
    expect(statSync(file).mode & 0o777).toBe(0o750);
    expect(statSync(file).ino).not.toBe(inodeBefore);
    expect(readdirSync(path.dirname(file))).toEqual(['jobscheduler_environment_variables.sh']);
  });

  test('a second run reports no change and does not write at all', () => {
    const { local, file } = unixMember();
    setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: BACKUP, localPath: local });
    const after = statSync(file);
    expect(setClusterOptionsInFile({ installDir: `${UNIX_DIR}/`, os: 'unix', options: BACKUP, localPath: local })).toMatchObject({ changed: false, action: 'unchanged' });
    expect(statSync(file).ino).toBe(after.ino);
    expect(statSync(file).mtimeMs).toBe(after.mtimeMs);
  });

  test('keeps every byte of a Windows script outside the one line, also bytes that are not UTF-8', () => {
    const { local } = host();
    const file = local(`${WIN_DIR}\\bin\\jobscheduler_environment_variables.cmd`);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(CMD, 'latin1'));
    expect(setClusterOptionsInFile({ installDir: WIN_DIR, os: 'windows', options: PRIMARY, localPath: local })).toMatchObject({
      file: `${WIN_DIR}\\bin\\jobscheduler_environment_variables.cmd`,
      changed: true,
    });
    const expected = Buffer.from(CMD.replace('set SCHEDULER_CLUSTER_OPTIONS=\r\n', 'set SCHEDULER_CLUSTER_OPTIONS=-exclusive\r\n'), 'latin1');
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(readFileSync(file).includes(0xfc)).toBe(true);
  });

  test('refuses a script that is a link, and changes neither the link nor its target', () => {
    const { root, local } = host();
    mkdirSync(local(`${UNIX_DIR}/bin`), { recursive: true });
    const outside = path.join(root, 'etc-profile');
    writeFileSync(outside, SH);
    symlinkSync(outside, local(`${UNIX_DIR}/bin/jobscheduler_environment_variables.sh`));
    const attempt = () => setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: PRIMARY, localPath: local });
    expect(attempt).toThrow(UnsafeScriptPathError);
    expect(attempt).toThrow(`the start script ${UNIX_DIR}/bin/jobscheduler_environment_variables.sh is a link; refusing to write through it`);
    expect(readFileSync(outside, 'utf8')).toBe(SH);
  });

  test('refuses a bin folder that is a link', () => {
    const { root, local } = host();
    mkdirSync(local(UNIX_DIR), { recursive: true });
    mkdirSync(path.join(root, 'elsewhere'));
    writeFileSync(path.join(root, 'elsewhere', 'jobscheduler_environment_variables.sh'), SH);
    symlinkSync(path.join(root, 'elsewhere'), local(`${UNIX_DIR}/bin`));
    expect(() => setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: PRIMARY, localPath: local })).toThrow(
      `its bin folder ${UNIX_DIR}/bin is a link; refusing to write through it`,
    );
  });

  test('refuses an install folder that is a link, saying to give the folder it points to', () => {
    const { root, local } = host();
    mkdirSync(path.join(root, 'real', 'bin'), { recursive: true });
    writeFileSync(path.join(root, 'real', 'bin', 'jobscheduler_environment_variables.sh'), SH);
    mkdirSync(path.dirname(local(UNIX_DIR)), { recursive: true });
    symlinkSync(path.join(root, 'real'), local(UNIX_DIR));
    expect(() => setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: PRIMARY, localPath: local })).toThrow(
      'Give the folder it points to as the install folder.',
    );
  });

  test('refuses a script with more than one hard link', () => {
    const { root, local, file } = unixMember();
    linkSync(file, path.join(root, 'copy.sh'));
    expect(() => setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: PRIMARY, localPath: local })).toThrow('has 2 hard links');
  });

  test('refuses when user_bin sets the options too, since it is read after bin and would win', () => {
    const { local, file } = unixMember();
    mkdirSync(local(`${UNIX_DIR}/user_bin`));
    writeFileSync(local(`${UNIX_DIR}/user_bin/jobscheduler_environment_variables.sh`), 'SCHEDULER_CLUSTER_OPTIONS="-exclusive"\n');
    expect(() => setClusterOptionsInFile({ installDir: UNIX_DIR, os: 'unix', options: BACKUP, localPath: local })).toThrow(
      `${UNIX_DIR}/user_bin/jobscheduler_environment_variables.sh line 1 also sets SCHEDULER_CLUSTER_OPTIONS, and it is read after bin/`,
    );
    expect(readFileSync(file, 'utf8')).toBe(SH);
  });

  test('says which folder is missing when the install folder is wrong', () => {
    const { local } = host();
    expect(() => setClusterOptionsInFile({ installDir: '/opt/nothing', os: 'unix', options: PRIMARY, localPath: local })).toThrow(
      'the install folder /opt/nothing does not exist: is this the JobScheduler install folder of this host?',
    );
  });

  test.each([
    ['unix', 'opt/jobscheduler', 'is not an absolute Unix path'],
    ['unix', '/opt/jobscheduler/../../etc', 'contains ".."'],
    ['unix', '/', 'is a root folder'],
    ['windows', 'D:\\', 'is a root folder'],
    ['windows', '\\\\server\\share\\jobscheduler', 'is a network path; give the local folder on the host'],
    ['windows', 'C:\\js\\..\\..\\Windows', 'contains ".."'],
    ['windows', 'jobscheduler', 'is not an absolute Windows path with a drive letter'],
  ] as const)('refuses %s install folder %j before touching anything', (system, dir, why) => {
    expect(() => startScriptPathOf(dir, system)).toThrow(`the install folder "${dir}" ${why}; nothing was changed`);
  });

  test('puts the script under bin of the install folder, with the separators of the host', () => {
    expect(startScriptPathOf('/opt/js/', 'unix').script).toBe('/opt/js/bin/jobscheduler_environment_variables.sh');
    expect(startScriptPathOf('C:/Program Files/js', 'windows').script).toBe('C:\\Program Files\\js\\bin\\jobscheduler_environment_variables.cmd');
  });
});
