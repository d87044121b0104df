import { readFileSync } from 'node:fs';

/**
 * CPU seconds the whole machine has been busy since boot (every process: PostgreSQL, the
 * Temporal server, the kernel's loopback work), from /proc/stat; undefined off Linux. A phase's
 * difference says what it cost the machine, not only the processes the bench started itself.
 */
export function machineCpuSeconds(): number | undefined {
  try {
    const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // USER_HZ is 100 on every Linux architecture Node runs on.
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return undefined;
  }
}

/** Machine CPU seconds since `from` (a machineCpuSeconds() reading); undefined where it cannot be read. */
export function machineCpuSince(from: number | undefined): number | undefined {
  const now = machineCpuSeconds();
  return from === undefined || now === undefined ? undefined : Number((now - from).toFixed(1));
}
