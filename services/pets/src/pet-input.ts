import { z } from 'zod';

/** Lone UTF-16 surrogates are not text; they would not survive a round trip through storage. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Control characters (NUL, line breaks, escapes), line and paragraph separators, and bidi
 * overrides that reorder what follows: nothing a name shows, and trouble in every log and screen.
 * Zero-width joiners stay: emoji sequences (🐈‍⬛) need them.
 */
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** CONTRACT "Pets": lengths count characters (code points) after trimming, not UTF-16 units. */
function text(max: number) {
  return z
    .string()
    .refine((value) => !CONTROL.test(value), 'must not contain control characters')
    .trim()
    .refine((value) => !LONE_SURROGATE.test(value), 'must be valid Unicode text')
    .refine((value) => value.length > 0, 'must not be empty')
    .refine((value) => [...value].length <= max, `must be at most ${max} characters`);
}

const name = text(60);
const species = text(40);

/** Unknown fields (`id`, `ownerId`, `createdAt`…) are stripped: never assigned. */
export const newPetSchema = z.object({ name, species });

export const petChangesSchema = z
  .object({ name: name.optional(), species: species.optional() })
  .refine((changes) => changes.name !== undefined || changes.species !== undefined, {
    message: 'give at least one of name and species',
  });

/** Ids are the UUIDs we issue; anything else cannot name a pet. */
const PET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isPetId(value: string): boolean {
  return PET_ID.test(value);
}
