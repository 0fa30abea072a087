/**
 * Setting a JobScheduler member's cluster options in its start script, idempotently
 * (docs/jobscheduler-cluster.md#the-start-script-edit).
 *
 * Which file: the source says `./bin/jobscheduler_environment_variables.sh` on Unix and, on Windows,
 * "modify .\bin\jobscheduler_environment_variables.cmd" (its summary line: "./bin/
 * jobscheduler_environment_variables file.(sh|cmd)"). `.\bin\jobscheduler.cmd` is only the script
 * run to remove and install the service (see jobscheduler-windows-service.ts); it is not edited.
 *
 * How the text is changed, in order of preference:
 * - One live assignment (`SCHEDULER_CLUSTER_OPTIONS=...`, `export SCHEDULER_CLUSTER_OPTIONS=...`;
 *   `set ...=` / `set "...=..."` in any case for cmd): its value is replaced in place; what comes
 *   before the name and after the value (a `# comment`, `; export ...`) is kept. A line that already
 *   gives exactly the wanted value, quoted or not, is left as it is and nothing is written.
 * - No live assignment, but a commented-out one (`# SCHEDULER_CLUSTER_OPTIONS=`, `@rem set ...=`,
 *   `:: set ...=`): the comment is left as it was, and a live line in the same style is added right
 *   after it. Comments are the vendor's documentation of the default; uncommenting would rewrite a
 *   line we do not own, and the new line next to it is where a reader looks.
 * - Neither: a live line is appended at the end.
 * - Two or more live assignments: refused. Which one wins depends on the script's flow (an `if`, a
 *   `goto`), and guessing could leave the member starting with the old options.
 * - A line that mentions `SCHEDULER_CLUSTER_OPTIONS=` in a way not read here (after `if ... set`,
 *   `set /p`, an unquoted value with a space in sh, a value followed by `& other command` in cmd):
 *   refused, for the same reason.
 *
 * Values are written `SCHEDULER_CLUSTER_OPTIONS="-exclusive -backup"` in sh (the quotes keep the
 * words together) and `set SCHEDULER_CLUSTER_OPTIONS=-exclusive -backup` in cmd (where quotes
 * would become part of the value). Every other line is kept byte for byte: each line keeps its own
 * ending (CRLF stays CRLF), an added line takes the ending of its neighbours, and a missing final
 * newline stays missing. Files are read and written as latin1, which maps every byte to one
 * character and back, so comments in any code page survive unchanged (the edit itself is ASCII).
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { formatClusterOptions, type ClusterStartOptions } from '../../machines/jobscheduler/cluster-options';

/** The variable the start scripts pass to JobScheduler as its cluster options. */
export const CLUSTER_OPTIONS_VARIABLE = 'SCHEDULER_CLUSTER_OPTIONS';

/** The shell a start script is written for. */
export type StartScriptKind = 'sh' | 'cmd';

/** Where the cluster options are set, relative to the install folder, by operating system. */
export const START_SCRIPT = {
  unix: { kind: 'sh', relative: ['bin', 'jobscheduler_environment_variables.sh'] },
  windows: { kind: 'cmd', relative: ['bin', 'jobscheduler_environment_variables.cmd'] },
} as const satisfies Record<'unix' | 'windows', { kind: StartScriptKind; relative: readonly string[] }>;

/** Base of the errors below; `name` is the wire name Temporal retry policies match on. */
export class ClusterOptionFileError extends Error {
  override readonly name: string = 'ClusterOptionFileError';
}

/** The script sets the variable more than once; nothing was changed. Not retryable. */
export class DuplicateClusterOptionsError extends ClusterOptionFileError {
  override readonly name: string = 'DuplicateClusterOptionsError';
}

/** The script mentions the variable in a line this code does not read; nothing was changed. Not retryable. */
export class UnreadableClusterOptionsError extends ClusterOptionFileError {
  override readonly name: string = 'UnreadableClusterOptionsError';
}

/** The install folder or the script is not where or what it must be; nothing was changed. Not retryable. */
export class UnsafeScriptPathError extends ClusterOptionFileError {
  override readonly name: string = 'UnsafeScriptPathError';
}

/** The script changed on disk while it was being edited; nothing was written. Retryable. */
export class ScriptChangedMeanwhileError extends ClusterOptionFileError {
  override readonly name: string = 'ScriptChangedMeanwhileError';
}

// ---------------------------------------------------------------------------------------- lines

