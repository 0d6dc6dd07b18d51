export { ago, clockTime, formatCount, lowThresholdText, shortQuery, thresholdText } from '../../../render/figures.js';
