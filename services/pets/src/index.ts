export { createApp, type AppDeps } from './app.js';
export { loadConfig, type JwtConfig, type PetsConfig } from './config.js';
export { layoutKey, migrateLegacyPetKeys } from './legacy-keys.js';
export { MemoryPetStore } from './memory-pet-store.js';
export type { NewPet, Pet, PetChanges } from './pet.js';
export type { PetStore } from './pet-store.js';
export { ownerPetsKey, petKey, RedisPetStore } from './redis-pet-store.js';
