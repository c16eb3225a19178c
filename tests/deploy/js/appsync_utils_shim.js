// The part of APPSYNC_JS's `util` our functions use, as AppSync runs it: `util.error` throws, so
// the function stops, the field becomes null and the error lands in `errors[]` with its type;
// `util.appendError` records an error and lets the function go on.
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
  },
};
