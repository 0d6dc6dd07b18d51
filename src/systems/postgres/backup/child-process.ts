export { runTool, stderrTail, type ChildResult, type RunToolOptions } from '../../../tools/child-process.js';
