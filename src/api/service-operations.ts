import type { Operation } from '../http/operation.js';

/** Health, readiness, metrics and reload (the OpenAPI document is generated from them). */
export const serviceOperations: Record<string, Operation> = {};
