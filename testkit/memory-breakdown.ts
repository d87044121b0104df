/**
 * Where a process's resident memory goes, for the benches that hold a worker to an RSS target:
 * the V8 heap of the main thread (by space), memory V8 knows of outside its heap (Buffers, the
 * pg client's and sockets' bytes), the SMTP send thread's own heap, and the rest (native: Node,
 * the Temporal core's Rust side, code, malloc's unreturned pages). A sampler keeps the breakdown
 * of the moment RSS was highest, so the peak is explained, not just measured.
 */
import { readFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

export interface MemoryBreakdown {
  rssMb: number;
  heapTotalMb: number;
  heapUsedMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** V8 heap spaces of the main thread: committed size and used, MB. */
  spaces: Record<string, { sizeMb: number; usedMb: number }>;
  /** The SMTP send thread's isolate, when the worker sends on a thread and it runs. */
  sendThreadHeapMb?: number;
  /**
   * Every worker thread's V8 heap (total size) and external memory, from the diagnostic report:
   * the send thread and the Temporal SDK's workflow thread (its own isolate, the bundle and the cached workflows).
   */
  threadHeapsMb: number[];
  threadExternalMb: number;
  /** Resident pages that are anonymous (heaps, malloc) and file-backed (code of node and native modules). */
  rssAnonMb?: number;
  rssFileMb?: number;
  /** rss - heapTotal - external - the threads' heaps and external: native memory (malloc, Rust) and code. */
  otherMb: number;
}

interface ReportHeap {
  threadId?: number;
  totalMemory: number;
  externalMemory: number;
}

/** The worker threads' heaps; the report takes a few ms (each thread is interrupted to answer). */
function threadHeaps(): ReportHeap[] {
  const report = process.report.getReport() as unknown as {
    workers?: { header?: { threadId?: number }; javascriptHeap?: ReportHeap }[];
  };
  return (report.workers ?? []).flatMap((w) =>
    w.javascriptHeap ? [{ ...w.javascriptHeap, threadId: w.header?.threadId }] : [],
  );
}

function procStatusMb(): { rssAnonMb?: number; rssFileMb?: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name: string) => {
      const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
    };
    return { rssAnonMb: field('RssAnon'), rssFileMb: field('RssFile') };
  } catch {
    return {};
  }
}

const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;

/** sendThreadId: the SMTP send thread's threadId, to name its heap among the threads'. */
export function memoryBreakdown(sendThreadId?: number): MemoryBreakdown {
  const m = process.memoryUsage();
  const spaces: MemoryBreakdown['spaces'] = {};
  for (const s of getHeapSpaceStatistics()) {
    if (s.space_size > 0) spaces[s.space_name] = { sizeMb: mb(s.space_size), usedMb: mb(s.space_used_size) };
  }
  const threads = threadHeaps();
  const threadHeapsMb = threads.map((t) => mb(t.totalMemory));
  const threadExternalMb = mb(threads.reduce((sum, t) => sum + t.externalMemory, 0));
  const threadsMb = threadHeapsMb.reduce((a, b) => a + b, 0) + threadExternalMb;
  const sendThread = threads.find((t) => sendThreadId !== undefined && t.threadId === sendThreadId);
  const sendThreadHeapMb = sendThread ? mb(sendThread.totalMemory) : undefined;
  return {
    rssMb: mb(m.rss),
    heapTotalMb: mb(m.heapTotal),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    spaces,
    ...(sendThreadHeapMb !== undefined ? { sendThreadHeapMb } : {}),
    threadHeapsMb,
    threadExternalMb,
    ...procStatusMb(),
    otherMb: Math.round((mb(m.rss) - mb(m.heapTotal) - mb(m.external) - threadsMb) * 10) / 10,
  };
}

/** Samples RSS every `everyMs` and keeps the full breakdown of the highest sample (within 1 MB). */
export function startPeakSampler(
  sendThreadId: () => number | undefined = () => undefined,
  everyMs = 100,
): {
  /** The breakdown at the highest RSS since the start or the last reset. */
  peak(): MemoryBreakdown | undefined;
  /** Starts a new peak (e.g. dispatch's, after the resolution's). */
  reset(): void;
  now(): MemoryBreakdown;
  stop(): void;
} {
  let peak: MemoryBreakdown | undefined;
  const timer = setInterval(() => {
    // A new breakdown per MB of new peak: the report behind it interrupts every thread for a few ms.
    if (process.memoryUsage.rss() > ((peak?.rssMb ?? 0) + 1) * 1_048_576) peak = memoryBreakdown(sendThreadId());
  }, everyMs);
  timer.unref();
  return {
    peak: () => peak,
    reset: () => (peak = undefined),
    now: () => memoryBreakdown(sendThreadId()),
    stop: () => clearInterval(timer),
  };
}

/** The breakdown as flat bench figures (details tables are flat): `<prefix>_rss_mb`, ..., spaces as "size/used" text. */
export function memoryFigures(prefix: string, b: MemoryBreakdown | undefined): Record<string, number | string> {
  if (!b) return { [`${prefix}_rss_mb`]: 'n/a' };
  return {
    [`${prefix}_rss_mb`]: b.rssMb,
    [`${prefix}_heap_total_mb`]: b.heapTotalMb,
    [`${prefix}_heap_used_mb`]: b.heapUsedMb,
    [`${prefix}_external_mb`]: b.externalMb,
    [`${prefix}_array_buffers_mb`]: b.arrayBuffersMb,
    [`${prefix}_send_thread_heap_mb`]: b.sendThreadHeapMb ?? 'n/a',
    [`${prefix}_thread_heaps_mb`]: b.threadHeapsMb.join(' / ') || 'none',
    [`${prefix}_thread_external_mb`]: b.threadExternalMb,
    [`${prefix}_rss_anon_mb`]: b.rssAnonMb ?? 'n/a',
    [`${prefix}_rss_file_mb`]: b.rssFileMb ?? 'n/a',
    [`${prefix}_other_mb`]: b.otherMb,
    [`${prefix}_heap_spaces_size_used_mb`]: Object.entries(b.spaces)
      .map(([name, s]) => `${name.replace(/_space$/, '')} ${s.sizeMb}/${s.usedMb}`)
      .join(', '),
  };
}
