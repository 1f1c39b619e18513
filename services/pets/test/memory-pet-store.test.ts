import { MemoryPetStore } from '../src/index.js';
import { describePetStoreContract } from './pet-store.contract.js';

describePetStoreContract('memory', () => new MemoryPetStore());
