// The resolver code of every onCreateX/onUpdateX/onDeleteX field (template.yaml). Its pipeline's
// one function, invoke_data.js, has already asked the data Lambda whether the caller may `listen`
// (the same rules and code as queries) and stopped a refused caller with Unauthorized. This code
// then turns the field's `filter` argument (ModelSubscriptionXFilterInput) into AppSync's
// enhanced subscription filter: groups OR-ed, the conditions of one group AND-ed. The groups are
// built here, not by util.transform.toSubscriptionFilter, whose handling of nested and/or is not
// documented: so the meaning is exactly the local server's (appsync_data/subscription_filter.py).
// A filter AppSync cannot hold is refused at subscribe time with an InvalidFilterError. An owner-
// or group-scoped subscriber's filter is AND-ed with the Lambda's `authFilter` (stashed by
// invoke_data.js), so each event reaches only subscribers whose scope admits the item.
import { util, extensions } from '@aws-appsync/utils';

// AppSync's limits on an enhanced filter (README "Deploying", real time): filter groups (its
// "combinations"), distinct fields in the whole filter (its "attributes"), values of in / notIn;
// and a field may appear once in a group ("filter uses same fieldName multiple time").
export const MAX_GROUPS = 10;
export const MAX_FIELDS = 5;
export const MAX_LIST_VALUES = 5;
// and/or inside and/or: as deep as a filter built by hand needs, and a bound on the work.
export const MAX_NESTING = 3;
const NESTING_LEVELS = [1, 2, 3, 4]; // MAX_NESTING + 1 passes: the last one only refuses
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
    // An operator the client left unset (null) is no condition.
    if (value !== null && value !== undefined) {
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
      groups.push(a.concat(b));
    }
  }
  return groups;
}

// AppSync refuses a filter that names more than MAX_FIELDS fields, or one field twice in a group.
function checkFields(groups) {
  const fields = [];
  for (const group of groups) {
    const seen = [];
    for (const condition of group) {
      if (seen.includes(condition.fieldName)) {
        refuse(
          `'${condition.fieldName}' has two conditions in one alternative, which AppSync's ` +
            `filters cannot hold (use 'between' for a range)`,
        );
      }
      seen.push(condition.fieldName);
      if (!fields.includes(condition.fieldName)) {
        fields.push(condition.fieldName);
      }
    }
  }
  if (fields.length > MAX_FIELDS) {
    refuse(`it names ${fields.length} fields, more than AppSync's ${MAX_FIELDS}`);
  }
}

function isSet(value) {
  return value !== null && value !== undefined;
}

// The filter objects of the tree, level by level (level 0: the argument itself), each node
// knowing its and/or children. APPSYNC_JS has no recursion: the tree is walked a level at a time.
function levelsOf(filter) {
  const levels = [[{ filter, children: {} }]];
  for (const depth of NESTING_LEVELS) {
    const next = [];
    for (const node of levels[levels.length - 1]) {
      if (!isObject(node.filter)) {
        refuse('a filter is an object of fields and and/or lists');
      }
      for (const key of ['and', 'or']) {
        const parts = node.filter[key];
        if (isSet(parts)) {
          if (!Array.isArray(parts)) {
            refuse(`'${key}' takes a list of filters`);
          }
          if (depth > MAX_NESTING && parts.length > 0) {
            refuse(`and/or nest deeper than ${MAX_NESTING} levels`);
          }
          node.children[key] = parts.map((part) => {
            const child = { filter: part, children: {} };
            next.push(child);
            return child;
          });
        }
      }
    }
    levels.push(next);
  }
  return levels;
}

// One filter object -> its alternatives (a list of groups of conditions), its and/or children's
// alternatives being known already.
function groupsOfNode(node) {
  let groups = [[]];
  for (const key of Object.keys(node.filter)) {
    const value = node.filter[key];
    if (isSet(value)) {
      let alternatives = [];
      if (key === 'and') {
        alternatives = node.children.and.reduce((all, child) => product(all, child.groups), [[]]);
      } else if (key === 'or') {
        const children = node.children.or;
        alternatives =
          children.length === 0
            ? [[]] // an empty or is no condition, as in the local server
            : children.reduce((all, child) => all.concat(child.groups), []);
      } else {
        alternatives = [conditionsOf(key, value)];
      }
      groups = product(groups, alternatives);
    }
  }
  return groups;
}

// The alternatives of one filter in the SDL filter language; [[]] (no condition) when unset.
function groupsOf(filter) {
  if (!isSet(filter)) {
    return [[]];
  }
  const levels = levelsOf(filter);
  // Deepest level first, so each node's children have their groups when it is converted.
  for (const level of levels.slice().reverse()) {
    for (const node of level) {
      node.groups = groupsOfNode(node);
    }
  }
  return levels[0][0].groups;
}

// The enhanced filter for a GraphQL filter argument AND-ed with the data Lambda's `authFilter`
// (what an owner- or group-scoped subscriber may see, in the same language; each is walked on
// its own, so the client keeps its nesting); null when it lets every item through. The limits
// hold for the combination: what AppSync cannot hold is refused, never widened.
export function subscriptionFilter(filter, authFilter) {
  if (!isSet(filter) && !isSet(authFilter)) {
    return null;
  }
  const groups = product(groupsOf(filter), groupsOf(authFilter));
  checkFields(groups);
  if (groups.some((group) => group.length === 0)) {
    return null; // one alternative without conditions: every item matches
  }
  return { filterGroup: groups.map((filters) => ({ filters })) };
}

export function request() {
  return {};
}

export function response(ctx) {
  // invoke_data.js stashes the Lambda's authFilter of a scoped subscriber (none: every item).
  const filter = subscriptionFilter(ctx.args.filter, ctx.stash.authFilter);
  if (filter !== null) {
    extensions.setSubscriptionFilter(filter);
  }
  return null; // AppSync sends each mutation's result, not this value, to the subscriber
}
