export { freePort } from './ports.js';
export { SUITE_ALG, startStack, type PartName, type Stack, type StackOptions } from './stack.js';
