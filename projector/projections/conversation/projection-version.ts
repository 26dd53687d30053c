/** Version of the conversation projection's code, stamped on both its read models: a rebuild rewrites both. */
export const conversationProjectionVersion = 1;
