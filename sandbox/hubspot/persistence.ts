import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SandboxState, type SerializedState } from './state.js';

export interface Persistence {
  load(): SandboxState | undefined;
  /** Writes soon; many changes in a burst cost one write. */
  schedule(state: SandboxState): void;
  flush(): void;
  cancel(): void;
}

export function createPersistence(file: string, debounceMs = 250): Persistence {
  let timer: NodeJS.Timeout | undefined;
  let pending: SandboxState | undefined;

  const write = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending) return;
    const state = pending;
    pending = undefined;
    mkdirSync(dirname(file), { recursive: true });
    // Write-then-rename: a crash mid-write never leaves half a file behind.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(state.toJSON()));
    renameSync(tmp, file);
  };

  return {
    load() {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
      const data = JSON.parse(text) as SerializedState;
      if (data.version !== 1) throw new Error(`${file}: unknown sandbox state version ${String(data.version)}`);
      return SandboxState.fromJSON(data);
    },
    schedule(state) {
      pending = state;
      if (!timer) {
        timer = setTimeout(write, debounceMs);
        timer.unref();
      }
    },
    flush: write,
    cancel() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}

export const NO_PERSISTENCE: Persistence = {
  load: () => undefined,
  schedule: () => undefined,
  flush: () => undefined,
  cancel: () => undefined,
};
