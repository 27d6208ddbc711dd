import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const integrity: Mapper = () => {
  throw new MappingError('the integrity mapper is being written');
};
