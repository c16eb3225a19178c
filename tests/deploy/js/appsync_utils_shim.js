// The part of APPSYNC_JS's `util` and `extensions` our functions use, as AppSync runs them:
// `util.error` throws, so the function stops, the field becomes null and the error lands in
// `errors[]` with its type; `util.appendError` records an error and lets the function go on;
// `extensions.setSubscriptionFilter` records the filter (run_resolver.mjs reports it), checked
// against the shape AppSync documents for it.
export const appendedErrors = [];

export const util = {
  error(message, type, data, errorInfo) {
    const error = new Error(message);
    error.type = type;
    error.data = data;
    error.errorInfo = errorInfo;
    throw error;
  },
  appendError(message, type, data, errorInfo) {
    appendedErrors.push({ message, type, data, errorInfo });
    globalThis.appsyncExtensions.appendedErrors.push({ message, type });
  },
};

function checkSubscriptionFilter(filter) {
  const groups = filter && filter.filterGroup;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new Error('setSubscriptionFilter: filterGroup must be a non-empty list');
  }
  for (const group of groups) {
    if (!Array.isArray(group.filters) || group.filters.length === 0) {
      throw new Error('setSubscriptionFilter: every group needs filters');
    }
    for (const entry of group.filters) {
      if (typeof entry.fieldName !== 'string' || typeof entry.operator !== 'string') {
        throw new Error('setSubscriptionFilter: a filter is {fieldName, operator, value}');
      }
    }
  }
}

globalThis.appsyncExtensions = { subscriptionFilters: [], appendedErrors: [] };

export const extensions = {
  setSubscriptionFilter(filter) {
    checkSubscriptionFilter(filter);
    globalThis.appsyncExtensions.subscriptionFilters.push(filter);
  },
};
