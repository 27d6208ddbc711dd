import { MappingError } from '../fields.js';
import type { Mapper } from '../mapper.js';

export const k8sAudit: Mapper = () => {
  throw new MappingError('the k8sAudit mapper is being written');
};
