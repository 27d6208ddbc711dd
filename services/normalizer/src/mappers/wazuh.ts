import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const wazuh: Mapper = () => {
  throw new MappingError('the wazuh mapper is being written');
};
