import { resolve } from 'node:path';
import { ESLint, Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { layersConfig } from '../../../eslint-rules/layers.js';

const root = resolve(import.meta.dirname, '../../..');
const linter = new Linter({ configType: 'flat', cwd: root });
const config: Linter.Config[] = [{ languageOptions: { parser: tseslint.parser } }, layersConfig(root) as Linter.Config];

/** The messages lint gives `code` placed at `file` (a repository path). */
function lint(file: string, code: string): string[] {
  return linter.verify(code, config, { filename: resolve(root, file) }).map((m) => m.message);
}

/** One violating sample per rule, and the nearest allowed import beside it. */
const cases: { rule: string; file: string; bad: string; good: string }[] = [
  {
    rule: 'server/ never imports slack-app/',
    file: 'server/routes/x.ts',
    bad: "import { ACTIONS } from '../../slack-app/ids.js';",
    good: "import { createTouchIntake } from '../../services/touch-intake.js';",
  },
  {
    rule: 'slack-app/ never imports server/',
    file: 'slack-app/blocks/x.ts',
    bad: "import { page } from '../../server/pages.js';",
    good: "import type { CustomerContext } from '../../services/customer-context.js';",
  },
  {
    rule: 'a face never imports the composition root',
    file: 'server/app.ts',
    bad: "import { startRapport } from '../main/runtime.js';",
    good: "import type { AlertIntake } from '../services/alert-intake.js';",
  },
  {
    rule: 'services/ import no face',
    file: 'services/x.ts',
    bad: "import { createApp } from '../server/app.js';",
    good: "import { openDb } from '../store/db.js';",
  },
  {
    rule: 'channels/ import no face',
    file: 'channels/slack/x.ts',
    bad: "import { ACTIONS } from '../../slack-app/ids.js';",
    good: "import { escapeHtml } from '../email/html-escape.js';",
  },
  {
    rule: 'workflows/ import no service',
    file: 'workflows/broadcast/activities.ts',
    bad: "import { createAlertIntake } from '../../services/alert-intake.js';",
    good: "import type { CrmPort } from '../../crm/port.js';",
  },
  {
    rule: 'domain/ imports nothing with I/O',
    file: 'domain/x.ts',
    bad: "import pg from 'pg';",
    good: "import { z } from 'zod';",
  },
  {
    rule: 'domain/ imports no Node built-in',
    file: 'domain/x.ts',
    bad: "import { readFileSync } from 'node:fs';",
    good: "import { isQuietAt } from './audience/quiet-hours.js';",
  },
  {
    rule: 'domain/ imports no other layer',
    file: 'domain/touch.ts',
    bad: "import type { EngagementKind } from '../crm/port.js';",
    good: "import type { Channel } from './audience/types.js';",
  },
  {
    rule: 'nobody outside crm/ and main/ reaches the HubSpot adapter',
    file: 'services/x.ts',
    bad: "import { createHubSpotCrm } from '../crm/hubspot/index.js';",
    good: "import type { CrmPort } from '../crm/port.js';",
  },
  {
    rule: 'crm/ knows no store',
    file: 'crm/hubspot/x.ts',
    bad: "import { openDb } from '../../store/db.js';",
    good: "import type { CrmPort } from '../port.js';",
  },
  {
    rule: 'store/ knows no CRM',
    file: 'store/deliveries.ts',
    bad: "import { coalesce } from '../crm/coalesce.js';",
    good: "import { summarise } from '../domain/audience/summary.js';",
  },
  {
    rule: 'the add-in imports contracts as types only',
    file: 'outlook-addin/src/api.ts',
    bad: "import { touchRequest } from '../../contracts/touches.js';",
    good: "import type { TouchRequest } from '../../contracts/touches.js';",
  },
  {
    rule: 'the add-in imports nothing from the server',
    file: 'outlook-addin/src/api.ts',
    bad: "import type { AppEnv } from '../../server/middleware/request-log.js';",
    good: "import { ALERT_STATUSES } from '../../domain/vocabulary/index.js';",
  },
  {
    rule: 'contracts/ import no I/O library',
    file: 'contracts/x.ts',
    bad: "import { Hono } from 'hono';",
    good: "import { z } from 'zod';",
  },
  {
    rule: 'bench/ never imports test/',
    file: 'bench/x.bench.ts',
    bad: "import { seed } from '../test/support/demo-data.js';",
    good: "import { seed } from '../testkit/demo-data.js';",
  },
  {
    rule: 'only main/ holds the metrics library: services count through the interface',
    file: 'services/x.ts',
    bad: "import { Counter } from 'prom-client';",
    good: "import type { Metrics } from '../lib/metrics.js';",
  },
  {
    rule: 'only main/ holds the metrics library: neither does the CRM adapter',
    file: 'crm/hubspot/x.ts',
    bad: "import client from 'prom-client';",
    good: "import type { Metrics } from '../../lib/metrics.js';",
  },
  {
    rule: 'only main/ holds the OpenTelemetry SDK: the CRM adapter traces through the API',
    file: 'crm/hubspot/x.ts',
    bad: "import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';",
    good: "import { trace } from '@opentelemetry/api';",
  },
  {
    rule: "only main/ wires Temporal's tracing interceptors: not the worker module",
    file: 'workflows/worker.ts',
    bad: "import { OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';",
    good: "import type { WorkerInterceptors } from '@temporalio/worker';",
  },
  {
    rule: 'only main/ holds the OpenTelemetry SDK: services trace through the interface',
    file: 'services/x.ts',
    bad: "import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';",
    good: "import type { Tracing } from '../lib/tracing.js';",
  },
  {
    rule: 'only main/ holds the OpenTelemetry SDK: nor does the HTTP face export spans itself',
    file: 'server/middleware/x.ts',
    bad: "import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';",
    good: "import { context, propagation } from '@opentelemetry/api';",
  },
  {
    rule: 'lib/ imports no other layer',
    file: 'lib/x.ts',
    bad: "import { openDb } from '../store/db.js';",
    good: "import type { Channel } from '../domain/vocabulary/index.js';",
  },
  {
    rule: 'testkit/ never imports test/',
    file: 'testkit/rapport.ts',
    bad: "import { slackDriver } from '../test/integration/slack/driver.js';",
    good: "import { DEMO } from './demo-data.js';",
  },
];

describe('dependency rules (eslint-rules/layers.js)', () => {
  for (const { rule, file, bad, good } of cases) {
    it(`${rule}: refuses ${bad} in ${file}`, () => {
      expect(lint(file, bad)).toEqual([expect.stringContaining('must not import')]);
      expect(lint(file, good)).toEqual([]);
    });
  }

  it('catches re-exports and dynamic imports too', () => {
    expect(lint('server/x.ts', "export { ACTIONS } from '../slack-app/ids.js';")).toHaveLength(1);
    expect(lint('server/x.ts', "export * from '../slack-app/ids.js';")).toHaveLength(1);
    expect(lint('server/x.ts', "await import('../slack-app/ids.js');")).toHaveLength(1);
  });

  it('lets main/ build the registry, and names why everyone else may not', () => {
    expect(lint('main/metrics.ts', "import { Registry } from 'prom-client';")).toEqual([]);
    expect(lint('workflows/broadcast/dispatch.ts', "import { Counter } from 'prom-client';")).toEqual([
      expect.stringContaining('lib/metrics.ts'),
    ]);
  });

  it('lets main/ build the tracer provider, and names why everyone else may not', () => {
    expect(lint('main/tracing.ts', "import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';")).toEqual([]);
    expect(
      lint('main/tracing.ts', "import { makeWorkflowExporter } from '@temporalio/interceptors-opentelemetry';"),
    ).toEqual([]);
    expect(lint('channels/email/x.ts', "import { Resource } from '@opentelemetry/resources';")).toEqual([
      expect.stringContaining('lib/tracing.ts'),
    ]);
    expect(lint('lib/x.ts', "import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';")).toHaveLength(1);
  });

  it('names the one built-in exception: the signed-token MAC', () => {
    expect(lint('domain/broadcast/signed-token.ts', "import { createHmac } from 'node:crypto';")).toEqual([]);
    expect(lint('domain/broadcast/other.ts', "import { createHmac } from 'node:crypto';")).toHaveLength(1);
  });

  it('is on for every TypeScript file in the real ESLint config', async () => {
    const eslint = new ESLint({ cwd: root });
    for (const file of ['server/app.ts', 'outlook-addin/src/main.tsx', 'domain/touch.ts']) {
      const config = (await eslint.calculateConfigForFile(file)) as { rules?: Record<string, unknown> };
      expect(config.rules?.['rapport/layers'], file).toEqual([2, { root }]);
    }
  });
});
