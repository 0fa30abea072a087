/**
 * How the embedded dev server keeps its SQLite file. SQLite's default journal (a rollback journal
 * created and deleted for every transaction) made the dev server the busiest process of a large
 * rollout; with write-ahead logging each transaction appends to `temporal.sqlite-wal` instead.
 * Measured with `npm run bench:fleet` (400 servers, convergence 10 s, one run each): the dev
 * server's CPU per step 35.2 ms before, 29.5 ms after; workflow task latency p50 95 → 61 ms.
 *
 * `synchronous=full` (SQLite's default, said explicitly: a build of SQLite may default to less in
 * this mode): every commit is on disk before the server answers, so a machine that loses power
 * loses nothing the procedures were told was done, as before. The data folder then holds
 * `temporal.sqlite-wal` and `temporal.sqlite-shm` beside the database: they are part of it (copy
 * the folder with the server stopped, never the `.sqlite` file alone).
 */
export const SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=full'] as const;

/** The pragmas as `temporal server start-dev` flags. */
export function sqlitePragmaFlags(): string[] {
  return SQLITE_PRAGMAS.flatMap((pragma) => ['--sqlite-pragma', pragma]);
}
