// The resolver code of every onCreateX/onUpdateX/onDeleteX field (template.yaml). Its pipeline's
// one function, invoke_data.js, has already asked the data Lambda whether the caller may `listen`
// (the same rules and code as queries) and stopped a refused caller with Unauthorized. This code
// then turns the field's `filter` argument (ModelSubscriptionXFilterInput) into AppSync's
// enhanced subscription filter: groups OR-ed, the conditions of one group AND-ed. The groups are
// built here, not by util.transform.toSubscriptionFilter, whose handling of nested and/or is not
// documented: so the meaning is exactly the local server's (appsync_data/subscription_filter.py).
// A filter AppSync cannot hold is refused at subscribe time with an InvalidFilterError.
import { util, extensions } from '@aws-appsync/utils';

// AppSync's limits on an enhanced filter: filter groups, conditions in one group, values of
// in / notIn (README "Real-time").
export const MAX_GROUPS = 10;
export const MAX_CONDITIONS = 5;
export const MAX_LIST_VALUES = 5;
const OPERATORS = [
  'eq',
  'ne',
  'le',
  'lt',
  'ge',
  'gt',
  'contains',
  'notContains',
  'between',
  'beginsWith',
  'in',
  'notIn',
];
const ERROR_TYPE = 'InvalidFilterError';

function refuse(message) {
  util.error(`Invalid filter: ${message}`, ERROR_TYPE);
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// The conditions on one field, AND-ed: one group of them.
function conditionsOf(field, operators) {
  if (!isObject(operators)) {
    refuse(`the condition on '${field}' must be an object of operators`);
  }
  const conditions = [];
  for (const operator of Object.keys(operators)) {
    const value = operators[operator];
    if (value === null || value === undefined) {
      continue; // an operator the client left unset is no condition
    }
    if (!OPERATORS.includes(operator)) {
      refuse(`unsupported operator '${operator}' on '${field}'`);
    }
    if (operator === 'between' && (!Array.isArray(value) || value.length !== 2)) {
      refuse(`'between' on '${field}' takes two values`);
    }
    if (operator === 'in' || operator === 'notIn') {
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_LIST_VALUES) {
        refuse(`'${operator}' on '${field}' takes 1 to ${MAX_LIST_VALUES} values`);
      }
    }
    conditions.push({ fieldName: field, operator, value });
  }
  return conditions;
}

// Every group of `left` AND-ed with every group of `right`, within AppSync's limits.
function product(left, right) {
  if (left.length * right.length > MAX_GROUPS) {
    refuse(`it needs more than ${MAX_GROUPS} alternatives (or-groups)`);
  }
  const groups = [];
  for (const a of left) {
    for (const b of right) {
      const group = a.concat(b);
      if (group.length > MAX_CONDITIONS) {
        refuse(`it needs more than ${MAX_CONDITIONS} conditions in one alternative`);
      }
      groups.push(group);
    }
  }
  return groups;
}

// One filter object -> its alternatives (a list of groups of conditions). `nested` converts the
// filters inside its and/or: APPSYNC_JS has no recursion, so each nesting level is its own
// function below and the last one takes no and/or.
function groupsOf(filter, nested) {
  if (!isObject(filter)) {
    refuse('a filter is an object of fields and and/or lists');
  }
  let groups = [[]];
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    if (value === null || value === undefined) {
      continue;
    }
    let alternatives = [];
    if (key === 'and' || key === 'or') {
      if (nested === null) {
        refuse(`and/or nest deeper than ${NESTING.length} levels`);
      }
      if (!Array.isArray(value)) {
        refuse(`'${key}' takes a list of filters`);
      }
      const parts = value.map((part) => nested(part));
      if (key === 'and') {
        alternatives = parts.reduce((all, part) => product(all, part), [[]]);
      } else if (parts.length === 0) {
        alternatives = [[]]; // an empty or is no condition, as in the local server
      } else {
        alternatives = parts.reduce((all, part) => all.concat(part), []);
      }
    } else {
      alternatives = [conditionsOf(key, value)];
    }
    groups = product(groups, alternatives);
  }
  return groups;
}

const level3 = (filter) => groupsOf(filter, null);
const level2 = (filter) => groupsOf(filter, level3);
const level1 = (filter) => groupsOf(filter, level2);
const NESTING = [level1, level2, level3];

// The enhanced filter for a GraphQL filter argument; null when it lets every item through.
export function subscriptionFilter(filter) {
  if (filter === null || filter === undefined) {
    return null;
  }
  const groups = groupsOf(filter, level1);
  if (groups.some((group) => group.length === 0)) {
    return null; // one alternative without conditions: every item matches
  }
  return { filterGroup: groups.map((filters) => ({ filters })) };
}

export function request() {
  return {};
}

export function response(ctx) {
  const filter = subscriptionFilter(ctx.args.filter);
  if (filter !== null) {
    extensions.setSubscriptionFilter(filter);
  }
  return null; // AppSync sends each mutation's result, not this value, to the subscriber
}
