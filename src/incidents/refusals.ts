import { conflict, notFound } from '../errors/errors.js';

/** The engine's refusals of a person's action, each with its reason in words any language can give. */
export const incidentNotFound = (id: number) => notFound(`incident ${id} not found`, { key: 'refusal.noIncident', values: { id } });

export const incidentResolved = (id: number, action: 'acknowledge' | 'escalate') =>
  conflict(action === 'acknowledge' ? `incident ${id} is resolved and cannot be acknowledged` : `incident ${id} is resolved`, {
    key: 'refusal.resolved',
    values: { id, action },
  });
