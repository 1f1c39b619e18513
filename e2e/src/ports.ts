export { freeLoopbackPort as freePort } from '@toypetme/test-kit';
