import { readFile } from 'node:fs/promises';
import { Client, Connection, type ClientInterceptors } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { Env } from '../../config/env.js';

export interface TemporalTarget {
  address: string;
  namespace: string;
  apiKey?: string;
  tls?: boolean;
  certPath?: string;
  keyPath?: string;
}

export function targetFromEnv(env: Env, devAddress?: string): TemporalTarget {
  return {
    address: env.TEMPORAL_ADDRESS ?? devAddress ?? `127.0.0.1:${env.TEMPORAL_DEV_PORT}`,
    namespace: env.TEMPORAL_NAMESPACE,
    apiKey: env.TEMPORAL_API_KEY,
    tls: env.TEMPORAL_TLS,
    certPath: env.TEMPORAL_TLS_CERT_PATH,
    keyPath: env.TEMPORAL_TLS_KEY_PATH,
  };
}

/** Temporal Cloud: an API key implies TLS; mTLS needs a client cert and key. */
async function tlsOptions(target: TemporalTarget) {
  if (target.certPath && target.keyPath) {
    const [crt, key] = await Promise.all([readFile(target.certPath), readFile(target.keyPath)]);
    return { clientCertPair: { crt, key } };
  }
  if (target.tls || target.apiKey) return true;
  return undefined;
}

/** `interceptors`: the tracing ones (main/tracing.ts) when tracing is on: starts carry the caller's trace. */
export async function connectClient(target: TemporalTarget, interceptors?: ClientInterceptors): Promise<Client> {
  const connection = await Connection.connect({
    address: target.address,
    tls: await tlsOptions(target),
    apiKey: target.apiKey,
    connectTimeout: '10s',
  });
  return new Client({ connection, namespace: target.namespace, ...(interceptors ? { interceptors } : {}) });
}

export async function connectWorker(target: TemporalTarget): Promise<NativeConnection> {
  return NativeConnection.connect({ address: target.address, tls: await tlsOptions(target), apiKey: target.apiKey });
}
