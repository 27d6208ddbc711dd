import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const cloudtrail: Mapper = () => {
  throw new MappingError('the cloudtrail mapper is being written');
};
