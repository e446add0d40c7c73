/**
 * The check of `vault.report`'s report, without zod: `report` is
 * synchronous and runs once per host call, so it can't wait for the schema
 * module (loaded on first admin use) and shouldn't pay for it. The same
 * rules as `outcomeReportSchema`, which stays the exported schema for hosts;
 * a property test holds the two equal.
 *
 * @module
 */
import { ValidationError, type ValidationIssue } from '../errors.js';
import { OUTCOME_STATUSES, type OutcomeReport } from './types.js';
import { byokitMessage } from '../message.js';

const FIELDS = [
  'status',
  'latencyMs',
  'model',
  'httpStatus',
  'providerCode',
  'retryAfter',
  'inputTokens',
  'outputTokens',
  'durationMs',
  'attempt',
  'streamed',
  'at',
];
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const PROVIDER_CODE = /^[A-Za-z0-9_.-]{1,64}$/;
// RFC 3339 with a `Z` or an offset, seconds required, as zod's `z.iso.datetime({ offset: true })`.
const DATE =
  '(?:(?:\\d\\d[2468][048]|\\d\\d[13579][26]|\\d\\d0[48]|[02468][048]00|[13579][26]00)-02-29|\\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\\d|30)|(?:02)-(?:0[1-9]|1\\d|2[0-8])))';
const DATE_TIME = new RegExp(
  `^${DATE}T(?:(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d+)?(?:Z|([+-](?:[01]\\d|2[0-3]):[0-5]\\d)))$`,
);

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function numberIssue(value: unknown, rule: { int?: boolean; min: number; max?: number }): string | null {
  if (!isNumber(value)) return rule.int ? 'must be an integer' : 'must be a number';
  if (rule.int && !Number.isSafeInteger(value)) return 'must be an integer';
  if (value < rule.min) return `must be >= ${rule.min}`;
  if (rule.max !== undefined && value > rule.max) return `must be <= ${rule.max}`;
  return null;
}

/** Each field's rule; `null` when the value passes. Called only for values other than `undefined`. */
const RULES: Record<string, (value: unknown) => string | null> = {
  status: (v) =>
    (OUTCOME_STATUSES as readonly unknown[]).includes(v)
      ? null
      : `must be one of ${OUTCOME_STATUSES.map((s) => JSON.stringify(s)).join(', ')}`,
  latencyMs: (v) => numberIssue(v, { min: 0 }),
  model: (v) =>
    v === null
      ? null
      : typeof v !== 'string'
        ? 'must be a string'
        : v.length < 1 || v.length > 200 || CONTROL_CHARS.test(v)
          ? 'must be 1-200 characters with no control characters'
          : null,
  httpStatus: (v) => numberIssue(v, { int: true, min: 100, max: 599 }),
  providerCode: (v) =>
    typeof v !== 'string' ? 'must be a string' : PROVIDER_CODE.test(v) ? null : 'must be a short identifier',
  retryAfter: (v) => numberIssue(v, { min: 0 }),
  inputTokens: (v) => numberIssue(v, { int: true, min: 0 }),
  outputTokens: (v) => numberIssue(v, { int: true, min: 0 }),
  durationMs: (v) => numberIssue(v, { min: 0 }),
  attempt: (v) => numberIssue(v, { int: true, min: 1 }),
  streamed: (v) => (typeof v === 'boolean' ? null : 'must be a boolean'),
  at: (v) =>
    v instanceof Date
      ? Number.isNaN(v.getTime())
        ? 'must be a valid date'
        : null
      : typeof v === 'string' && DATE_TIME.test(v)
        ? null
        : 'must be an ISO 8601 date-time with a time zone offset, or a Date',
};

/**
 * Checks a report of `vault.report`, or throws a {@link ValidationError}
 * whose issues name paths and rules, never values.
 */
export function checkOutcomeReport(report: unknown): OutcomeReport {
  const issues: ValidationIssue[] = [];
  if (typeof report !== 'object' || report === null || Array.isArray(report)) {
    issues.push({ path: '(input)', message: report === undefined ? 'required' : 'must be an object' });
  } else {
    const fields = report as Record<string, unknown>;
    const unknown: string[] = [];
    for (const key in fields) if (!FIELDS.includes(key)) unknown.push(key);
    if (unknown.length > 0) issues.push({ path: '(input)', message: `unknown field(s): ${unknown.join(', ')}` });
    for (const field of FIELDS) {
      const value = fields[field];
      if (value === undefined) {
        if (field === 'status' || field === 'latencyMs') issues.push({ path: field, message: 'required' });
        continue;
      }
      const message = RULES[field]!(value);
      if (message !== null) issues.push({ path: field, message });
    }
  }
  if (issues.length > 0) {
    throw new ValidationError(
      byokitMessage('vault', `invalid report: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`),
      issues,
    );
  }
  const out: Record<string, unknown> = {};
  for (const field of FIELDS)
    if ((report as Record<string, unknown>)[field] !== undefined)
      out[field] = (report as Record<string, unknown>)[field];
  return out as unknown as OutcomeReport;
}
