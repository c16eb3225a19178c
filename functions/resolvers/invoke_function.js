// The APPSYNC_JS function in front of a custom operation's Lambda (functions/NAME), one per
// function (template.yaml). It hands the function the event Amplify hands a function
// (`typeName`, `fieldName`, `arguments`, `identity`, `source`, `request`, `prev`: what make dev
// sends too, appsync_data/events.py `function_event`), and maps its envelope as invoke_data.js
// does: `{data}` is the field's value, `{error: {type, message}}` becomes util.error with that
// errorType (a refused caller's Unauthorized, the code's DataError types, InternalFailure).
import { util } from '@aws-appsync/utils';

// The one header the function's library reads (its correlation id). Never the whole set: it holds
// the caller's Authorization token, which the function does not need and must not be able to log.
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
      typeName: ctx.info.parentTypeName,
      fieldName: ctx.info.fieldName,
      arguments: ctx.args,
      identity: ctx.identity,
      source: ctx.source,
      request: { headers, domainName: ctx.request.domainName },
      prev: ctx.prev,
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
  return envelope ? envelope.data : null;
}
