import type { z } from 'zod';
import { AppError } from './errors.js';

/**
 * Validates input against a zod schema. On failure: 400 invalid_request whose message names each
 * bad field and why. Unknown fields are stripped by the schemas (never assigned).
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${field}: ${issue.message}`;
  });
  throw new AppError('invalid_request', problems.join('; '));
}