interface Line {
  body: string;
  eol: '' | '\n' | '\r\n';
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const pattern = /([^\n]*?)(\r\n|\n|$)/gy;
  for (let at = 0; at < text.length; ) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) break;
    lines.push({ body: match[1] ?? '', eol: (match[2] ?? '') as Line['eol'] });
    at = pattern.lastIndex;
  }
  return lines;
}

const joinLines = (lines: readonly Line[]) => lines.map((line) => line.body + line.eol).join('');

/** The ending most lines of the file use; for a file without any, the platform's own. */
function dominantEol(lines: readonly Line[], kind: StartScriptKind): '\n' | '\r\n' {
  const crlf = lines.filter((line) => line.eol === '\r\n').length;
  const lf = lines.filter((line) => line.eol === '\n').length;
  if (crlf === 0 && lf === 0) return kind === 'cmd' ? '\r\n' : '\n';
  return crlf > lf ? '\r\n' : '\n';
}

// ----------------------------------------------------------------------------- reading a line

/** A live assignment, cut into the part before the value, the value as written, and the rest. */
interface Assignment {
  /** Everything up to and including `=` (and the opening quote of `set "NAME=`). */
  head: string;
  /** The value as written, quotes included for sh. */
  raw: string;
  /** What the shell makes of `raw`. */
  value: string;
  /** What follows the value: `"` of `set "...", a comment, `; export ...`. */
  tail: string;
}

type LineReading =
  | { type: 'assignment'; assignment: Assignment }
  | { type: 'commented'; liveHead: string }
  | { type: 'unreadable'; why: string }
  | { type: 'other' };

const NAME = CLUSTER_OPTIONS_VARIABLE;

