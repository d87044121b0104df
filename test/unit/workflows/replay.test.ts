import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { installTemporalLogging } from '../../../main/steps/temporal.js';
import * as workflows from '../../../workflows/index.js';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from '../../../main/tracing.js';
import { workflowBundle } from '../../../workflows/worker.js';
import { recordedHistories } from '../../fixtures/histories.js';

/**
 * Runs still open when a new worker version deploys replay their history on the new code: a
 * change that would take another path through it (an activity added, moved or removed without
 * patched()) fails here, not in production. The histories are recorded by
 * test/integration/workflows/record-histories.test.ts.
 */
installTemporalLogging('silent');

describe('workflow replay', () => {
  it('replays a recorded history of every workflow on the current code', { timeout: 120_000 }, async () => {
    const histories = await recordedHistories();
    // Every workflow kind, and the broadcast through each way its story can go.
    expect([...new Set(histories.map((h) => h.workflowId.split('.')[0]))]).toEqual(Object.keys(workflows).sort());
    expect(
      histories
        .map((h) => h.workflowId)
        .filter((id) => id.startsWith('broadcastAlert'))
        .sort(),
    ).toEqual([
      'broadcastAlert',
      'broadcastAlert.cancelled',
      'broadcastAlert.continued-1',
      'broadcastAlert.continued-2',
      'broadcastAlert.digests',
      'broadcastAlert.revised',
    ]);

    const results = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      results.push({ workflowId: result.workflowId, error: result.error?.message });
    }
    expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
  });

  it(
    "replays them too with tracing on (Temporal's OpenTelemetry interceptors bundled in)",
    { timeout: 120_000 },
    async () => {
      const histories = await recordedHistories();
      const exporter = new InMemorySpanExporter();
      const tracing = startTracing(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: undefined,
          OTEL_EXPORTER_OTLP_HEADERS: undefined,
          OTEL_SERVICE_NAME: undefined,
          OTEL_TRACES_SAMPLER_ARG: undefined,
        },
        { defaultServiceName: 'replay', exporter },
      )!;
      const results = [];
      for await (const result of Worker.runReplayHistories(
        {
          workflowBundle: await workflowBundle(tracing.worker.workflowModules),
          interceptors: tracing.worker.interceptors,
          sinks: tracing.worker.sinks,
        },
        histories,
      )) {
        results.push({ workflowId: result.workflowId, error: result.error?.message });
      }
      expect(results).toEqual(histories.map((h) => ({ workflowId: h.workflowId, error: undefined })));
      // Replay re-runs the code, not the side effects: no workflow span is exported twice.
      expect(exporter.getFinishedSpans().filter((s) => s.name.startsWith('RunWorkflow:'))).toEqual([]);
      await tracing.shutdown();
    },
  );
});
