export { freePort } from './ports.js';
export {
  SUITE_ALG,
  startStack,
  type PartName,
  type ReplicatedPart,
  type Stack,
  type StackOptions,
} from './stack.js';
