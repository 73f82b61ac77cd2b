import { asText, compileTemplate, render, TemplateError, type RenderScope, type Template } from '../step-template.js';

/**
 * An object body, sent as JSON. Its string leaves are templates; each rendered value becomes a JSON string
 * through JSON.stringify, never pasted into JSON text, so a label with quotes or braces stays one string.
 * Keys are literal.
 */
export class TemplateLeaf {
  constructor(readonly template: Template) {}
}

export type JsonTemplate = null | number | boolean | TemplateLeaf | JsonTemplate[] | { [key: string]: JsonTemplate };

/** Compiles every string leaf; `report` receives problems with the path below the body. */
export function compileJsonBody(value: unknown, report: (path: (string | number)[], message: string) => void, at: (string | number)[] = []): JsonTemplate {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    try {
      return new TemplateLeaf(compileTemplate(value));
    } catch (err) {
      report(at, (err as Error).message);
      return null;
    }
  }
  if (Array.isArray(value)) return value.map((v, i) => compileJsonBody(v, report, [...at, i]));
  if (typeof value === 'object') {
    const out: { [key: string]: JsonTemplate } = {};
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('{{')) report([...at, k], new TemplateError('JSON keys cannot be templated').message);
      out[k] = compileJsonBody(v, report, [...at, k]);
    }
    return out;
  }
  report(at, `unsupported value in body: ${typeof value}`);
  return null;
}

export function jsonBodyTemplates(body: JsonTemplate): Template[] {
  if (body instanceof TemplateLeaf) return [body.template];
  if (Array.isArray(body)) return body.flatMap(jsonBodyTemplates);
  if (body !== null && typeof body === 'object') return Object.values(body).flatMap(jsonBodyTemplates);
  return [];
}

function fill(body: JsonTemplate, scope: RenderScope): unknown {
  if (body instanceof TemplateLeaf) return render(body.template, scope, asText);
  if (Array.isArray(body)) return body.map((v) => fill(v, scope));
  if (body !== null && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, fill(v, scope)]));
  return body;
}

export const renderJsonBody = (body: JsonTemplate, scope: RenderScope): string => JSON.stringify(fill(body, scope));
