import { readdirSync, readFileSync } from 'node:fs';

/** utime, stime, cutime, cstime and the parent of a process from /proc/<pid>/stat; undefined when it is gone. */
function stat(pid: number): { cpuS: number; ppid: number } | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields start after its last ')'.
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // USER_HZ is 100 on every Linux architecture Node runs on.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return { cpuS: ticks / 100, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process and everything under it (user + system, threads included): the live
 * processes' own time plus what their exited children left them (cutime, cstime). PostgreSQL
 * forks a backend per connection; a backend that exits between two readings moves its time into
 * the postmaster's children's time, so a difference of two readings misses nothing.
 * NaN where /proc is missing or the process is gone.
 */
export function treeCpuSeconds(rootPid: number): number {
  const root = stat(rootPid);
  if (!root) return Number.NaN;
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (!s) continue;
    children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  let total = 0;
  const visit = (pid: number) => {
    const s = stat(pid);
    if (!s) return;
    total += s.cpuS;
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return total;
}
