#!/usr/bin/env node
// One Windows program (sc.exe, shutdown.exe, powershell.exe) on a machine that is not Windows, for
// the tests that run the real agent process on Linux: it hands its command line to the simulated
// Windows of its host (fake-windows-server.ts, over a local socket) and prints what Windows would
// print, exiting with Windows' exit code. Plain JavaScript, so that each run costs a bare Node start:
// the agent runs sc.exe on every poll.
//
//   windows-program.cjs <socket> <host> <program> [args...]
'use strict';
const net = require('node:net');

const [socketPath, host, program, ...args] = process.argv.slice(2);
if (!socketPath || !host || !program) {
  process.stderr.write('usage: windows-program.cjs <socket> <host> <program> [args...]\n');
  process.exit(87);
}

const socket = net.createConnection({ path: socketPath, allowHalfOpen: true });
let answer = '';
socket.setEncoding('utf8');
socket.on('connect', () => socket.end(JSON.stringify({ host, program, args })));
socket.on('data', (chunk) => (answer += chunk));
socket.on('end', () => {
  let reply;
  try {
    reply = JSON.parse(answer);
  } catch {
    process.stderr.write(`${program}: no answer from the simulated Windows of ${host}\n`);
    process.exit(1);
  }
  if (typeof reply.error === 'string') {
    process.stderr.write(`${program}: ${reply.error}\n`);
    process.exit(1);
  }
  process.stdout.write(reply.stdout);
  process.stderr.write(reply.stderr);
  process.exitCode = reply.exitCode;
});
socket.on('error', (err) => {
  process.stderr.write(`${program}: the simulated Windows of ${host} does not answer at ${socketPath}: ${err.message}\n`);
  process.exit(1);
});
