/**
 * Listing a host's services with `sc.exe query type= service state= all`: the reader takes key,
 * display name and state from each block by position (the labels are translated), follows sc.exe's
 * "resume at index" when the buffer was full, and refuses output it cannot read completely; the
 * simulator's sc.exe prints the listing as Windows does.
 */
import { createScExeServiceControl } from '../../activities/windows/service-control/sc-exe-service-control';
import { parseScServiceList } from '../../activities/windows/service-control/sc-exe-output';
import { emulateScExe, EmulatedServiceTable } from '../../simulator/windows/sc-exe-emulator';

const services = [
  { key: 'Spooler', display: 'Print Spooler' },
  { key: 'YSoftSQ-SPOC', display: 'Dispatcher Paragon Spooler Controller' },
  { key: 'YSoftSQ-FSP', display: 'Dispatcher Paragon  FlexiSpooler: print' },
  { key: 'WinRM', display: 'Windows Remote Management (WS-Management)' },
];

const table: EmulatedServiceTable = {
  state: (key) => (key === 'YSoftSQ-FSP' ? 'STOPPED' : services.some((s) => s.key === key) ? 'RUNNING' : undefined),
  requestStop: () => 'accepted',
  requestStart: () => 'accepted',
  list: () => services,
};

test('the emulated listing prints each service with its DISPLAY_NAME line, CRLF, as sc.exe does', () => {
  const out = emulateScExe(['query', 'type=', 'service', 'state=', 'all', 'bufsize=', '262144'], table);
  expect(out.exitCode).toBe(0);
  expect(out.stdout.split('\r\n').slice(0, 5)).toEqual(['', 'SERVICE_NAME: Spooler', 'DISPLAY_NAME: Print Spooler', '        TYPE               : 10  WIN32_OWN_PROCESS  ', '        STATE              : 4  RUNNING ']);
  expect(parseScServiceList(out.stdout)).toEqual({
    services: [
      { key: 'Spooler', display: 'Print Spooler', state: 'RUNNING' },
      { key: 'YSoftSQ-SPOC', display: 'Dispatcher Paragon Spooler Controller', state: 'RUNNING' },
      { key: 'YSoftSQ-FSP', display: 'Dispatcher Paragon  FlexiSpooler: print', state: 'STOPPED' },
      { key: 'WinRM', display: 'Windows Remote Management (WS-Management)', state: 'RUNNING' },
    ],
  });
});

test('reads a listing whose labels are translated, by position', () => {
  const french = [
    '',
    'NOM_SERVICE: YSoftSQ-SPOC',
    'NOM_AFFICHAGE: Dispatcher Paragon Spooler Controller',
    '        TYPE               : 10  WIN32_OWN_PROCESS  ',
    '        ÉTAT               : 1  STOPPED ',
    '        CODE_SORTIE_WIN32  : 0  (0x0)',
    '',
  ].join('\r\n');
  expect(parseScServiceList(french)).toEqual({ services: [{ key: 'YSoftSQ-SPOC', display: 'Dispatcher Paragon Spooler Controller', state: 'STOPPED' }] });
});

test.each([
  ['a block without its state (cut output)', 'SERVICE_NAME: Spooler\r\nDISPLAY_NAME: Print Spooler\r\n'],
  ['a block without its display name', 'SERVICE_NAME: Spooler\r\n        STATE              : 4  RUNNING \r\n'],
  ['not sc.exe at all', "'sc.exe' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n"],
  ['a line at the margin it does not know (a translated "more data")', 'SERVICE_NAME: Spooler\r\nDISPLAY_NAME: Print Spooler\r\n        STATE              : 4  RUNNING \r\nMehr Daten vorhanden, Index 1\r\n'],
])('refuses %s rather than act on a partial list', (_what, output) => {
  expect(parseScServiceList(output)).toBeUndefined();
});

test('a full buffer says where to resume; the service control asks again from there and lists every service', async () => {
  const small = emulateScExe(['query', 'type=', 'service', 'state=', 'all', 'bufsize=', '250'], table);
  const first = parseScServiceList(small.stdout);
  expect(first?.services.map((s) => s.key)).toEqual(['Spooler', 'YSoftSQ-SPOC']);
  expect(small.stdout).toMatch(/Enum: more data, need \d+ bytes start resume at index 2\r\n/);
  expect(first?.resumeAt).toBe(2);

  const calls: string[][] = [];
  const control = createScExeServiceControl(async (_file, args) => {
    calls.push(args);
    // A host whose sc.exe buffer holds two services at most, whatever is asked.
    return emulateScExe(args.map((a, i) => (args[i - 1] === 'bufsize=' ? '250' : a)), table);
  });
  expect((await control.list()).map((s) => s.key)).toEqual(['Spooler', 'YSoftSQ-SPOC', 'YSoftSQ-FSP', 'WinRM']);
  expect(calls).toEqual([
    ['query', 'type=', 'service', 'state=', 'all', 'bufsize=', '262144'],
    ['query', 'type=', 'service', 'state=', 'all', 'bufsize=', '262144', 'ri=', '2'],
    ['query', 'type=', 'service', 'state=', 'all', 'bufsize=', '262144', 'ri=', '3'],
  ]);
});

test('output the reader cannot read completely fails the listing instead of answering part of it', async () => {
  const control = createScExeServiceControl(async () => ({ exitCode: 0, stdout: 'SERVICE_NAME: Spooler\r\nDISPLAY_NAME: Print Spooler\r\n', stderr: '' }));
  await expect(control.list()).rejects.toMatchObject({ name: 'ServiceControlOutputError' });
});

test('a table that cannot enumerate refuses the listing command', () => {
  const { list: _list, ...single } = table;
  expect(() => emulateScExe(['query', 'type=', 'service', 'state=', 'all'], single)).toThrow(/cannot enumerate/);
});
