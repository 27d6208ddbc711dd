import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const changes: Mapper = () => {
  throw new MappingError('the changes mapper is being written');
};
