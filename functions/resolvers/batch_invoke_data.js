// The APPSYNC_JS function of every relationship field (Blog.posts, Post.blog, User.profile ...):
// AppSync gathers this request's payload for each parent into one `BatchInvoke` of the data
// Lambda (up to the function's MaxBatchSize parents), the Lambda returns one envelope per event in
// the same order, and AppSync hands each field's response its own envelope as ctx.result. The
// Lambda decides each field under the related model's rules; a mutation's result (source carries
// `__operation: "Mutation"`) gets null/empty without a request.
import { util } from '@aws-appsync/utils';

// The one header the Lambda reads (its correlation id); never the caller's Authorization token.
const FORWARDED_HEADERS = ['x-amzn-trace-id'];

export function request(ctx) {
  const headers = {};
  for (const name of FORWARDED_HEADERS) {
    if (ctx.request.headers[name] !== undefined) {
      headers[name] = ctx.request.headers[name];
    }
  }
  return {
    operation: 'BatchInvoke',
    payload: {
      arguments: ctx.args,
      identity: ctx.identity,
      source: ctx.source,
      request: { headers, domainName: ctx.request.domainName },
      info: ctx.info,
    },
  };
}

export function response(ctx) {
  if (ctx.error) {
    // The batch invocation failed (timeout, crash): every field of it gets AppSync's error.
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
  return envelope.data;
}
