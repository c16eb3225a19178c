// Runs APPSYNC_JS functions under Node, one step per stdin line, for tests/deploy: each line is
// {"file": "invoke_data.js", "step": "request" | "response", "ctx": {...}}; each answer is one
// line, {"value": ...} or {"error": {"type", "message"}} when the function called util.error, plus
// "subscriptionFilters" when it called extensions.setSubscriptionFilter, "appendedErrors" when it
// called util.appendError, "stash" when it left something in ctx.stash.
// argv[2]: the directory holding the functions next to a node_modules with the util shim.
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const directory = process.argv[2];
const modules = new Map();

async function load(file) {
  if (!modules.has(file)) {
    modules.set(file, await import(pathToFileURL(join(directory, file)).href));
  }
  return modules.get(file);
}

for await (const line of createInterface({ input: process.stdin })) {
  // "args": a list of arguments instead of ctx, for the exported helpers.
  const { file, step, ctx, args } = JSON.parse(line);
  const fn = (await load(file))[step];
  let answer;
  if (globalThis.appsyncExtensions) {
    globalThis.appsyncExtensions.subscriptionFilters = [];
    globalThis.appsyncExtensions.appendedErrors = [];
  }
  try {
    answer = { value: (args ? fn(...args) : fn(ctx)) ?? null };
  } catch (error) {
    if (error.type === undefined) throw error; // a bug in the function, not util.error
    answer = { error: { type: error.type, message: error.message } };
  }
  const filters = globalThis.appsyncExtensions?.subscriptionFilters ?? [];
  if (filters.length > 0) {
    answer.subscriptionFilters = filters;
  }
  const appended = globalThis.appsyncExtensions?.appendedErrors ?? [];
  if (appended.length > 0) {
    answer.appendedErrors = appended;
  }
  if (ctx && ctx.stash && Object.keys(ctx.stash).length > 0) {
    answer.stash = ctx.stash;
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
