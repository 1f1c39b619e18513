import { Router } from '@koa/router';
import { AppError, jsonBody } from '@toypetme/http-kit';
import type { AuthState, JwtVerifier } from '@toypetme/jwt-verifier';
import type Koa from 'koa';
import { petHandlers } from './pet-handlers.js';
import type { PetServiceDeps } from './pet-service.js';

const methodNotAllowed = (): AppError =>
  new AppError('method_not_allowed', 'Method not allowed on this resource.');

/**
 * Every pets endpoint and its chain (CONTRACT "Pets"). The token is checked first, so an
 * unauthenticated request is 401 before its body is even read.
 */
export function usePetRoutes(app: Koa, verifier: JwtVerifier, deps: PetServiceDeps): void {
  const router = new Router<AuthState>({ prefix: '/api/pets' });
  const auth = verifier.middleware();
  const json = jsonBody();
  const pets = petHandlers(deps);

  router
    .get('/', auth, pets.list)
    .post('/', auth, json, pets.create)
    .get('/:id', auth, pets.get)
    .patch('/:id', auth, json, pets.update)
    .delete('/:id', auth, pets.remove);

  app.use(router.routes());
  app.use(router.allowedMethods({ throw: true, methodNotAllowed, notImplemented: methodNotAllowed }));
}
