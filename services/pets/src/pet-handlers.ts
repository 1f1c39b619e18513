import type { RouterContext } from '@koa/router';
import { parseInput } from '@toypetme/http-kit';
import type { AuthState } from '@toypetme/jwt-verifier';
import { newPetSchema, petChangesSchema } from './pet-input.js';
import { createPet, deletePet, getPet, listPets, updatePet, type PetServiceDeps } from './pet-service.js';

type PetsContext = RouterContext<AuthState>;

const body = (ctx: PetsContext): unknown => (ctx.request as { body?: unknown }).body;
const petId = (ctx: PetsContext): string => ctx.params.id ?? '';

/** Thin handlers: read the input, call one domain function, set status and body. */
export function petHandlers(deps: PetServiceDeps) {
  return {
    list: async (ctx: PetsContext): Promise<void> => {
      ctx.body = { pets: await listPets(deps, ctx.state.user.id) };
    },
    create: async (ctx: PetsContext): Promise<void> => {
      const pet = await createPet(deps, ctx.state.user.id, parseInput(newPetSchema, body(ctx)));
      ctx.status = 201;
      ctx.set('Location', `/api/pets/${pet.id}`);
      ctx.body = { pet };
    },
    get: async (ctx: PetsContext): Promise<void> => {
      ctx.body = { pet: await getPet(deps, ctx.state.user.id, petId(ctx)) };
    },
    update: async (ctx: PetsContext): Promise<void> => {
      const changes = parseInput(petChangesSchema, body(ctx));
      ctx.body = { pet: await updatePet(deps, ctx.state.user.id, petId(ctx), changes) };
    },
    remove: async (ctx: PetsContext): Promise<void> => {
      await deletePet(deps, ctx.state.user.id, petId(ctx));
      ctx.status = 204;
    },
  };
}
