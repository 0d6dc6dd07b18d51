export { startFakeSlack } from './fake-slack.js';
export { postSignedForm, slackSignature, unixSeconds, type SignedFormAnswer } from './signed-http.js';
export type * from './types.js';
