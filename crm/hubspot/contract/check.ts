import {
  COMMON_ERRORS,
  ERROR_ENVELOPE,
  HUBSPOT_OPERATIONS,
  RATE_LIMIT_ENVELOPE,
  type FieldFact,
  type FieldType,
  type OperationFact,
} from './facts.js';

/** One request and its answer as they crossed the wire. */
export interface Exchange {
  method: string;
  /** Path and query as sent. */
  url: string;
  requestBody?: unknown;
  status: number;
  responseBody?: unknown;
}

export interface ExchangeVerdict {
  operation?: OperationFact;
  /** Empty when the exchange keeps to the fact table. */
  problems: string[];
}

const segments = (path: string) =>
  path
    .split('?')[0]!
    .replace(/\/+$/, '')
    .split('/')
    .filter((s) => s !== '');
const isPlaceholder = (segment: string) => segment.startsWith('{') && segment.endsWith('}');

// Most literal segments first: /objects/{type}/search wins over /objects/{type}/{id}.
const BY_SPECIFICITY = [...HUBSPOT_OPERATIONS].sort(
  (a, b) =>
    segments(b.path).filter((s) => !isPlaceholder(s)).length - segments(a.path).filter((s) => !isPlaceholder(s)).length,
);

/** The fact-table operation a request is, or undefined when the table does not know it. */
export function matchOperation(method: string, url: string): OperationFact | undefined {
  const asked = segments(url);
  return BY_SPECIFICITY.find((op) => {
    if (op.method !== method.toUpperCase()) return false;
    const template = segments(op.path);
    return template.length === asked.length && template.every((t, i) => isPlaceholder(t) || t === asked[i]);
  });
}

function typeProblem(value: unknown, type: FieldType): string | undefined {
  const ok = (() => {
    switch (type) {
      case 'string':
        return typeof value === 'string';
      case 'integer':
        return Number.isInteger(value);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'object':
        return typeof value === 'object' && value !== null && !Array.isArray(value);
      case 'array':
        return Array.isArray(value);
      case 'datetime':
        return typeof value === 'string' && !Number.isNaN(Date.parse(value));
      case 'digits':
        return typeof value === 'string' && /^\d+$/.test(value);
      case 'idLike':
        return (typeof value === 'string' && /^\d+$/.test(value)) || Number.isInteger(value);
      case 'stringOrNull':
        return typeof value === 'string' || value === null;
    }
  })();
  return ok ? undefined : `expected ${type}, got ${JSON.stringify(value)?.slice(0, 60) ?? 'undefined'}`;
}

/** Problems of `body` against the fields (`a.b`, `a[]`, `a{}`, `a?[]` paths); empty when it conforms. */
export function checkFields(body: unknown, fields: FieldFact[]): string[] {
  const problems: string[] = [];
  for (const field of fields) {
    const steps = field.path.split('.');
    const walk = (value: unknown, at: number, where: string) => {
      if (at === steps.length) {
        const problem = typeProblem(value, field.type);
        if (problem) problems.push(`${where}: ${problem}`);
        return;
      }
      const step = steps[at]!;
      const name = step.replace(/\??(\[\]|\{\})?$/, '');
      const container = value as Record<string, unknown> | null;
      const child = typeof container === 'object' && container !== null ? container[name] : undefined;
      const here = where ? `${where}.${name}` : name;
      if (child === undefined) {
        // `a?[].b`: a may be absent, but each of its elements needs b.
        if (!field.optional && !step.includes('?')) problems.push(`${here}: missing`);
        return;
      }
      if (step.endsWith('[]')) {
        if (!Array.isArray(child)) return void problems.push(`${here}: expected array`);
        child.forEach((item, i) => walk(item, at + 1, `${here}[${i}]`));
      } else if (step.endsWith('{}')) {
        if (typeof child !== 'object' || child === null) return void problems.push(`${here}: expected object`);
        for (const [key, item] of Object.entries(child)) walk(item, at + 1, `${here}.${key}`);
      } else {
        walk(child, at + 1, here);
      }
    };
    walk(body, 0, '');
  }
  return problems;
}

/** Checks one exchange against its operation: request fields, status, answer fields or error envelope. */
export function checkExchange(exchange: Exchange): ExchangeVerdict {
  const operation = matchOperation(exchange.method, exchange.url);
  if (!operation) return { problems: [`${exchange.method} ${exchange.url}: not in the fact table`] };
  const name = `${operation.id} (${exchange.method} ${exchange.url.split('?')[0]})`;
  const problems = checkFields(exchange.requestBody ?? {}, operation.request).map((p) => `${name} request ${p}`);
  const query = new URLSearchParams(exchange.url.split('?')[1] ?? '');
  for (const parameter of operation.query ?? []) {
    if (!query.get(parameter)) problems.push(`${name} request: query parameter ${parameter} missing`);
  }
  if (operation.success.includes(exchange.status)) {
    problems.push(...checkFields(exchange.responseBody, operation.response).map((p) => `${name} answer ${p}`));
    return { operation, problems };
  }
  const documented = [...operation.errors, ...COMMON_ERRORS].filter((e) => e.status === exchange.status);
  if (documented.length === 0) {
    problems.push(`${name}: HTTP ${exchange.status} is not a documented answer`);
    return { operation, problems };
  }
  const envelope = exchange.status === 429 ? [...ERROR_ENVELOPE, ...RATE_LIMIT_ENVELOPE] : ERROR_ENVELOPE;
  problems.push(...checkFields(exchange.responseBody, envelope).map((p) => `${name} error ${p}`));
  const category = (exchange.responseBody as { category?: unknown } | undefined)?.category;
  if (typeof category === 'string' && !documented.some((e) => e.category === category)) {
    problems.push(
      `${name}: HTTP ${exchange.status} category ${category}, documented ${documented.map((e) => e.category).join(' or ')}`,
    );
  }
  return { operation, problems };
}
