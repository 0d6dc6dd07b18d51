/** Slack's Block Kit limits, as documented; exceeding any of them makes Slack reject the message. */
export const slackLimits = {
  blocksPerMessage: 50,
  textObject: 3000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  elementsPerActions: 25,
  elementsPerContext: 10,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  fallbackText: 3000,
} as const;
