export { approvedData } from '../../../core/approved-plan.js';
