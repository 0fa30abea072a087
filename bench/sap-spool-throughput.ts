/**
 * `npm run bench`, part 5: output throughput of a spool server by number of work processes and
 * share of devices with a set sequence, computed on the pure dispatcher in simulated time
 * (machines/sap/spool-dispatch-timeline.ts): no server, the same rules as the durable dispatcher.
 * The last column is the source's point: the requests of one sequence device are processed by one
 * work process, so more work processes do not make that device faster.
 */
import { runTimeline } from '../machines/sap/spool-dispatch-timeline';
import type { SpoolTask } from '../machines/sap/spool-tasks';

const WORK_PROCESSES = [1, 2, 4, 8, 16];
/** Of the DEVICES devices, how many keep a set sequence. */
const SEQUENCE_DEVICES = [0, 2, 4, 8];
const DEVICES = 8;
const REQUESTS = 480;
/** Simulated seconds one output request takes. */
const SECONDS = 1;

/** Requests per simulated minute, all requests there at the start, spread over the devices in turn. */
export function throughput(workProcesses: number, devices: { name: string; sequence: boolean }[]): number {
  const arrivals = Array.from({ length: REQUESTS }, (_, i) => {
    const device = devices[i % devices.length]!;
    const task: SpoolTask = { kind: 'output', id: `r${i}`, device: device.name, sequence: device.sequence, frontend: false };
    return { at: 0, server: 'spool1', task };
  });
  const timeline = runTimeline({ servers: [{ server: 'spool1', step: '4.6A-and-later', workProcesses }], arrivals, duration: () => SECONDS });
  return (REQUESTS / timeline.end) * 60;
}

export function sapSpoolThroughput(): void {
  const devices = (sequence: number) => Array.from({ length: DEVICES }, (_, i) => ({ name: `lp${i}`, sequence: i < sequence }));
  const header = ['work processes', ...SEQUENCE_DEVICES.map((s) => `${s} of ${DEVICES} in sequence`), 'one sequence device'];
  const rows = WORK_PROCESSES.map((n) => [String(n), ...SEQUENCE_DEVICES.map((s) => throughput(n, devices(s)).toFixed(0)), throughput(n, [{ name: 'lp0', sequence: true }]).toFixed(0)]);
  console.log(`\n5. SAP spool output throughput (requests per minute; ${REQUESTS} requests of ${SECONDS} s on ${DEVICES} devices; pure dispatcher, simulated time)`);
  const width = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `   | ${cells.map((c, i) => c.padStart(width[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`   |${width.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
  console.log('   More work processes do not help a single sequence device: its requests go to one reserved work process.');
}
