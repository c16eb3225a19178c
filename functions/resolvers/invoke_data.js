// The one APPSYNC_JS pipeline function in front of the data Lambda, shared by every Query and
// Mutation field (template.yaml). It hands the Lambda AppSync's direct-resolver event and turns
// the Lambda's envelope into the field's value, or into an error with the Lambda's errorType:
// a direct Lambda resolver could only surface raised errors as `Lambda:Unhandled`.
import { util } from '@aws-appsync/utils';

// The one header the Lambda reads (its correlation id). Never the whole set: it holds the caller's
// Authorization token, which the Lambda does not need and must not be able to log.
const FORWARDED_HEADERS = ['x-amzn-trace-id'];

export function request(ctx) {
  const headers = {};
  for (const name of FORWARDED_HEADERS) {
    if (ctx.request.headers[name] !== undefined) {
      headers[name] = ctx.request.headers[name];
    }
  }
  return {
    operation: 'Invoke',
    payload: {
      arguments: ctx.args,
      identity: ctx.identity,
      source: ctx.source,
      request: { headers, domainName: ctx.request.domainName },
      info: ctx.info,
      prev: ctx.prev,
      stash: ctx.stash,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    // The invocation itself failed (timeout, crash): keep AppSync's type and message.
    util.error(ctx.error.message, ctx.error.type);
  }
  const envelope = ctx.result;
  if (envelope && envelope.error) {
    util.error(envelope.error.message, envelope.error.type);
  }
  if (!envelope) {
    return null;
  }
  // Field-level rules: the fields the caller may not read are null in `data`, each with its
  // error, so the client gets the data and the errors together.
  for (const fieldError of envelope.fieldErrors || []) {
    util.appendError(fieldError.message, fieldError.type);
  }
  if (envelope.authFilter) {
    // A scoped subscriber (listen): subscription_filter.js ANDs it with the client's filter.
    ctx.stash.authFilter = envelope.authFilter;
  }
  return envelope.data;
}
