/** Slack's mrkdwn and plain text treat &, < and > as control characters (links, mentions): escaped, they are only text. */
export const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
