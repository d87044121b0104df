import { readdir, readFile, writeFile } from 'node:fs/promises';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { format, resolveConfig } from 'prettier';

const { History } = temporal.api.history.v1;

/** Histories of finished runs, replayed against the current workflow code by the replay test. */
export const HISTORIES_DIR = new URL('../fixtures/histories/', import.meta.url);

/**
 * Histories are kept as the protobuf library's own JSON of the History message (int64 and bytes as
 * strings, enums by name), which reads back exactly. Not the Temporal CLI's proto3 JSON: the SDK
 * reads that with a protobufjs copy of its own, which fails in this install ("type must be a Type").
 */
const AS_JSON = { longs: String, enums: String, bytes: String } as const;

/** The run's history in `<workflow type>.json`, formatted as prettier wants it, so a re-recording diffs cleanly. */
export async function recordHistory(client: Client, workflowId: string): Promise<void> {
  const handle = client.workflow.getHandle(workflowId);
  const { type } = await handle.describe();
  const history = History.toObject(History.fromObject(await handle.fetchHistory()), AS_JSON);
  const file = new URL(`${type}.json`, HISTORIES_DIR);
  const options = await resolveConfig(file);
  await writeFile(file, await format(JSON.stringify(history), { ...options, parser: 'json' }));
}

/** Every recorded history, named by its file (the workflow type). */
export async function recordedHistories(): Promise<{ workflowId: string; history: temporal.api.history.v1.History }[]> {
  const files = (await readdir(HISTORIES_DIR)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(
    files.map(async (f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: History.fromObject(JSON.parse(await readFile(new URL(f, HISTORIES_DIR), 'utf8')) as object),
    })),
  );
}
