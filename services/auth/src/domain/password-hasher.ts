import argon2 from 'argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  memoryCost?: number;
  timeCost?: number;
  parallelism?: number;
}

/**
 * argon2id (memory-hard; unlike bcrypt it does not truncate at 72 bytes: the whole password
 * counts, CONTRACT and F26). Defaults follow the argon2 package (64 MiB, 3 passes).
 */
export function argon2Hasher(options: Argon2Options = {}): PasswordHasher {
  return {
    hash: (password) => argon2.hash(password, { type: argon2.argon2id, ...options }),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}
