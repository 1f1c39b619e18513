import { randomBytes } from 'node:crypto';
import { deleteKeys, HttpClient, TEST_REDIS_URL, testRedis } from '@toypetme/test-kit';
import { startStack, type Stack, type StackOptions } from '../src/stack.js';

export const PASSWORD = 'e2e correct horse';

export function uniqueEmail(tag = 'e2e'): string {
  return `${tag}.${randomBytes(6).toString('hex')}@example.test`;
}

export interface Person {
  web: HttpClient;
  email: string;
  id: string;
  token: string;
}

/** Registers, logs in on the "web" and takes an access token, all through the gateway. */
export async function signUp(stack: Stack, email = uniqueEmail()): Promise<Person> {
  const web = new HttpClient(stack.gatewayUrl);
  const registered = await web.post<{ user: { id: string } }>('/auth/register', {
    email,
    password: PASSWORD,
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${registered.text}`);
  const login = await web.post('/auth/login', { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  const token = await web.get<{ token: string }>('/api/token');
  if (token.status !== 200) throw new Error(`token: ${token.status} ${token.text}`);
  return { web, email, id: registered.body.user.id, token: token.body.token };
}

/** A stack on real Redis whose keys are deleted when it closes. */
export async function redisStack(options: StackOptions = {}): Promise<Stack> {
  const stack = await startStack({ redisUrl: TEST_REDIS_URL, ...options });
  const close = () => stack.close();
  return {
    ...stack,
    close: async () => {
      await close();
      const t = await testRedis('e2e-cleanup');
      await deleteKeys(t.redis, `${stack.redisKeyPrefix}*`);
      await t.cleanup();
    },
  };
}

export function api(stack: Stack): HttpClient {
  return new HttpClient(stack.gatewayUrl);
}
