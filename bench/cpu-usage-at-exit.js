// Preloaded (node --require) into each command the CLI latency bench runs: writes the process's CPU
// time (user + system, all threads, in ms) at exit into the file BENCH_CPU_FILE names. On a busy
// machine the wall time mostly measures the other load; the CPU time barely changes with it.
const fs = require('node:fs');

process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  fs.writeFileSync(process.env.BENCH_CPU_FILE, String((user + system) / 1000));
});

// A command the bench stops after its first line (watch of a running procedure) still writes its CPU time.
process.on('SIGTERM', () => process.exit(143));
