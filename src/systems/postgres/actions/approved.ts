export { approvedData } from '../../../core/action-inputs.js';
