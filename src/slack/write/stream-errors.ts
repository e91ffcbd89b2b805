/** Slack's answers to the chat streaming calls, by what the writer does next. */

/** Errors that mean "this workspace or token cannot stream": use post + update instead. */
export const NO_STREAMING = new Set([
  'unknown_method',
  'not_allowed_token_type',
  'missing_scope',
  'method_deprecated',
  'feature_not_enabled',
  'not_supported',
  'invalid_arguments',
]);

/** A stream or message that Slack ended or cannot continue: go on in a new message. */
export const STREAM_ENDED = new Set([
  'message_not_in_streaming_state',
  'streaming_state_conflict',
  'message_not_found',
]);

/**
 * The message cannot take this text: Slack's byte cap on a streamed message varies a little (see
 * MAX_STREAM_BYTES), so should it refuse text within the margin, the text goes in a new message.
 */
export const FULL = 'msg_too_long';
