export { type Decision, type DecisionInput, type FallbackPolicy, decideResolution, unusableReason } from './resolver.js';
export { MAX_SCOPE_DEPTH, SCOPE_SEGMENT_PATTERN, scopeChain } from './scope.js';
export type { KeySource, Resolution, SkipReason, TraceEntry, TraceStepKind } from './types.js';
