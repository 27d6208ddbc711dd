import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const sentrailAccess: Mapper = () => {
  throw new MappingError('the sentrailAccess mapper is being written');
};
