export { freePort } from './ports.js';
export { startStack, type PartName, type ReplicatedPart, type Stack, type StackOptions } from './stack.js';
