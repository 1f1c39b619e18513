import { z } from 'zod';

/** CONTRACT: passwords are 8 to 1024 characters, counted as code points, not UTF-16 units. */
function passwordOf(min: number) {
  return (
    z
      .string()
      // A lone UTF-16 surrogate has no UTF-8 form: hashing would turn every one into U+FFFD, so
      // different passwords would collide.
      .refine((value) => value.isWellFormed(), 'must be valid Unicode text')
      .refine((value) => [...value].length >= min, `must be at least ${min} characters`)
      .refine((value) => [...value].length <= 1024, 'must be at most 1024 characters')
  );
}

const email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be an email address'));

export const registerBody = z.object({ email, password: passwordOf(8) });

/** Login checks types and bounds only; whether the pair matches an account is one 401 for all. */
export const loginBody = z.object({
  email: z.string().trim().min(1, 'is required').max(254, 'must be at most 254 characters'),
  password: passwordOf(1),
});

export const refreshBody = z.object({
  refreshToken: z.string().min(1, 'is required').max(4096, 'is too long'),
});

export const deviceIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
