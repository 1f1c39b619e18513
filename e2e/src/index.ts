export { freePort } from './ports.js';
export { startStack, type PartName, type Stack, type StackOptions } from './stack.js';
