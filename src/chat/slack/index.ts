export { startSlackChat, type RunningSlackChat, type SlackChatOptions } from './slack-chat.js';
export { renderSlackMessage, type SlackMessage } from './blocks.js';