function readShLine(body: string): LineReading {
  const live = /^(\s*(?:export\s+)?)SCHEDULER_CLUSTER_OPTIONS=(.*)$/.exec(body);
  if (live) {
    const lead = live[1] ?? '';
    const rest = live[2] ?? '';
    const token = /^(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s;&|"']*))/.exec(rest);
    const raw = token?.[0] ?? '';
    const tail = rest.slice(raw.length);
    if (!/^(?:\s*|\s+#.*|\s*;.*)$/.test(tail)) {
      return {
        type: 'unreadable',
        why: /^\s/.test(tail) && !/^\s+[#;]/.test(tail)
          ? 'the value is not one shell word: an unquoted space ends the assignment and runs the rest as a command'
          : 'the value is followed by text that would become part of it',
      };
    }
    const value = token?.[1] !== undefined ? token[1].replace(/\\(["\\$`])/g, '$1') : (token?.[2] ?? token?.[3] ?? '');
    return { type: 'assignment', assignment: { head: `${lead}${NAME}=`, raw, value, tail } };
  }
  const commented = /^(\s*)#+\s*((?:export\s+)?)SCHEDULER_CLUSTER_OPTIONS=/.exec(body);
  if (commented) return { type: 'commented', liveHead: `${commented[1] ?? ''}${commented[2] ?? ''}${NAME}=` };
  if (/^\s*#/.test(body)) return { type: 'other' };
  if (/(?<![\w$])SCHEDULER_CLUSTER_OPTIONS=/.test(body)) return { type: 'unreadable', why: 'the variable is assigned somewhere other than at the start of the line' };
  return { type: 'other' };
}

function readCmdLine(body: string): LineReading {
  const live = /^(\s*@?\s*set\s+)("?)(SCHEDULER_CLUSTER_OPTIONS)=(.*)$/i.exec(body);
  if (live) {
    const [, lead = '', quote = '', name = NAME, rest = ''] = live;
    if (quote === '"') {
      // `set "NAME=value"`: the value ends at the last quote of the line.
      const close = rest.lastIndexOf('"');
      const value = close < 0 ? rest : rest.slice(0, close);
      const tail = close < 0 ? '' : rest.slice(close);
      if (!/^"?\s*$/.test(tail)) return { type: 'unreadable', why: 'the quoted assignment is followed by more commands' };
      return { type: 'assignment', assignment: { head: `${lead}"${name}=`, raw: value, value, tail } };
    }
    if (/[&|<>]/.test(rest)) return { type: 'unreadable', why: 'the value is followed by more commands or a redirection' };
    return { type: 'assignment', assignment: { head: `${lead}${name}=`, raw: rest, value: rest, tail: '' } };
  }
  const commented = /^(\s*)@?\s*(?:rem(?=\s)|::)\s*(@?\s*set\s+)?"?(SCHEDULER_CLUSTER_OPTIONS)=/i.exec(body);
  if (commented) {
    const set = (commented[2] ?? '').replace(/^@?\s*/, '') || 'set ';
    return { type: 'commented', liveHead: `${commented[1] ?? ''}${set}${commented[3] ?? NAME}=` };
  }
  if (/^\s*@?\s*(?:rem(?:\s|$)|::)/i.test(body)) return { type: 'other' };
  if (/(?<![\w%])SCHEDULER_CLUSTER_OPTIONS=/i.test(body)) return { type: 'unreadable', why: 'the variable is set other than by a plain `set` at the start of the line' };
  return { type: 'other' };
}

const readLine = (body: string, kind: StartScriptKind) => (kind === 'sh' ? readShLine(body) : readCmdLine(body));

/** The value as it is written into a script of this kind. */
function quoted(options: string, kind: StartScriptKind): string {
  return kind === 'sh' ? `"${options}"` : options;
}

// ---------------------------------------------------------------------------- the pure edit

/** The result of {@link setClusterOptionsInText}. */
export interface ClusterOptionsEdit {
  /** The whole new text of the script (the same string as given when nothing changed). */
  text: string;
  changed: boolean;
  /**
   * `unchanged`: the live line already gives the wanted options; `replaced`: its value was
   * replaced; `added-after-comment`: a live line was added below the commented-out default;
   * `appended`: a live line was added at the end.
   */
  action: 'unchanged' | 'replaced' | 'added-after-comment' | 'appended';
  /** 1-based number of the live line in the new text. */
  line: number;
  /** The live line as it was, when there was one. */
  before?: string;
  /** The live line as it is now. */
  after: string;
}

/**
 * Sets the cluster options in the text of a start script. Pure. Throws
 * {@link DuplicateClusterOptionsError} or {@link UnreadableClusterOptionsError} rather than guess.
 *
 * @param fileName used in error messages only.
 */
export function setClusterOptionsInText(
  text: string,
  kind: StartScriptKind,
  options: ClusterStartOptions,
  fileName: string = kind === 'sh' ? START_SCRIPT.unix.relative.join('/') : START_SCRIPT.windows.relative.join('\\'),
): ClusterOptionsEdit {
  const wanted = formatClusterOptions(options);
  const lines = splitLines(text);
  const live: Array<{ index: number; assignment: Assignment }> = [];
  let lastComment: { index: number; liveHead: string } | undefined;

  lines.forEach((line, index) => {
    const reading = readLine(line.body, kind);
    if (reading.type === 'assignment') live.push({ index, assignment: reading.assignment });
    else if (reading.type === 'commented') lastComment = { index, liveHead: reading.liveHead };
    else if (reading.type === 'unreadable') {
      throw new UnreadableClusterOptionsError(
        `${fileName} line ${index + 1} sets ${NAME} in a way this step cannot rewrite safely (${reading.why}): ` +
          `"${line.body.trim()}". Nothing was changed. Make it a plain assignment, ` +
          `${kind === 'sh' ? `${NAME}="${wanted}"` : `set ${NAME}=${wanted}`}, by hand, then retry the step.`,
      );
    }
  });

  if (live.length > 1) {
    throw new DuplicateClusterOptionsError(
      `${fileName} sets ${NAME} on lines ${live.map((l) => l.index + 1).join(', ')}; which one takes effect depends on ` +
        'the flow of the script, so nothing was changed. Keep one of them (or comment the others out) by hand, then retry the step.',
    );
  }

  const [found] = live;
  if (found) {
    const line = lines[found.index] as Line;
    const { assignment } = found;
    if (assignment.value === wanted) {
      return { text, changed: false, action: 'unchanged', line: found.index + 1, before: line.body, after: line.body };
    }
    // In cmd's `set "NAME=value"` form the closing quote is in `tail`, so the value goes in bare there too.
    const body = `${assignment.head}${quoted(wanted, kind)}${assignment.tail}`;
    const next = lines.map((l, i) => (i === found.index ? { ...l, body } : l));
    return { text: joinLines(next), changed: true, action: 'replaced', line: found.index + 1, before: line.body, after: body };
  }

  const eol = dominantEol(lines, kind);
  if (lastComment) {
    const anchor = lines[lastComment.index] as Line;
    const body = `${lastComment.liveHead}${quoted(wanted, kind)}`;
    // The new line takes the anchor's ending; a last line without one gives its place to the new line.
    const added: Line = { body, eol: anchor.eol };
    const next = [...lines.slice(0, lastComment.index), { ...anchor, eol: anchor.eol || eol }, added, ...lines.slice(lastComment.index + 1)];
    return { text: joinLines(next), changed: true, action: 'added-after-comment', line: lastComment.index + 2, after: body };
  }

  const body = kind === 'sh' ? `${NAME}=${quoted(wanted, kind)}` : `set ${NAME}=${wanted}`;
  const last = lines[lines.length - 1];
  const next: Line[] =
    last === undefined
      ? [{ body, eol }]
      : last.eol === ''
        ? [...lines.slice(0, -1), { ...last, eol }, { body, eol: '' }]
        : [...lines, { body, eol }];
  return { text: joinLines(next), changed: true, action: 'appended', line: next.length, after: body };
}

/**
 * The cluster options a start script gives now, with the 1-based line, or undefined when it sets
 * none. Throws like {@link setClusterOptionsInText} when that cannot be told for sure.
 */
export function readClusterOptionsFromText(text: string, kind: StartScriptKind, fileName = 'the start script'): { value: string; line: number } | undefined {
  const found: Array<{ value: string; line: number }> = [];
  splitLines(text).forEach((line, index) => {
    const reading = readLine(line.body, kind);
    if (reading.type === 'assignment') found.push({ value: reading.assignment.value, line: index + 1 });
    if (reading.type === 'unreadable') throw new UnreadableClusterOptionsError(`${fileName} line ${index + 1}: ${reading.why}: "${line.body.trim()}"`);
  });
  if (found.length > 1) throw new DuplicateClusterOptionsError(`${fileName} sets ${NAME} on lines ${found.map((f) => f.line).join(', ')}`);
  return found[0];
}

// ------------------------------------------------------------------------------- the file

/** The start script of an install folder, as a path on the host, or an {@link UnsafeScriptPathError}. */
export function startScriptPathOf(installDir: string, os: 'unix' | 'windows'): { installDir: string; binDir: string; script: string } {
  const refuse = (why: string) => new UnsafeScriptPathError(`the install folder "${installDir}" ${why}; nothing was changed`);
  if (installDir.trim() !== installDir || installDir === '') throw refuse('is empty or begins or ends with a space');
  if (installDir.includes('\0')) throw refuse('contains a NUL character');
  const p = os === 'unix' ? path.posix : path.win32;
  if (os === 'unix') {
    if (!installDir.startsWith('/')) throw refuse('is not an absolute Unix path');
    if (installDir.split('/').includes('..')) throw refuse('contains ".."');
  } else {
    if (/^[\\/]{2}/.test(installDir)) throw refuse('is a network path; give the local folder on the host');
    if (!/^[A-Za-z]:[\\/]/.test(installDir)) throw refuse('is not an absolute Windows path with a drive letter');
    if (installDir.split(/[\\/]+/).includes('..')) throw refuse('contains ".."');
  }
  const root = p.normalize(installDir).replace(/[\\/]+$/, '');
  if (root === '' || /^[A-Za-z]:$/.test(root)) throw refuse('is a root folder');
  const { relative } = START_SCRIPT[os];
  const binDir = p.join(root, ...relative.slice(0, -1));
  const script = p.join(root, ...relative);
  // Fixed names under a checked root cannot leave it; asserted so that a change to START_SCRIPT cannot either.
  if (p.relative(root, script).split(p.sep)[0] === '..') throw refuse('would put the start script outside it');
  return { installDir: root, binDir, script };
}

/** What {@link setClusterOptionsInFile} did. */
export type ClusterOptionsFileResult = Omit<ClusterOptionsEdit, 'text'> & {
  /** The start script, as a path on the host. */
  file: string;
};

/** A request to {@link setClusterOptionsInFile}. */
export interface SetClusterOptionsRequest {
  installDir: string;
  os: 'unix' | 'windows';
  options: ClusterStartOptions;
  /**
   * Maps a path on the host to this machine's file system: identity on the host itself (the
   * default), the host's folder in the simulator.
   */
  localPath?: (hostPath: string) => string;
}

/**
 * Sets the member's cluster options in its start script: reads it, computes the new text with
 * {@link setClusterOptionsInText}, and when something changes writes it atomically (a temporary
 * file in the same folder with the script's mode and owner, flushed, then renamed over it). The
 * install folder, its `bin` folder and the script must be real folders and a regular file, not
 * links, so the write cannot land outside the install folder. Running it twice changes nothing the
 * second time, and then nothing is written at all.
 *
 * Refuses as well when `user_bin/` holds a script of the same name that sets the variable: that
 * one is read after `bin/` and would silently win.
 */
export function setClusterOptionsInFile(request: SetClusterOptionsRequest): ClusterOptionsFileResult {
  const local = request.localPath ?? ((hostPath: string) => hostPath);
  const { installDir, binDir, script } = startScriptPathOf(request.installDir, request.os);
  const kind = START_SCRIPT[request.os].kind;
  const name = request.os === 'unix' ? START_SCRIPT.unix.relative.join('/') : START_SCRIPT.windows.relative.join('\\');

  requireReal(local(installDir), installDir, 'the install folder', 'folder');
  requireReal(local(binDir), binDir, 'its bin folder', 'folder');
  const stat = requireReal(local(script), script, 'the start script', 'file');
  if (stat.nlink > 1) {
    throw new UnsafeScriptPathError(
      `${script} has ${stat.nlink} hard links; replacing it would leave the other names with the old options. ` +
        'Make it a single file by hand, then retry the step.',
    );
  }
  refuseUserBinOverride(request.os, installDir, local);

  const original = readFileSync(local(script));
  const edit = setClusterOptionsInText(original.toString('latin1'), kind, request.options, name);
  const { text, ...result } = edit;
  if (edit.changed) writeAtomically(local(script), script, Buffer.from(text, 'latin1'), original, stat);
  return { ...result, file: script };
}

function requireReal(localFile: string, hostPath: string, what: string, type: 'folder' | 'file'): Stats {
  let stat: Stats;
  try {
    stat = lstatSync(localFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UnsafeScriptPathError(`${what} ${hostPath} does not exist: is this the JobScheduler install folder of this host?`);
    }
    throw err;
  }
  if (stat.isSymbolicLink()) {
    throw new UnsafeScriptPathError(
      `${what} ${hostPath} is a link; refusing to write through it, which could change a file outside the install folder. ` +
        (type === 'folder' ? 'Give the folder it points to as the install folder.' : 'Replace the link by the file itself, then retry the step.'),
    );
  }
  if (type === 'folder' ? !stat.isDirectory() : !stat.isFile()) throw new UnsafeScriptPathError(`${what} ${hostPath} is not a ${type}`);
  return stat;
}

function refuseUserBinOverride(os: 'unix' | 'windows', installDir: string, local: (hostPath: string) => string): void {
  const p = os === 'unix' ? path.posix : path.win32;
  const relative = START_SCRIPT[os].relative;
  const override = p.join(installDir, 'user_bin', ...relative.slice(1));
  let text: string;
  try {
    text = readFileSync(local(override)).toString('latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const found = readClusterOptionsFromText(text, START_SCRIPT[os].kind, override);
  if (found) {
    throw new UnsafeScriptPathError(
      `${override} line ${found.line} also sets ${NAME}, and it is read after bin/, so a change in bin/ would have no effect. ` +
        'Remove that line (or set the options there by hand), then retry the step.',
    );
  }
}

function writeAtomically(localFile: string, hostPath: string, content: Buffer, expected: Buffer, stat: Stats): void {
  const dir = path.dirname(localFile);
  const temp = path.join(dir, `.${path.basename(localFile)}.spoolflow-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', stat.mode & 0o777);
  try {
    try {
      writeSync(fd, content);
      fchmodSync(fd, stat.mode & 0o7777);
      // Only root may give the file back to its owner (the JobScheduler account); anyone else writes as the owner anyway.
      if (process.getuid?.() === 0 && (stat.uid !== 0 || stat.gid !== 0)) fchownSync(fd, stat.uid, stat.gid);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (!readFileSync(localFile).equals(expected)) {
      throw new ScriptChangedMeanwhileError(`${hostPath} changed while its cluster options were being set; nothing was written. Retry the step.`);
    }
    renameSync(temp, localFile);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Already renamed into place, or never created.
    }
    throw err;
  }
  syncFolder(dir);
}

/** Makes the rename durable where the platform allows opening a folder (not Windows). */
function syncFolder(dir: string): void {
  if (process.platform === 'win32') return;
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Durability of the rename is best effort; the content itself was flushed before it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
