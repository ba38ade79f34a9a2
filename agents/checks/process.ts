import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * Pure: does a process with this comm (/proc/PID/comm, cut to 15 bytes by
 * the kernel) and argv[0] go by `name`?
 */
export function processMatches(name: string, comm: string, argv0: string): boolean {
  if (comm === name || basename(argv0) === name) return true;
  // The kernel truncates comm to 15 characters.
  return name.length > 15 && comm.length === 15 && name.startsWith(comm);
}

/** The PIDs of processes named `name`, read from /proc. */
export async function findProcesses(name: string, procDir = '/proc'): Promise<number[]> {
  const entries = await readdir(procDir);
  const pids: number[] = [];
  await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry) => {
        try {
          const [comm, cmdline] = await Promise.all([
            readFile(`${procDir}/${entry}/comm`, 'utf8'),
            readFile(`${procDir}/${entry}/cmdline`, 'utf8'),
          ]);
          if (processMatches(name, comm.trim(), cmdline.split('\0')[0] ?? '')) pids.push(Number(entry));
        } catch {
          // the process ended while we looked
        }
      }),
  );
  return pids.sort((a, b) => a - b);
}
